// CPU time by consumer, for benches that load a server in this process: the calling thread, the whole
// process (its other threads: V8's compiler and GC helpers, worker threads), the child processes it
// waited for (git) and the PostgreSQL processes on this machine; for servers run as processes of their
// own, the same three of each (its main thread, the whole process, the git it waited for). Read from
// Linux's /proc, in ms; null elsewhere, and the bench then reports none. The figures say where a
// saturated machine's cores went, which latency alone does not.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const available = existsSync('/proc/thread-self/stat');

/** Clock ticks per second of /proc's times (getconf CLK_TCK; 100 on Linux in practice). */
const ticksPerSecond = (() => {
  if (!available) return 100;
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime, stime, cutime, cstime of a /proc stat file, in ms (the fields after the command's closing parenthesis). */
function times(path) {
  const text = readFileSync(path, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  const ms = (ticks) => (ticks * 1000) / ticksPerSecond;
  return { own: ms(fields[11] + fields[12]), children: ms(fields[13] + fields[14]) };
}

/** CPU time of the calling thread (a worker thread calls it for its own), in ms; null without /proc. */
export function threadCpuMs() {
  return available ? times('/proc/thread-self/stat').own : null;
}

/** PostgreSQL's processes on this machine (server and backends), their own CPU time in ms. */
function postgresCpuMs() {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += times(`/proc/${pid}/stat`).own;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** Server processes of their own (by pid), summed: their main threads, the whole processes, their waited-for children. */
function serverProcessesCpuMs(pids) {
  const total = { serverThreads: 0, serverProcesses: 0, serverChildren: 0 };
  for (const pid of pids) {
    const whole = times(`/proc/${pid}/stat`);
    total.serverThreads += times(`/proc/${pid}/task/${pid}/stat`).own;
    total.serverProcesses += whole.own;
    total.serverChildren += whole.children;
  }
  return total;
}

/** A snapshot to subtract from a later one, with `serverPids`' processes summed in; null without /proc. */
export function cpuSnapshot(serverPids = []) {
  if (!available) return null;
  const process = times('/proc/self/stat');
  return { thread: threadCpuMs(), process: process.own, children: process.children, postgres: postgresCpuMs(), ...serverProcessesCpuMs(serverPids) };
}

/** What each consumer used between two snapshots, in ms. */
export function cpuSince(before, after) {
  return Object.fromEntries(Object.keys(before).map((key) => [key, after[key] - before[key]]));
}
