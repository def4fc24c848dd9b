/**
 * The request stores a core service test runs on: in-memory and SQLite (one file per test in a
 * temporary folder, removed after the file's tests). For describe.each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { RequestStore } from '#core/ports.ts';
import { InMemoryRequestStore } from '#in-memory/in-memory-request-store.ts';
import { SqlRequestStore } from '#server/sql/sql-request-store.ts';

export interface OpenedRequestStore {
  store: RequestStore;
  close(): Promise<void>;
}

export function requestStoreBackends(prefix: string): (readonly [string, () => Promise<OpenedRequestStore>])[] {
  const sqlDir = mkdtempSync(join(tmpdir(), `rewind-${prefix}-`));
  afterAll(() => rmSync(sqlDir, { recursive: true, force: true }));
  let sqlFiles = 0;
  return [
    ['in-memory', async () => ({ store: new InMemoryRequestStore(), close: async () => {} })],
    [
      'sqlite',
      async () => {
        const store = await SqlRequestStore.open(join(sqlDir, `db-${++sqlFiles}`, 'rewind.db'));
        return { store, close: () => store.close() };
      },
    ],
  ];
}
