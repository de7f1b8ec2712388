/**
 * `npm test`: every suite, one verdict. Runs the type check, the linter, the
 * unit/integration tests (vitest), the reference target's tests on PostgreSQL
 * when a server can be started, the main job (the journeys against hub +
 * reference target), the mutation run, and the browser tests (Playwright), then
 * prints one line `N passed, N failed` summing them all and exits non-zero on
 * any failure. A suite that cannot run counts as failed, never as skipped.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'

interface Tally {
  suite: string
  passed: number
  failed: number
  skipped: number
}

const only = process.argv.slice(2)
const tallies: (Tally & { seconds: number })[] = []
// Suites run one after another: each tally's wall time is the time since the previous one.
let mark = Date.now()
function record(tally: Tally) {
  const now = Date.now()
  tallies.push({ ...tally, seconds: Math.round((now - mark) / 1000) })
  mark = now
}
const wanted = (suite: string) => only.length === 0 || only.includes(suite)

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  process.stdout.write(`\n── ${command} ${args.join(' ')}\n`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status ?? 1
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

mkdirSync('reports', { recursive: true })

if (wanted('typecheck')) {
  const ok = run('npx', ['tsc', '--noEmit', '-p', '.']) === 0
  record({ suite: 'typecheck', passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 })
}

if (wanted('lint')) {
  const ok = run('npx', ['biome', 'check', '.']) === 0
  record({ suite: 'lint', passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 })
}

// Circular imports anywhere in simulators, scenarios or the reference target (TypeScript's own resolver).
if (wanted('cycles')) {
  const ok = run('npx', ['tsx', 'scripts/cycles.ts']) === 0
  record({ suite: 'no circular imports', passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 })
}

interface VitestJson {
  numPassedTests: number
  numFailedTests: number
  numPendingTests: number
  numTodoTests: number
  testResults: { status: string; assertionResults: unknown[] }[]
}

function vitest(suite: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const output = `reports/vitest/${suite.replace(/\W+/g, '-')}.json`
  const code = run(
    'npx',
    ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${output}`],
    env,
  )
  const json = readJson<VitestJson>(output)
  if (!json) {
    record({ suite, passed: 0, failed: 1, skipped: 0 })
    return
  }
  // A file that failed to load has no test results but must count as a failure.
  const brokenFiles = json.testResults.filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  ).length
  const failed =
    json.numFailedTests + brokenFiles + (code !== 0 && json.numFailedTests + brokenFiles === 0 ? 1 : 0)
  record({
    suite,
    passed: json.numPassedTests,
    failed,
    skipped: json.numPendingTests + json.numTodoTests,
  })
}

if (wanted('unit')) vitest('unit', [])

// The type tests (*.test-d.ts): the control client's inputs and outputs against its route table.
if (wanted('types')) vitest('type tests', ['--typecheck.only', 'simulators'])

const withPostgres = 'reference-target/scripts/with-postgres.sh'
if (wanted('postgres') && existsSync(withPostgres)) {
  if (existsSync('/usr/lib/postgresql') || process.env.DATABASE_URL) {
    const output = 'reports/vitest/reference-target-postgres.json'
    const code = run('bash', [
      withPostgres,
      'npx',
      'vitest',
      'run',
      'reference-target',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${output}`,
    ])
    const json = readJson<VitestJson>(output)
    record(
      json
        ? {
            suite: 'reference-target (PostgreSQL)',
            passed: json.numPassedTests,
            failed: json.numFailedTests + (code !== 0 && json.numFailedTests === 0 ? 1 : 0),
            skipped: json.numPendingTests,
          }
        : { suite: 'reference-target (PostgreSQL)', passed: 0, failed: 1, skipped: 0 },
    )
  } else {
    process.stdout.write(
      '\nPostgreSQL is not installed: the reference target ran on the embedded database only.\n',
    )
  }
}

/** Runs a command whose last line is its own `N passed, N failed`, and tallies it (no such line: one failure). */
function counted(suite: string, command: string, args: string[]) {
  process.stdout.write(`\n── ${suite} (${command} ${args.join(' ')})\n`)
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
  process.stdout.write(result.stdout ?? '')
  const count = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec(result.stdout ?? '')
  record(
    count
      ? {
          suite,
          passed: Number(count[1]),
          failed: Number(count[2]) + (result.status !== 0 && count[2] === '0' ? 1 : 0),
          skipped: Number(count[3] ?? 0),
        }
      : { suite, passed: 0, failed: 1, skipped: 0 },
  )
}

// The main job as the README's first command runs it (the journeys against the embedded default), on ports of its own.
if (wanted('main')) counted('main job: journeys', 'npx', ['tsx', 'scripts/main.ts', '--ephemeral'])

// The same journeys against an app of another API shape, adapted by its profile alone.
if (wanted('reshaped')) counted('journeys on another API shape', 'npx', ['tsx', 'scripts/reshaped.ts'])

// The mutation run: the clean run green, and every reference-target defect caught by some journey.
if (wanted('mutation')) counted('mutation run', 'npx', ['tsx', 'scripts/mutation.ts'])

// The installable package: `npm pack`, installed into a scratch project, used from there.
if (wanted('package')) counted('package (npm pack, installed)', 'bash', ['scripts/package/pack-test.sh'])

// The containers for real: a Docker engine, the images, docker-compose.test.yml end to end, StandinContainer.
if (wanted('docker')) counted('docker: compose + testcontainers', 'bash', ['scripts/docker/e2e.sh'])

interface PlaywrightJson {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number }
}

if (wanted('browser')) {
  const code = run('npx', ['playwright', 'test'])
  const json = readJson<PlaywrightJson>('reports/playwright/results.json')
  if (!json) record({ suite: 'browser', passed: 0, failed: 1, skipped: 0 })
  else {
    const { expected, unexpected, flaky, skipped } = json.stats
    const failed = unexpected + flaky + (code !== 0 && unexpected + flaky === 0 ? 1 : 0)
    record({ suite: 'browser', passed: expected, failed, skipped })
  }
}

const total = tallies.reduce(
  (t, x) => ({ passed: t.passed + x.passed, failed: t.failed + x.failed, skipped: t.skipped + x.skipped }),
  {
    passed: 0,
    failed: 0,
    skipped: 0,
  },
)
process.stdout.write('\nsuites:\n')
for (const t of tallies)
  process.stdout.write(
    `  ${t.suite.padEnd(30)} ${t.passed} passed, ${t.failed} failed${t.skipped ? `, ${t.skipped} skipped` : ''}  (${t.seconds} s)\n`,
  )
process.stdout.write(
  `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}\n`,
)
process.exit(total.failed > 0 ? 1 : 0)
