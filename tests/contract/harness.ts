import type { DemoRepo } from '#demo/demo-data.ts';
import type { NewCommit } from '#in-memory/in-memory-revision-store.ts';

/**
 * What the API contract suite needs from a backend: send a request, and add commits behind its back
 * (as a CI pipeline pushing to the infra repo would). The in-memory run and the git + SQL run each
 * provide one, loaded with the same demo data.
 */
export interface ApiHarness {
  request(path: string, init?: RequestInit): Promise<Response>;
  appendCommit(commit: NewCommit): Promise<string>;
  /** The sha a demo commit id got in this backend. */
  shaOf(demoId: string): string;
  repo: DemoRepo;
  close(): Promise<void>;
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
