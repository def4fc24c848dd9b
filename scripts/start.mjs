#!/usr/bin/env node
// `npm start`: builds the demo SPA (the API runs in the browser over the in-memory demo data through
// MSW) and serves it. The real-backend issue replaces this with the `rewind serve` Node server.
import { spawnSync, spawn } from 'node:child_process';

const port = process.env.PORT || '4173';
const host = process.env.HOST || '127.0.0.1';
const build = spawnSync('npx', ['vite', 'build', '--mode', 'mock', '--outDir', 'dist-mock', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
console.log(`\nRewind (demo backend in the browser) on http://${host}:${port}/\n`);
const server = spawn('npx', ['vite', 'preview', '--outDir', 'dist-mock', '--host', host, '--port', port, '--strictPort'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
