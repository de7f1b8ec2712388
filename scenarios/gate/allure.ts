/**
 * The Allure HTML report, generated offline from the allure results the
 * journeys write (allure-playwright, scenarios/journeys.config.ts) with
 * Allure 3 — a Node package, so no JVM and nothing downloaded at run time.
 * Several results folders (one per CI shard) make one report.
 * @example await generateAllureReport({ results: ['reports/journeys/allure-results'], out: 'reports/allure-report' })
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

export interface AllureOptions {
  /** Results folders; default reports/journeys/allure-results. */
  results?: string[]
  /** Where the HTML goes; default reports/allure-report. */
  out?: string
  name?: string
  cwd?: string
}

export class AllureError extends Error {
  override name = 'AllureError'
}

/** The `allure` CLI of the installed package (Allure 3). */
function allureCli(): string {
  try {
    // The package exports no ./package.json; its main file is dist/index.js, the bin cli.js sits above it.
    return join(dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js')
  } catch {
    throw new AllureError(
      'Failed to generate the Allure report: the `allure` package is not installed. Run `npm install` (it is a dev dependency).',
    )
  }
}

export async function generateAllureReport(
  options: AllureOptions = {},
): Promise<{ out: string; results: string[] }> {
  const cwd = options.cwd ?? process.cwd()
  const results = (options.results?.length ? options.results : ['reports/journeys/allure-results']).map((r) =>
    resolve(cwd, r),
  )
  const present = results.filter(
    (dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('-result.json')),
  )
  if (present.length === 0)
    throw new AllureError(
      `Failed to generate the Allure report: no results in ${results.join(', ')}. Run the journeys first (they write allure-results/).`,
    )
  const out = resolve(cwd, options.out ?? 'reports/allure-report')
  const args = [
    allureCli(),
    'generate',
    ...present,
    '--output',
    out,
    '--name',
    options.name ?? 'standin journeys',
  ]
  let output = ''
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString()
    })
    child.on('exit', (c) => done(c ?? 1))
    child.on('error', () => done(1))
  })
  if (code !== 0 || !existsSync(join(out, 'index.html')))
    throw new AllureError(
      `Failed to generate the Allure report (allure exited ${code}): ${output.slice(-2000)}`,
    )
  return { out, results: present }
}
