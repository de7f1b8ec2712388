/**
 * Runs the journeys (Playwright, scenarios/journeys.config.ts) as a child
 * process with the run's environment, and answers the verdict the verdict
 * reporter wrote. Used by `standin journeys`, the main job and the mutation run.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { StandinClient } from '../../simulators/core/control/client.ts'
import type { Verdict } from '../support/verdict-reporter.ts'
import type { Profile } from '../target/profile.ts'
import { TargetError } from '../target/target.ts'

const root = resolve(import.meta.dirname, '../..')

/** Before a run: the hub and the app answer, or a plain-words error naming the URL (code STANDIN_UNREACHABLE). */
export async function preflight(profile: Profile, hubUrl = 'http://127.0.0.1:4700'): Promise<void> {
  await new StandinClient({ url: hubUrl }).health()
  const url = `${profile.baseUrl.replace(/\/$/, '')}${profile.health ?? '/'}`
  const answer = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((error: Error) => error)
  if (answer instanceof Error)
    throw new TargetError(
      `Failed to reach the app at ${url}: ${answer.cause instanceof Error ? answer.cause.message : answer.message}. Is it running, and is the profile's baseUrl (or --target) right?`,
    )
  if (profile.health && !answer.ok)
    throw new TargetError(`The app's health check ${url} answered HTTP ${answer.status}.`)
}

export interface JourneyRunOptions {
  profile?: string
  hubUrl?: string
  targetUrl?: string
  grep?: string
  workers?: number
  shard?: string
  /** Stop at the first failed journey (the mutation run only needs one). */
  maxFailures?: number
  /** Where the reports go, relative to the project root (default reports/journeys). */
  reports?: string
  seed?: string
  /** Only the verdict table and failures on stdout (the list reporter is dropped). */
  quiet?: boolean
  env?: NodeJS.ProcessEnv
}

export interface JourneyRun {
  exitCode: number
  verdict?: Verdict
  reports: string
}

/**
 * A run as one count line's numbers: journeys that failed or never ran are failures, a run
 * that exited non-zero with neither (a broken setup, no verdict) is one more, and the not
 * applicable ones are the skipped.
 */
export function tally(run: JourneyRun): { passed: number; failed: number; skipped: number } {
  const c = run.verdict?.counts
  if (!c) return { passed: 0, failed: 1, skipped: 0 }
  const failed = c.failed + c['not-run']
  return {
    passed: c.passed,
    failed: failed + (run.exitCode !== 0 && failed === 0 ? 1 : 0),
    skipped: c['not-applicable'],
  }
}

const spawnExit = (args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<number>((done) => {
    const child = spawn('npx', args, { cwd: root, env, stdio: 'inherit' })
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)))
    child.on('error', () => done(1))
  })

/**
 * Two phases, one after the other: the parallel project, then the serial one
 * (what moves the clock or acts on the whole app), each into a blob; then one
 * merged set of reports. A failure in the first never leaves the second unrun,
 * except with `maxFailures` (the mutation run), where one failure is the answer.
 * With neither a hub nor a profile named, the embedded default is started once
 * for both phases.
 */
export async function runJourneys(options: JourneyRunOptions = {}): Promise<JourneyRun> {
  const reports = options.reports ?? 'reports/journeys'
  const out = resolve(root, reports)
  rmSync(resolve(out, 'verdict.json'), { force: true })
  for (const stale of ['blob', 'allure-results'])
    rmSync(resolve(out, stale), { recursive: true, force: true })
  let embedded: Awaited<ReturnType<typeof import('../../scripts/embedded.ts').startEmbedded>> | undefined
  if (!options.hubUrl && !options.profile) {
    const { startEmbedded } = await import('../../scripts/embedded.ts')
    embedded = await startEmbedded({ ephemeral: true })
  }
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      STANDIN_REPORTS: reports,
      STANDIN_SEED: options.seed ?? process.env.STANDIN_SEED ?? String(Date.now()),
      ...(options.profile ? { STANDIN_PROFILE: resolve(options.profile) } : {}),
      ...(options.hubUrl || embedded ? { STANDIN_HUB_URL: options.hubUrl ?? embedded!.hubUrl } : {}),
      ...(options.targetUrl || embedded
        ? { STANDIN_TARGET_URL: options.targetUrl ?? embedded!.targetUrl }
        : {}),
      ...(options.workers ? { STANDIN_WORKERS: String(options.workers) } : {}),
      ...(options.quiet ? { STANDIN_QUIET: '1' } : {}),
    }
    const config = resolve(root, 'scenarios/journeys.config.ts')
    let exitCode = 0
    for (const project of ['journeys', 'journeys-serial']) {
      const args = [
        'playwright',
        'test',
        '-c',
        config,
        '--project',
        project,
        '--no-deps',
        '--pass-with-no-tests',
      ]
      if (options.grep) args.push('--grep', options.grep)
      if (options.workers) args.push('--workers', String(options.workers))
      if (options.shard) args.push('--shard', options.shard)
      if (options.maxFailures) args.push('--max-failures', String(options.maxFailures))
      const code = await spawnExit(args, { ...env, STANDIN_PHASE: project })
      exitCode ||= code
      if (code !== 0 && options.maxFailures) break
    }
    const merged = await spawnExit(
      [
        'playwright',
        'merge-reports',
        '-c',
        resolve(root, 'scenarios/journeys.merge.config.ts'),
        resolve(out, 'blob'),
      ],
      env,
    )
    exitCode ||= merged
    const verdictFile = resolve(out, 'verdict.json')
    const verdict = existsSync(verdictFile)
      ? (JSON.parse(readFileSync(verdictFile, 'utf8')) as Verdict)
      : undefined
    return { exitCode, verdict, reports }
  } finally {
    await embedded?.close()
  }
}
