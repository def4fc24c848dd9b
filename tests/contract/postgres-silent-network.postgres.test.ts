/**
 * A network to PostgreSQL that goes silent (issue 14: a half-open connection — a failover whose old
 * address swallows packets, a cut cable — no reset, no answer): the store's queries fail with a 503
 * within their deadline instead of hanging every request until the kernel gives up, and the store
 * works again without a restart once the network answers. A TCP proxy in this process stands in for
 * the network: silenced, it keeps every connection open and forwards nothing.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RewindError } from '#core/errors.ts';
import { requestScope } from '#core/transaction-scope.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';
import { usePostgres, type TestDatabase } from '../support/postgres.ts';
import { makeRequest } from './request-store-fixtures.ts';

const pg = usePostgres();

/** Forwards to `target` until silenced; silenced, it holds connections open and passes nothing on. */
async function silenceableProxy(target: { host: string; port: number }) {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => void (silent || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (silent || client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    silence: () => void (silent = true),
    restore: () => void (silent = false),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const QUERY_DEADLINE_MS = 1_500;

describe.skipIf(!pg.available)('PostgreSQL behind a network that goes silent', () => {
  let database: TestDatabase;
  let proxy: Awaited<ReturnType<typeof silenceableProxy>>;
  let store: SqlRequestStore;

  beforeEach(async () => {
    database = await pg.createDatabase();
    const url = new URL(database.url);
    proxy = await silenceableProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    store = await SqlRequestStore.openPostgres({ url: url.toString(), queryTimeoutMs: QUERY_DEADLINE_MS, connectTimeoutMs: QUERY_DEADLINE_MS });
  }, 30_000);
  afterEach(async () => {
    await store.close().catch(() => undefined);
    await proxy.close();
    await database.drop();
  }, 30_000);

  const failure = async (operation: Promise<unknown>) => {
    const started = performance.now();
    try {
      await operation;
    } catch (error) {
      return { error, ms: performance.now() - started };
    }
    throw new Error('expected the operation to fail while the network is silent');
  };

  it('reads and transactions fail with a 503 within their deadline, and work again once the network answers', { timeout: 60_000 }, async () => {
    await store.transaction((tx) => tx.insertRequest(makeRequest({ id: 'rbk-1' })));
    expect((await store.getRequest('rbk-1'))?.state).toBe('pending');

    proxy.silence();
    for (const operation of [
      () => store.getRequest('rbk-1'),
      () => store.transaction(async (tx) => tx.updateRequest({ ...(await tx.getRequest('rbk-1'))!, state: 'approved' }), requestScope('rbk-1')),
      () => store.listRequests({}, null, 10),
    ]) {
      const { error, ms } = await failure(operation());
      expect(error).toBeInstanceOf(RewindError);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
      expect((error as Error).message).toMatch(/the database cannot be reached .*nothing was changed/);
      // The deadline, plus a new connection's connect timeout at most: never a hang.
      expect(ms).toBeLessThan(QUERY_DEADLINE_MS * 2 + 2_000);
    }

    proxy.restore();
    let recovered: string | undefined;
    for (let attempt = 0; attempt < 20 && recovered === undefined; attempt++) {
      recovered = await store.getRequest('rbk-1').then((r) => r?.state, () => undefined);
      if (recovered === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Nothing half-written: the update that failed left the request as it was.
    expect(recovered).toBe('pending');
    await store.transaction(async (tx) => tx.updateRequest({ ...(await tx.getRequest('rbk-1'))!, state: 'approved' }), requestScope('rbk-1'));
    expect((await store.getRequest('rbk-1'))?.state).toBe('approved');
  });
});
