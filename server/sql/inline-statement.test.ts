import { describe, expect, it } from 'vitest';
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver } from 'kysely';
import { inlineStatement } from './inline-statement.ts';

/** Kysely's PostgreSQL compiler alone: what the store's writes compile to, without a database. */
const db = new Kysely<{ reviews: { request_id: string; comment: string; stale: number; at: string | null } }>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe('inlineStatement (decision 057)', () => {
  it('writes each parameter as the quoted text pg would send (pg escapes a backslash in E-form), NULL for null', () => {
    const query = db.insertInto('reviews').values({ request_id: 'rbk-1', comment: "it's \\ fine", stale: 1, at: null }).compile();
    expect(inlineStatement(query)).toBe(
      `insert into "reviews" ("request_id", "comment", "stale", "at") values ('rbk-1',  E'it''s \\\\ fine', '1', NULL)`,
    );
  });

  it('replaces $10 as the tenth parameter, not $1 followed by 0', () => {
    const parameters = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    const sqlText = `select ${parameters.map((_, i) => `$${i + 1}`).join(', ')}`;
    expect(inlineStatement({ sql: sqlText, parameters })).toBe(`select ${parameters.map((v) => `'${v}'`).join(', ')}`);
  });

  it('keeps an injection attempt inside its literal', () => {
    const query = db.updateTable('reviews').set({ comment: "x'); drop table reviews; --" }).where('request_id', '=', 'rbk-1').compile();
    expect(inlineStatement(query)).toBe(`update "reviews" set "comment" = 'x''); drop table reviews; --' where "request_id" = 'rbk-1'`);
  });

  it('writes numbers, bigints, booleans and dates as text, and refuses what it cannot write', () => {
    const at = new Date('2026-12-03T10:00:00.000Z');
    expect(inlineStatement({ sql: 'select $1, $2, $3, $4', parameters: [2.5, 7n, false, at] })).toBe(
      `select '2.5', '7', 'false', '2026-12-03T10:00:00.000Z'`,
    );
    expect(() => inlineStatement({ sql: 'select $1', parameters: [Number.NaN] })).toThrow(/no SQL literal/);
    expect(() => inlineStatement({ sql: 'select $1', parameters: [{ a: 1 }] })).toThrow(/serialise it first/);
    expect(() => inlineStatement({ sql: 'select $1', parameters: [Buffer.from('x')] })).toThrow(/not written inline/);
  });

  it('refuses a statement with quotes, comments or a second statement of its own, and unmatched parameters', () => {
    expect(() => inlineStatement({ sql: `select '$1'`, parameters: ['x'] })).toThrow(/quotes/);
    expect(() => inlineStatement({ sql: 'select $1; select 2', parameters: ['x'] })).toThrow(/several statements/);
    expect(() => inlineStatement({ sql: 'select $1 -- c', parameters: ['x'] })).toThrow(/comments/);
    expect(() => inlineStatement({ sql: 'select "we$1ird"', parameters: ['x'] })).toThrow(/quotes/);
    expect(() => inlineStatement({ sql: 'select $2', parameters: ['x'] })).toThrow(/no parameter \$2/);
    expect(() => inlineStatement({ sql: 'select $1', parameters: ['x', 'y'] })).toThrow(/never used/);
  });
});
