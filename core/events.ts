/**
 * Live updates (API.md "Live updates"): what changed, never the data itself, so an open page knows
 * which queries to refetch. One in-process bus per backend; the SSE endpoint relays it.
 * `cluster.changed`: the agent's report for a target changed (decision 019).
 */
export type LiveEventType = 'revision.created' | 'request.updated' | 'break-glass.changed' | 'cluster.changed';

export interface LiveEvent {
  type: LiveEventType;
  tenant?: string;
  environment?: string;
  requestId?: string;
}

export type LiveEventListener = (event: LiveEvent) => void;

export class EventBus {
  private readonly listeners = new Set<LiveEventListener>();

  subscribe(listener: LiveEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: LiveEvent): void {
    // A failing listener (a closed stream) must not stop the others or the caller's write.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
