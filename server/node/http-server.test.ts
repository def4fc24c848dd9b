import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, createServerApp, listen } from './http-server.ts';

/** Sends one request on `socket` and resolves with the status line of its answer. */
function ask(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      socket.off('close', onClose);
      resolve(chunk.toString('latin1').split('\r\n', 1)[0]!);
    };
    const onClose = () => {
      socket.off('data', onData);
      reject(new Error('the server closed the connection'));
    };
    socket.once('data', onData);
    socket.once('close', onClose);
    socket.write('GET /ping HTTP/1.1\r\nHost: rewind.test\r\nConnection: keep-alive\r\n\r\n');
  });
}

describe('listen', () => {
  // Node closes idle keep-alive connections after 5 s by default; a proxy that keeps them for 60 s
  // then sends a request on a connection being closed and answers 502 (a client sees a reset).
  it('keeps an idle keep-alive connection open past Node’s 5 s default', { timeout: 30_000 }, async () => {
    const app = new Hono();
    app.get('/ping', (c) => c.text('pong'));
    const { server, port } = await listen(app, '127.0.0.1', 0);
    const socket = connect(port, '127.0.0.1');
    let closedAfter: number | null = null;
    const opened = Date.now();
    socket.on('close', () => (closedAfter = Date.now() - opened));
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      expect(await ask(socket)).toBe('HTTP/1.1 200 OK');
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(closedAfter, 'closed by the server while idle').toBeNull();
      expect(await ask(socket)).toBe('HTTP/1.1 200 OK');
    } finally {
      socket.destroy();
      (server as Server).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the headers every answer carries', () => {
  const api = new Hono();
  api.get('/api/thing', (c) => c.json({ ok: true }, 200, { 'X-Thing': 'kept' }));
  const app = createServerApp({ api, log: () => {} });
  const expected = (path: string) => ({
    'x-request-id': 'lb-42',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...(path.startsWith('/api/') ? { 'cache-control': 'no-store' } : {}),
  });
  const headersOf = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name !== 'date' && name !== 'connection' && name !== 'keep-alive'));

  // On Node they are set on the response before the API answers (http-server.ts), elsewhere on the
  // answer after: both must give every answer the same headers, the API's own kept.
  it('are on the API’s answers and on the server’s own, over HTTP and in app.request alike', { timeout: 20_000 }, async () => {
    const { server, port } = await listen(app, '127.0.0.1', 0);
    try {
      for (const path of ['/api/thing', '/api/missing', '/not-the-api']) {
        const overHttp = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'X-Request-Id': 'lb-42' } });
        const inProcess = await app.request(path, { headers: { 'X-Request-Id': 'lb-42' } });
        expect(overHttp.status, path).toBe(path === '/api/thing' ? 200 : 404);
        expect(headersOf(overHttp), path).toMatchObject(expected(path));
        expect(headersOf(inProcess), path).toMatchObject(expected(path));
        if (!path.startsWith('/api/')) expect(overHttp.headers.get('cache-control'), path).toBeNull();
      }
      const thing = await fetch(`http://127.0.0.1:${port}/api/thing`);
      expect(thing.headers.get('x-thing')).toBe('kept');
      expect(thing.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await thing.json()).toEqual({ ok: true });
    } finally {
      (server as Server).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
