import { request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitBody } from '#server/api/body-limit.ts';

const LIMIT = 1_000;

/**
 * A real Node server (so this test lives with the Node side, not beside the fetch-standard API layer):
 * the fast path relies on what Node's parser does with Content-Length.
 */
let server: Server;
let port: number;
const reached: string[] = [];

beforeAll(async () => {
  const app = new Hono();
  app.use('*', limitBody(LIMIT, (c) => c.json({ error: 'too large' }, 413)));
  app.post('/echo', async (c) => {
    const body = await c.req.text();
    reached.push(body);
    return c.json({ length: body.length });
  });
  app.get('/echo', (c) => c.json({ method: 'GET' }));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      port = info.port;
      resolve();
    }) as Server;
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** POSTs `chunks` one after the other; `chunked` leaves out Content-Length (Transfer-Encoding: chunked). */
function post(chunks: string[], chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
    const headers: Record<string, string> = { 'Content-Type': 'text/plain', ...(chunked ? {} : { 'Content-Length': String(total) }) };
    const req = httpRequest({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('limitBody', { timeout: 20_000 }, () => {
  it('lets a body of a declared length up to the limit through, whole', async () => {
    expect(await post(['x'.repeat(LIMIT)], false)).toEqual({ status: 200, body: JSON.stringify({ length: LIMIT }) });
    expect(reached.at(-1)).toBe('x'.repeat(LIMIT));
  });

  it('refuses a declared length over the limit from the header alone, before any byte of the body', async () => {
    const before = reached.length;
    const socket = connect(port, '127.0.0.1');
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        socket.once('data', (chunk) => resolve(chunk.toString('latin1')));
        socket.once('error', reject);
        setTimeout(() => reject(new Error('no answer within 5 s: the body was awaited')), 5_000).unref();
        // The headers only: were the body awaited, no answer would come.
        socket.write(`POST /echo HTTP/1.1\r\nHost: rewind.test\r\nContent-Type: text/plain\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`);
      });
      expect(answer.split('\r\n', 1)[0]).toBe('HTTP/1.1 413 Payload Too Large');
      expect(answer).toContain('{"error":"too large"}');
    } finally {
      socket.destroy();
    }
    expect(reached.length).toBe(before);
  });

  it('counts a chunked body as it arrives: through up to the limit, 413 past it', async () => {
    expect(await post(['x'.repeat(600), 'y'.repeat(400)], true)).toEqual({ status: 200, body: JSON.stringify({ length: LIMIT }) });
    expect(reached.at(-1)).toBe('x'.repeat(600) + 'y'.repeat(400));
    const before = reached.length;
    expect((await post(['x'.repeat(600), 'y'.repeat(401)], true)).status).toBe(413);
    expect(reached.length).toBe(before);
  });

  it('leaves a GET alone', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/echo`);
    expect(await response.json()).toEqual({ method: 'GET' });
  });
});
