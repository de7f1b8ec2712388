import { existsSync } from 'node:fs'
import { chromium, defineConfig, devices } from '@playwright/test'

/**
 * Browser tests. Playwright's own Chromium is used when it is installed (a
 * developer's laptop); otherwise the system Chromium (Debian's
 * /usr/bin/chromium), since `npx playwright install` cannot download here.
 * STANDIN_CHROMIUM overrides both.
 */
function systemChromium(): string | undefined {
  if (process.env.STANDIN_CHROMIUM) return process.env.STANDIN_CHROMIUM
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

function playwrightChromiumInstalled(): boolean {
  try {
    // chromium.executablePath() names Playwright's own download; it exists only after `npx playwright install`.
    return existsSync(chromium.executablePath())
  } catch {
    return false
  }
}

const executablePath = playwrightChromiumInstalled() ? undefined : systemChromium()

export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  reporter: [
    ['list'],
    ['json', { outputFile: 'reports/playwright/results.json' }],
    ['junit', { outputFile: 'reports/playwright/junit.xml' }],
    ['html', { outputFolder: 'reports/playwright/html', open: 'never' }],
  ],
  outputDir: 'reports/playwright/artifacts',
  use: {
    ...devices['Desktop Chrome'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'simulators', testDir: 'simulators', testMatch: '**/*.pw.ts' }],
})
