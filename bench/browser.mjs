// Shared by the browser benchmarks: a built demo served by `vite preview`, and Debian's Chromium.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { ensureChromium } from '../scripts/ensure-chromium.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Runs `command` detached, waits until `readyUrl` answers, calls `work`, and stops the server. */
export async function withServer(command, args, readyUrl, work) {
  const server = spawn(command, args, { stdio: 'ignore', detached: true });
  try {
    for (let i = 0; i < 150; i++) {
      try {
        if ((await fetch(readyUrl)).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return await work(new URL(readyUrl).origin);
  } finally {
    process.kill(-server.pid, 'SIGTERM');
  }
}

export async function withDemoServer(port, work) {
  if (!existsSync('dist-mock/index.html') || process.env.BENCH_REBUILD) {
    const build = spawnSync('npx', ['vite', 'build', '--mode', 'mock', '--outDir', 'dist-mock', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('demo build failed');
  }
  return withServer('npx', ['vite', 'preview', '--outDir', 'dist-mock', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], `http://127.0.0.1:${port}`, work);
}

/**
 * The real server over the large demo repo (written once, cached in the OS temp dir), serving a
 * production build: the browser does only the UI's work, unlike the MSW demo whose API runs on the
 * page's main thread.
 */
export async function withRealServer(port, work) {
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  // v2: bare (a work tree with the served branch checked out is refused, decision 035).
  const repo = join(tmpdir(), 'rewind-bench-large-demo-v2');
  if (!existsSync(join(repo, 'HEAD'))) {
    const written = spawnSync(process.execPath, ['bin/rewind.mjs', 'demo-repo', repo, '--size', 'large'], { stdio: 'inherit' });
    if (written.status !== 0) throw new Error('writing the large demo repo failed');
  }
  if (!existsSync('dist/index.html') || process.env.BENCH_REBUILD) {
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  const dataDir = join(tmpdir(), `rewind-bench-data-${port}`);
  const args = ['bin/rewind.mjs', 'serve', '--repo', repo, '--data-dir', dataDir, '--port', String(port), '--static', 'dist'];
  return withServer(process.execPath, args, `http://127.0.0.1:${port}/api/me`, work);
}

export async function withBrowser(work) {
  const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
  try {
    return await work(browser);
  } finally {
    await browser.close();
  }
}
