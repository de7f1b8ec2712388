/**
 * The mutation run: proof that the journeys can fail. The app is started once
 * with no defect (every journey must pass), then once per named defect with
 * `<defectsEnv>=<defect>`; each defect's journeys stop at the first failure.
 * A defect no journey catches "survived": that is a journey to write. Writes
 * reports/mutation.md and reports/mutation.json; generic over any app that
 * can switch a defect on from an environment variable.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { StandinClient } from '../../simulators/core/control/client.ts'
import { freePorts } from '../../simulators/hub/hub-process.ts'
import { loadProfile } from '../target/load-profile.ts'
import { runJourneys } from './journeys.ts'

export interface MutationOptions {
  profile: string
  /** Shell command that starts the app; it gets PORT, STANDIN_HUB_URL and STANDIN_<PROVIDER>_URL. */
  start: string
  defectsEnv: string
  defects: string[]
  /** A running hub; by default one is started in this process on free ports. */
  hubUrl?: string
  /** Where the started app listens; by default http://127.0.0.1:$PORT with a free PORT. */
  targetUrl?: string
  workers?: number
  grep?: string
  /** Defects tried side by side, each with its own hub and app (default 2; 1 with a shared hub or app URL). */
  lanes?: number
  /** How long the app may take to answer its health check. */
  startTimeoutMs?: number
}

export interface DefectResult {
  defect: string
  caught: boolean
  caughtBy: string[]
  passed: number
  ms: number
  error?: string
}

export interface MutationReport {
  profile: string
  clean: {
    passed: number
    failed: number
    notApplicable: number
    ok: boolean
    ms: number
    failures: string[]
  }
  defects: DefectResult[]
  survived: string[]
  ok: boolean
  ms: number
}

/** Starts the app under test with one defect (or none) and waits for it to answer. */
async function startApp(
  options: MutationOptions,
  env: NodeJS.ProcessEnv,
  healthUrl: string,
): Promise<{ child: ChildProcess; log: () => string; stop: () => Promise<void> }> {
  let output = ''
  const child = spawn(options.start, { shell: true, detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  // The whole process group, not just the shell: the shell exits at once on SIGTERM while the app it
  // started may still be closing and still hold the port, which the next run's app would then find
  // taken (and the next health check would reach the old app).
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0)
      return true
    } catch {
      return false
    }
  }
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      return
    }
    const killAt = Date.now() + 5000
    // Bounded: a process left as a zombie (no reaper) still counts as alive and cannot be killed.
    const giveUpAt = Date.now() + 10_000
    while (groupAlive() && Date.now() < giveUpAt) {
      if (Date.now() > killAt) {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`The app exited (code ${child.exitCode}) before answering ${healthUrl}:\n${output}`)
    const ok = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status < 500)
      .catch(() => false)
    if (ok) return { child, log: () => output, stop }
    await new Promise((r) => setTimeout(r, 200))
  }
  await stop()
  throw new Error(
    `The app did not answer ${healthUrl} within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`,
  )
}

/** One place a run happens: a hub and a port for the app. Lanes run defects side by side, each its own world. */
interface Lane {
  hubUrl: string
  targetUrl: string
  env: NodeJS.ProcessEnv
  close(): Promise<void>
}

async function openLane(options: MutationOptions, port: number): Promise<Lane> {
  let hubUrl = options.hubUrl
  let providerUrls: Record<string, string>
  let close = async () => {}
  if (!hubUrl) {
    const { startHub } = await import('../../simulators/hub/hub.ts')
    const { allProviders } = await import('../../simulators/hub/providers.ts')
    const hub = await startHub({
      log: 'silent',
      port: 0,
      ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])),
    })
    hubUrl = hub.url
    providerUrls = hub.providerUrls
    close = hub.close
  } else {
    const health = await new StandinClient({ url: hubUrl }).health()
    providerUrls = Object.fromEntries(health.providers.map((p) => [p.name, p.url]))
  }
  return {
    hubUrl,
    targetUrl: (options.targetUrl ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''),
    env: {
      ...process.env,
      PORT: String(port),
      STANDIN_HUB_URL: hubUrl,
      ...Object.fromEntries(
        Object.entries(providerUrls).map(([name, url]) => [`STANDIN_${name.toUpperCase()}_URL`, url]),
      ),
    },
    close,
  }
}

