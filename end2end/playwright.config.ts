import { defineConfig } from '@playwright/test';

// The server is started by scripts/e2e.sh (a fresh database with the demo data set);
// it passes the address and the sample serials in the environment.
const baseURL = process.env.SERIALTRACE_BASE_URL ?? 'http://127.0.0.1:3000';

const chromium = {
  // Debian's Chromium: browser tests never download a browser.
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  fullyParallel: true,
  // One retry: a test that passes only on its retry is listed as flaky in the summary.
  retries: 1,
  workers: 2,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: chromium,
    trace: 'off',
  },
  projects: [
    { name: 'javascript', use: { javaScriptEnabled: true }, testIgnore: /no-js\.spec\.ts/ },
    { name: 'no-javascript', use: { javaScriptEnabled: false }, testMatch: /no-js\.spec\.ts/ },
  ],
});
