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
// The runner (run/journeys.ts) runs the two projects one after the other (STANDIN_PHASE), each into a
// blob, then merges them into the reports below, so a failure in one never leaves the other unrun.
const phase = process.env.STANDIN_PHASE
// STANDIN_QUIET (the mutation run): a dot per journey instead of a line.
const live = [process.env.STANDIN_QUIET ? (['dot'] as const) : (['list'] as const)]

/** The reports of a run (also applied by `playwright merge-reports` to the phases' blobs). */
export const reports = (dir: string) =>
  [
    ['./support/verdict-reporter.ts', { outputFile: `${dir}/verdict.json` }],
    ['json', { outputFile: `${dir}/results.json` }],
    ['junit', { outputFile: `${dir}/junit.xml` }],
    ['html', { outputFolder: `${dir}/html`, open: 'never' }],
  ] as const
// Allure reads live events (it writes nothing from a merge), so each phase writes its results itself.
const allure = ['allure-playwright', { resultsDir: `${out}/allure-results` }] as const

export default defineConfig({
  testDir: '.',
  testMatch: ['journeys/**/*.spec.ts', 'replays/**/*.spec.ts'],
  globalSetup: './support/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: process.env.STANDIN_WORKERS ? Number(process.env.STANDIN_WORKERS) : 2,
  retries: 0,
  reporter: phase
    ? [...live, ['blob', { outputFile: `${out}/blob/${phase}.zip` }], allure]
    : [...live, ...reports(out), allure],
  outputDir: `${out}/artifacts${phase ? `/${phase}` : ''}`,
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
