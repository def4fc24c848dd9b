import { describe, expect, it } from 'vitest';
import { createPostgresPool, KEEPALIVE_DELAY_MS, redactUrl } from './postgres.ts';

describe('createPostgresPool', () => {
  it('turns TCP keepalive on, so a connection whose peer vanished is dropped rather than waited on', async () => {
    const pool = createPostgresPool({ url: 'postgres://rewind@127.0.0.1:1/rewind' });
    try {
      const { options } = pool as unknown as { options: { keepAlive?: boolean; keepAliveInitialDelayMillis?: number; application_name?: string } };
      expect(options).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS, application_name: 'rewind' });
    } finally {
      await pool.end();
    }
  });

  it('never shows a password', () => {
    expect(redactUrl('postgres://rewind:s3cret@db:5432/rewind')).toBe('postgres://rewind:***@db:5432/rewind');
  });
});
