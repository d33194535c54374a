import { defineConfig } from '@playwright/test';
import { CHROMIUM, electronBinary } from './e2e/hosts.js';

// One spec set (e2e/flows) runs against two hosts: the web host in Debian's
// Chromium, and the Electron app wherever its binary exists. Where it does not,
// the electron project runs a single test that is skipped with the reason.
const electronPresent = electronBinary() !== null;

export default defineConfig<{ host: 'web' | 'electron' }>({
  testDir: 'e2e',
  timeout: 45_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
  outputDir: 'reports/playwright-artifacts',
  use: { trace: 'off', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'web',
      testMatch: ['flows/**/*.spec.ts'],
      use: {
        browserName: 'chromium',
        host: 'web',
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
    {
      name: 'electron',
      testMatch: electronPresent ? ['flows/**/*.spec.ts', 'electron/**/*.spec.ts'] : ['electron/unavailable.spec.ts'],
      use: { host: 'electron' },
    },
  ],
});
