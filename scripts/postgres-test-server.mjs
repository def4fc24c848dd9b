#!/usr/bin/env node
// A throwaway PostgreSQL for the tests: `initdb` + `pg_ctl` in a temporary directory, as an
// unprivileged user (PostgreSQL refuses to run as root), listening on 127.0.0.1 only, trust
// authentication, fsync off (its data is thrown away). Used by `npm test` (one server for the whole
// run), by tests/support/postgres.ts (one per test file when no server was given) and by hand:
//   node scripts/postgres-test-server.mjs      # prints REWIND_TEST_DATABASE_URL=..., stops on Ctrl-C
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The directory holding `initdb` and `pg_ctl`: $REWIND_TEST_PG_BIN, then PATH, then Debian's place. */
export function findPostgresBin() {
  const candidates = [];
  if (process.env.REWIND_TEST_PG_BIN) candidates.push(process.env.REWIND_TEST_PG_BIN);
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/**
 * How the PostgreSQL tests can run here: against $REWIND_TEST_DATABASE_URL, on a throwaway server
 * from these binaries, or not at all (and why).
 */
export function postgresTestAvailability() {
  const url = process.env.REWIND_TEST_DATABASE_URL;
  if (url) return { mode: 'url', url };
  if (process.env.REWIND_TEST_SKIP_POSTGRES === '1') return { mode: 'skip', reason: 'REWIND_TEST_SKIP_POSTGRES=1 is set' };
  const bin = findPostgresBin();
  if (!bin) {
    return {
      mode: 'skip',
      reason:
        'no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin, and REWIND_TEST_DATABASE_URL is not set ' +
        '(install them with `apt-get install -y postgresql`, or point REWIND_TEST_DATABASE_URL at a server where the user may create databases)',
    };
  }
  return { mode: 'throwaway', bin };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** $REWIND_TEST_PG_PORTS (`54330-54339`) picks from a range; otherwise any free port. */
async function choosePort() {
  const range = process.env.REWIND_TEST_PG_PORTS?.match(/^(\d+)-(\d+)$/);
  if (!range) return freePort();
  for (let port = Number(range[1]); port <= Number(range[2]); port++) {
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port in REWIND_TEST_PG_PORTS=${process.env.REWIND_TEST_PG_PORTS}`);
}

/** Runs a PostgreSQL tool, as `nobody` when we are root. */
function runTool(bin, tool, args, asUser) {
  const command = asUser ? 'runuser' : join(bin, tool);
  const fullArgs = asUser ? ['-u', asUser, '--', join(bin, tool), ...args] : args;
  const result = spawnSync(command, fullArgs, { encoding: 'utf8', cwd: tmpdir() });
  if (result.error) throw new Error(`${tool} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

/**
 * Starts a PostgreSQL server in a new temporary directory. Returns its URL (user `rewind`, database
 * `postgres`, trust authentication) and `stop()`, which also removes the directory. A process that
 * exits without calling `stop` stops the server on its way out.
 */
export async function startThrowawayPostgres(bin = findPostgresBin()) {
  if (!bin) throw new Error('no PostgreSQL server binaries found');
  const root = mkdtempSync(join(tmpdir(), 'rewind-pg-'));
  const asUser = process.getuid?.() === 0 ? 'nobody' : null;
  if (asUser) {
    const uid = Number(execFileSync('id', ['-u', asUser], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', asUser], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const data = join(root, 'data');
  let started = false;
  const stopNow = () => {
    if (started) {
      started = false;
      spawnSync(asUser ? 'runuser' : join(bin, 'pg_ctl'), [...(asUser ? ['-u', asUser, '--', join(bin, 'pg_ctl')] : []), '-D', data, '-m', 'immediate', '-w', 'stop'], {
        stdio: 'ignore',
        cwd: tmpdir(),
      });
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    runTool(bin, 'initdb', ['-D', data, '-U', 'rewind', '--auth=trust', '-E', 'UTF8', '--no-locale'], asUser);
    const port = await choosePort();
    const settings = [`-p ${port}`, `-k ${root}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'];
    runTool(bin, 'pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start'], asUser);
    started = true;
    process.once('exit', stopNow);
    return {
      url: `postgres://rewind@127.0.0.1:${port}/postgres`,
      port,
      dataDir: data,
      /** Stops the server and removes its directory. */
      stop: async () => {
        process.removeListener('exit', stopNow);
        stopNow();
      },
      /** `pg_ctl stop -m fast` / `start` on the same data: for tests of a database that goes away. */
      pause: () => runTool(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'], asUser),
      resume: () => runTool(bin, 'pg_ctl', ['-D', data, '-l', join(root, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start'], asUser),
    };
  } catch (error) {
    stopNow();
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await startThrowawayPostgres();
  console.log(`REWIND_TEST_DATABASE_URL=${server.url}`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => {}, 1 << 30);
}
