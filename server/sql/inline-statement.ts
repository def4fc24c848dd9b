/**
 * A compiled write as plain text, its parameters written in as literals (decision 057), so that
 * several writes and the commit go to PostgreSQL in one simple-protocol round trip: the driver sends
 * a statement with parameters on its own (extended protocol, one statement, one round trip each).
 *
 * Each value is written as pg writes a text parameter (a string, number, boolean or date as text,
 * null as NULL), quoted with pg's own `escapeLiteral`, so PostgreSQL types it from its context exactly
 * as it types the parameter. Anything else is refused rather than guessed at. The statement itself
 * must hold no quote of its own: a `$1` inside a string or identifier would otherwise be replaced too.
 */
import { escapeLiteral } from 'pg';
import type { CompiledQuery } from 'kysely';

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`inline statement: the number ${value} has no SQL literal`);
    return escapeLiteral(String(value));
  }
  if (typeof value === 'bigint') return escapeLiteral(value.toString());
  if (typeof value === 'boolean') return escapeLiteral(String(value));
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  throw new Error(`inline statement: a ${typeof value} parameter is not written inline (serialise it first)`);
}

export function inlineStatement(query: Pick<CompiledQuery, 'sql' | 'parameters'>): string {
  if (/['"`;]|\$\$|--|\/\*/.test(query.sql.replace(/"[a-z_][a-z0-9_]*"/g, ''))) {
    throw new Error(`inline statement: quotes, comments or several statements in ${JSON.stringify(query.sql.slice(0, 80))}`);
  }
  const used = new Set<number>();
  const text = query.sql.replace(/\$(\d+)/g, (_, digits: string) => {
    const index = Number(digits) - 1;
    if (!(index >= 0 && index < query.parameters.length)) throw new Error(`inline statement: no parameter $${digits}`);
    used.add(index);
    return literal(query.parameters[index]);
  });
  if (used.size !== query.parameters.length) throw new Error(`inline statement: ${query.parameters.length - used.size} parameter(s) never used`);
  return text;
}
