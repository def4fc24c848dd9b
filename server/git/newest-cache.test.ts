import { describe, expect, it } from 'vitest';
import type { CommitRecord } from '#core/ports.ts';
import { NewestCache } from './newest-cache.ts';

const record = (sha: string) => ({ sha }) as unknown as CommitRecord;
const API = ['tenants/acme/production/services/api/'];
const WEB = ['tenants/acme/production/services/web/'];

describe('NewestCache', () => {
  it('shares one lookup between concurrent askers, and forgets a failed one', async () => {
    const cache = new NewestCache();
    let looks = 0;
    const look = async () => {
      looks++;
      return [record('a')];
    };
    const answers = await Promise.all([cache.get('h1', null, API, look), cache.get('h1', null, API, look), cache.get('h1', null, API, look)]);
    expect(answers.map((found) => found[0]!.sha)).toEqual(['a', 'a', 'a']);
    expect(looks).toBe(1);
    // Another notes head is another answer.
    await cache.get('h1', 'n1', API, look);
    expect(looks).toBe(2);

    await expect(cache.get('h2', null, API, () => Promise.reject(new Error('git died')))).rejects.toThrow('git died');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('h2', null, API, look)).toEqual([record('a')]);
  });

  it('forgets the least recently asked answer first, not the oldest one asked', async () => {
    const cache = new NewestCache(3);
    let looks = 0;
    const look = async () => [record(`r${++looks}`)];
    await cache.get('h1', null, API, look);
    await cache.get('h2', null, API, look);
    await cache.get('h1', null, API, look);
    await cache.get('h3', null, API, look);
    // Full: h2 goes (asked least recently), h1 stays.
    await cache.get('h4', null, API, look);
    expect(looks).toBe(4);
    await cache.get('h1', null, API, look);
    expect(looks).toBe(4);
    await cache.get('h2', null, API, look);
    expect(looks).toBe(5);
  });

  it('carries answers to a commit it made only for the paths that commit did not touch', async () => {
    const cache = new NewestCache();
    await cache.get('h1', null, API, async () => [record('api-head')]);
    await cache.get('h1', null, WEB, async () => [record('web-head')]);
    await cache.get('h1', 'other-notes', WEB, async () => [record('web-head-other-notes')]);
    cache.carry('h1', 'h2', null, ['tenants/acme/production/services/web/values.yaml']);

    const fresh = async () => [record('looked-up')];
    expect(await cache.get('h2', null, API, fresh)).toEqual([record('api-head')]);
    expect(await cache.get('h2', null, WEB, fresh)).toEqual([record('looked-up')]);
    // Answers under another notes head stay where they are.
    expect(await cache.get('h2', 'other-notes', WEB, fresh)).toEqual([record('looked-up')]);
    // A commit on another parent carries nothing.
    cache.carry('h9', 'h3', null, []);
    expect(await cache.get('h3', null, API, fresh)).toEqual([record('looked-up')]);
  });
});
