import { create } from 'zustand';
import { isApiError } from '#src/api/api-error.ts';

/**
 * What the browser knows about its link to the server: client state, never server data. The API is
 * "down" from a failed request that never got an answer from Rewind (network error, or a gateway's
 * 502/503/504) until the next answer; the live-update stream from its error until it reopens.
 */
interface ConnectionState {
  apiDown: boolean;
  streamDown: boolean;
  /** When the server last answered (ms since epoch): what the data on screen is at least as new as. */
  lastAnswerAt: number | null;
  apiAnswered: (at?: number) => void;
  apiUnreachable: () => void;
  streamOpened: () => void;
  streamLost: () => void;
}

export const useConnectionStore = create<ConnectionState>()((set) => ({
  apiDown: false,
  streamDown: false,
  lastAnswerAt: null,
  apiAnswered: (at = Date.now()) => set({ apiDown: false, lastAnswerAt: at }),
  apiUnreachable: () => set({ apiDown: true }),
  streamOpened: () => set({ streamDown: false }),
  streamLost: () => set({ streamDown: true }),
}));

/** A failure that says nothing about the request and everything about the link to the server. */
export function isUnreachable(error: unknown): boolean {
  return isApiError(error) && (error.code === 'NETWORK' || error.status === 502 || error.status === 503 || error.status === 504);
}

/** True while what is on screen may be out of date because the server cannot be reached. */
export const useConnectionLost = () => useConnectionStore((state) => state.apiDown || state.streamDown);

/**
 * Lazy chunks that failed to load (Vite's `vite:preloadError`, whose payload is the very error the
 * import rejects with): the route error boundary offers a reload for these instead of the raw error.
 */
const failedChunks = new WeakSet<object>();

export function rememberChunkFailure(error: unknown): void {
  if (typeof error === 'object' && error !== null) failedChunks.add(error);
}

export function isChunkFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && failedChunks.has(error);
}
