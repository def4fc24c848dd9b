/**
 * One poller per agent object, shared by every browser (decision 019): each object is read at most
 * once per interval, whatever the number of open pages; a failing object backs off; a change is
 * announced once, to every object's subscriber.
 */
import type { Clock } from '#core/ports.ts';
import type { AgentClient, ObjectReport } from './agent.ts';
import { ShapeError } from './agent.ts';

export interface ObjectState {
  /** The last readable report, kept for its time; never shown as current while `error` is set. */
  report: ObjectReport | null;
  /** When the agent last answered readably. */
  observedAt: string | null;
  /** Why the last read failed; null when it worked. */
  error: string | null;
}

interface Entry extends ObjectState {
  failures: number;
  nextAt: number;
  inflight: Promise<void> | null;
  fingerprint: string;
  shapeLogged: boolean;
}

export interface ObjectPollerOptions {
  client: AgentClient;
  clock: Clock;
  intervalMs: number;
  /** Longest wait between two reads of a failing object. */
  maxBackoffMs?: number;
  /** Reads running at once, so 200 objects do not hit the agent in one burst. */
  concurrency?: number;
  log?: (entry: Record<string, unknown>) => void;
  onChange?: (name: string) => void;
  /** Every failed read (for the `rewind_agent_poll_errors_total` counter). */
  onError?: (name: string, error: unknown) => void;
}

export class ObjectPoller {
  private readonly entries = new Map<string, Entry>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running = 0;

  constructor(private readonly options: ObjectPollerOptions) {}

  /** Registers an object to keep fresh; idempotent. */
  watch(name: string): void {
    if (this.entries.has(name)) return;
    this.entries.set(name, { report: null, observedAt: null, error: null, failures: 0, nextAt: 0, inflight: null, fingerprint: '', shapeLogged: false });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Every watched object's last state, from the cache (never calls the agent): for `/readyz`. */
  snapshot(): { name: string; state: ObjectState }[] {
    return [...this.entries].map(([name, entry]) => ({ name, state: { report: entry.report, observedAt: entry.observedAt, error: entry.error } }));
  }

  /**
   * The object's state. Only its very first read is awaited (so a page opened right after start shows
   * a real answer); afterwards this is a cache read and never calls the agent.
   */
  async state(name: string): Promise<ObjectState> {
    this.watch(name);
    const entry = this.entries.get(name)!;
    if (!entry.report && !entry.error) await (entry.inflight ?? this.poll(name, entry));
    return { report: entry.report, observedAt: entry.observedAt, error: entry.error };
  }

  /** Reads the object at the next tick (after a sync request), backoff or not. */
  pollSoon(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.nextAt = 0;
  }

  start(): void {
    if (this.timer) return;
    const tickMs = Math.max(50, Math.min(this.options.intervalMs, 1_000));
    this.timer = setInterval(() => this.pollDue(), tickMs);
    this.timer.unref();
    this.pollDue();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.entries.values()].map((entry) => entry.inflight));
  }

  /** Starts a read of every object that is due (the timer's tick; tests call it with a fixed clock). */
  pollDue(): void {
    const now = this.options.clock.now().getTime();
    const limit = this.options.concurrency ?? 8;
    for (const [name, entry] of this.entries) {
      if (this.running >= limit) return;
      if (entry.inflight || entry.nextAt > now) continue;
      void this.poll(name, entry);
    }
  }

  private poll(name: string, entry: Entry): Promise<void> {
    const { client, clock, intervalMs } = this.options;
    this.running += 1;
    const run = (async () => {
      try {
        const report = await client.read(name);
        entry.report = report;
        entry.observedAt = clock.now().toISOString();
        entry.error = null;
        entry.failures = 0;
        entry.shapeLogged = false;
        entry.nextAt = clock.now().getTime() + intervalMs;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.onError?.(name, error);
        if (error instanceof ShapeError && !entry.shapeLogged) {
          entry.shapeLogged = true;
          this.options.log?.({ level: 'warn', msg: 'agent answer of unexpected shape', agent: client.label, object: name, error: message });
        }
        entry.error = message;
        entry.failures += 1;
        const backoff = Math.min(intervalMs * 2 ** Math.min(entry.failures - 1, 10), this.options.maxBackoffMs ?? 60_000);
        entry.nextAt = clock.now().getTime() + Math.max(backoff, intervalMs);
      } finally {
        this.running -= 1;
        entry.inflight = null;
      }
      // A freed slot starts the next due object now rather than at the next tick.
      if (this.timer) this.pollDue();
      // The observation time changes on every read; a change is what the agent says, or an error.
      const fingerprint = JSON.stringify([entry.report, entry.error]);
      if (fingerprint !== entry.fingerprint) {
        const first = entry.fingerprint === '';
        entry.fingerprint = fingerprint;
        if (!first) this.options.onChange?.(name);
      }
    })();
    entry.inflight = run;
    return run;
  }
}