export async function runMutation(options: MutationOptions): Promise<MutationReport> {
  const started = Date.now()
  const profile = loadProfile(options.profile)
  // A hub or an app address given from outside is shared, so defects then run one at a time.
  const shared = Boolean(options.hubUrl || options.targetUrl)
  const laneCount = shared ? 1 : Math.max(1, Math.min(options.lanes ?? 2, options.defects.length || 1))
  const ports = await freePorts(laneCount)
  const lanes = await Promise.all(ports.map((port) => openLane(options, port)))

  const runOnce = async (lane: Lane, defect: string | undefined) => {
    await new StandinClient({ url: lane.hubUrl }).reset()
    const app = await startApp(
      options,
      { ...lane.env, [options.defectsEnv]: defect ?? '' },
      `${lane.targetUrl}${profile.health ?? '/'}`,
    )
    try {
      return await runJourneys({
        profile: options.profile,
        hubUrl: lane.hubUrl,
        targetUrl: lane.targetUrl,
        grep: options.grep,
        workers: options.workers,
        maxFailures: defect ? 1 : undefined,
        reports: defect ? `reports/mutation/${defect}` : 'reports/mutation/clean',
        quiet: true,
      })
    } finally {
      await app.stop()
    }
  }

  const tryDefect = async (lane: Lane, defect: string): Promise<DefectResult> => {
    const t0 = Date.now()
    process.stdout.write(`── mutation: ${options.defectsEnv}=${defect}\n`)
    try {
      const run = await runOnce(lane, defect)
      const failed = run.verdict?.journeys.filter((j) => j.outcome === 'failed') ?? []
      return {
        defect,
        caught: failed.length > 0,
        caughtBy: failed.map((j) => j.title),
        passed: run.verdict?.counts.passed ?? 0,
        ms: Date.now() - t0,
      }
    } catch (error) {
      // An app that cannot even start with the defect is not a journey's catch.
      return {
        defect,
        caught: false,
        caughtBy: [],
        passed: 0,
        ms: Date.now() - t0,
        error: (error as Error).message,
      }
    }
  }

  try {
    // The clean run first, on its own: the defect runs mean nothing if it is red.
    const cleanStart = Date.now()
    const clean = await runOnce(lanes[0]!, undefined)
    const cv = clean.verdict
    const report: MutationReport = {
      profile: profile.name,
      clean: {
        passed: cv?.counts.passed ?? 0,
        failed: (cv?.counts.failed ?? 0) + (cv?.counts['not-run'] ?? 0),
        notApplicable: cv?.counts['not-applicable'] ?? 0,
        ok: clean.exitCode === 0 && cv?.verdict === 'pass',
        ms: Date.now() - cleanStart,
        failures: cv?.journeys.filter((j) => j.outcome === 'failed').map((j) => j.title) ?? [
          'no verdict was written',
        ],
      },
      defects: [],
      survived: [],
      ok: false,
      ms: 0,
    }
    const queue = [...options.defects]
    const results = new Map<string, DefectResult>()
    await Promise.all(
      lanes.map(async (lane) => {
        for (let defect = queue.shift(); defect !== undefined; defect = queue.shift())
          results.set(defect, await tryDefect(lane, defect))
      }),
    )
    report.defects = options.defects.map((d) => results.get(d)!)
    report.survived = report.defects.filter((d) => !d.caught).map((d) => d.defect)
    report.ok = report.clean.ok && report.survived.length === 0
    report.ms = Date.now() - started
    writeReports(report)
    return report
  } finally {
    await Promise.all(lanes.map((lane) => lane.close()))
  }
}

function writeReports(report: MutationReport): void {
  const dir = resolve(import.meta.dirname, '../../reports')
  mkdirSync(dir, { recursive: true })
  writeFileSync(resolve(dir, 'mutation.json'), JSON.stringify(report, null, 2))
  const lines = [
    `# Mutation run: ${report.profile}`,
    '',
    `Verdict: **${report.ok ? 'every defect caught, clean run green' : 'FAILED'}** (${(report.ms / 1000).toFixed(0)} s)`,
    '',
    `Clean run (no defect): ${report.clean.passed} passed, ${report.clean.failed} failed${report.clean.notApplicable ? `, ${report.clean.notApplicable} not applicable` : ''} (${(report.clean.ms / 1000).toFixed(0)} s)`,
    ...report.clean.failures.map((f) => `- failed on the correct app: ${f}`),
    '',
    '| defect | caught | by the journey | s |',
    '| --- | --- | --- | ---: |',
    ...report.defects.map(
      (d) =>
        `| \`${d.defect}\` | ${d.caught ? 'yes' : '**NO**'} | ${d.caught ? d.caughtBy.join('; ') : (d.error?.split('\n')[0] ?? 'no journey failed')} | ${(d.ms / 1000).toFixed(0)} |`,
    ),
    '',
  ]
  writeFileSync(resolve(dir, 'mutation.md'), lines.join('\n'))
}

/** The summary printed at the end, and the one count line the project's test runner sums. */
export function summarize(report: MutationReport): string {
  const caught = report.defects.filter((d) => d.caught).length
  const lines = [
    '',
    `mutation run (${report.profile}): clean run ${report.clean.ok ? 'green' : 'RED'}, ${caught}/${report.defects.length} defects caught`,
    ...report.defects.map(
      (d) => `  ${d.caught ? 'caught  ' : 'SURVIVED'} ${d.defect}${d.caught ? ` — ${d.caughtBy[0]}` : ''}`,
    ),
    `  reports: reports/mutation.md, reports/mutation.json`,
    `${caught + (report.clean.ok ? 1 : 0)} passed, ${report.defects.length - caught + (report.clean.ok ? 0 : 1)} failed`,
    '',
  ]
  return lines.join('\n')
}
