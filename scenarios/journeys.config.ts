import { resolve } from 'node:path'
import { defineConfig } from '@playwright/test'
import browserConfig from '../playwright.config.ts'

/**
 * The journeys: every flow checked against the app a target profile describes
 * (by default the embedded reference target, started by the global setup).
 * Two projects: `journeys` runs in parallel, isolated by each test's own data;
 * `journeys-serial` holds what acts on the whole app (moving the clock,
 * account-wide webhook and fault rules) and runs after it, one test at a time.
 * Run through `standin journeys` (or `npm run journeys`), which sets the
 * environment read in support/run-env.ts and prints the verdict per flow.
 */
// Relative to the project root (Playwright resolves config paths against this folder).
const out = resolve(import.meta.dirname, '..', process.env.STANDIN_REPORTS ?? 'reports/journeys')

export default defineConfig({
  testDir: '.',
  testMatch: ['journeys/**/*.spec.ts', 'replays/**/*.spec.ts'],
  globalSetup: './support/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: process.env.STANDIN_WORKERS ? Number(process.env.STANDIN_WORKERS) : 2,
  retries: 0,
  reporter: [
    // STANDIN_QUIET (the mutation run): the verdict alone, no line per journey.
    ...(process.env.STANDIN_QUIET ? [] : [['list'] as const]),
    ['./support/verdict-reporter.ts', { outputFile: `${out}/verdict.json` }],
    ['json', { outputFile: `${out}/results.json` }],
    ['junit', { outputFile: `${out}/junit.xml` }],
    ['html', { outputFolder: `${out}/html`, open: 'never' }],
    ['allure-playwright', { resultsDir: `${out}/allure-results` }],
  ],
  outputDir: `${out}/artifacts`,
  use: { ...browserConfig.use, trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    { name: 'journeys', grepInvert: /@serial/ },
    {
      name: 'journeys-serial',
      grep: /@serial/,
      dependencies: ['journeys'],
      workers: 1,
      fullyParallel: false,
    },
  ],
})
