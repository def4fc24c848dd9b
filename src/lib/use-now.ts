import { useSyncExternalStore } from 'react';

// One ticker for every relative time on the page, so a list of 100 rows does not start 100 intervals.
const TICK_MS = 30_000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  if (listeners.size === 0) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((notify) => notify());
    }, TICK_MS);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) clearInterval(timer);
  };
}

const getSnapshot = () => now;

/** The current time in ms, refreshed every 30 s while anything on screen shows a relative time. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getSnapshot);
}
