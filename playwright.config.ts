import { defineConfig } from '@playwright/test';

const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Ports (and the build folders named after them) can be moved so that two runs never share a server.
const MOCK_PORT = Number(process.env.E2E_MOCK_PORT ?? 4180);
const REAL_PORT = Number(process.env.E2E_REAL_PORT ?? 4181);

// Debian's Chromium, as root, on a machine with no outside network: these flags keep it quiet and quick.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'e2e',
  outputDir: process.env.E2E_OUTPUT_DIR ?? 'test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  use: {
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'mock',
      testIgnore: ['**/*.real.spec.ts'],
      use: { baseURL: `http://127.0.0.1:${MOCK_PORT}` },
    },
    {
      // The same journeys against the real server: git repo + SQLite, the SPA served by `rewind serve`.
      name: 'real',
      use: { baseURL: `http://127.0.0.1:${REAL_PORT}` },
    },
  ],
  webServer: [
    {
      // The demo build: the API runs in the browser through MSW over the in-memory demo data.
      command: `npx vite build --mode mock --outDir dist-e2e-mock-${MOCK_PORT} --logLevel warn && npx vite preview --outDir dist-e2e-mock-${MOCK_PORT} --host 127.0.0.1 --port ${MOCK_PORT} --strictPort`,
      url: `http://127.0.0.1:${MOCK_PORT}`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // A fresh data dir each run: the demo repo is written anew and the database starts empty.
      command: `rm -rf .e2e-data-${REAL_PORT} && npx vite build --outDir dist-e2e-real-${REAL_PORT} --logLevel warn && node bin/rewind.mjs serve --data-dir .e2e-data-${REAL_PORT} --static dist-e2e-real-${REAL_PORT} --host 127.0.0.1 --port ${REAL_PORT}`,
      url: `http://127.0.0.1:${REAL_PORT}/api/me`,
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
