/**
 * The main job: the journeys against the embedded default. Every simulator
 * and the control plane on their ports, the reference target beside them
 * (embedded database, no Docker), wired together and health-checked; then the
 * whole journey suite, a verdict per flow, where the reports are, and the
 * exit code of the verdict.
 *
 *   --serve          keep everything up afterwards (Ctrl-C stops it)
 *   --profile FILE   check another app instead: only the hub is started (on the
 *                    default ports, where that app's provider URLs point)
 *   --ephemeral      every port chosen by the OS (npm test runs it this way)
 *   --grep, --workers  passed to the journeys
 */
import { parseArgs } from 'node:util'
import { generateAllureReport } from '../scenarios/gate/allure.ts'
import { runGate } from '../scenarios/gate/gate.ts'
import { runJourneys, tally } from '../scenarios/run/journeys.ts'
import { loadProfile, ProfileError } from '../scenarios/target/load-profile.ts'
import { StandinClient } from '../simulators/core/control/client.ts'
import { startHub } from '../simulators/hub/hub.ts'
import { allProviders } from '../simulators/hub/providers.ts'
import { startEmbedded } from './embedded.ts'

const { values: flags } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false }, // the old name of the default; kept so old scripts still run
    ephemeral: { type: 'boolean', default: false },
    profile: { type: 'string' },
    grep: { type: 'string' },
    workers: { type: 'string' },
  },
})

let hubUrl: string
let targetUrl: string
let providerUrls: Record<string, string>
let database = 'none (an app of your own)'
let close: () => Promise<void>
try {
  if (flags.profile) {
    const profile = loadProfile(flags.profile)
    const hub = await startHub({
      log: 'silent',
      ...(flags.ephemeral
        ? { port: 0, ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])) }
        : {}),
    })
    ;({ url: hubUrl, providerUrls } = hub)
    targetUrl = profile.baseUrl
    close = hub.close
  } else {
    const embedded = await startEmbedded({ ephemeral: flags.ephemeral })
    ;({ hubUrl, targetUrl, providerUrls } = embedded)
    database = embedded.databaseKind
    close = embedded.close
  }
} catch (error) {
  process.stderr.write(`standin main job: ${(error as Error).message}\n`)
  if (error instanceof ProfileError) process.exit(2)
  throw error
}

const checks: [string, string, boolean, string][] = []
async function check(name: string, url: string, ok: (status: number) => boolean) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
    checks.push([name, url, ok(response.status), `HTTP ${response.status}`])
  } catch (error) {
    checks.push([name, url, false, (error as Error).message])
  }
}
const health = await new StandinClient({ url: hubUrl }).health()
checks.push(['control plane', `${hubUrl}/_standin`, health.status === 'ok', `seed ${health.seed}`])
// A provider answers an unknown path in its own words (4xx), which proves it is up and routing.
for (const [name, url] of Object.entries(providerUrls)) await check(name, url, (s) => s >= 200 && s < 500)
await check('target app', targetUrl, (s) => s < 500)

const width = Math.max(...checks.map(([n]) => n.length))
process.stdout.write(
  [
    '',
    `standin main job (${flags.profile ? `app of ${flags.profile}` : 'embedded default: simulators + reference target, no Docker'})`,
    ...checks.map(
      ([name, url, ok, note]) => `  ${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(width)}  ${url}  (${note})`,
    ),
    `  dashboard: ${hubUrl}/   reference target database: ${database}`,
    '',
    'journeys:',
    '',
  ].join('\n'),
)
const unhealthy = checks.filter(([, , ok]) => !ok).length

const run = unhealthy
  ? undefined
  : await runJourneys({
      profile: flags.profile,
      hubUrl,
      targetUrl,
      grep: flags.grep,
      workers: flags.workers ? Number(flags.workers) : undefined,
    })
const journeys = run ? tally(run) : { passed: 0, failed: 0, skipped: 0 }
// The release gate's verdict per flow and the Allure report: what CI posts and what QA opens.
// They read what the run wrote; neither changes the count below (the journeys already did).
let reportLines: string[] = []
if (run) {
  try {
    const gate = runGate({ verdict: [`${run.reports}/verdict.json`], summary: `${run.reports}/summary.md` })
    reportLines = ['', gate.text.trimEnd(), `gate summary: ${gate.summaryFile}`]
  } catch (error) {
    reportLines = ['', `gate: ${(error as Error).message}`]
  }
  try {
    const allure = await generateAllureReport({
      results: [`${run.reports}/allure-results`],
      out: `${run.reports}/allure-report`,
    })
    reportLines.push(`allure report: ${allure.out}/index.html`)
  } catch (error) {
    reportLines.push(`allure report not written: ${(error as Error).message}`)
  }
}
const passed = checks.length - unhealthy + journeys.passed
const failed = unhealthy + journeys.failed
process.stdout.write(
  [
    '',
    run
      ? `reports: ${run.reports}/html/index.html, junit.xml, results.json, allure-results/, verdict.json`
      : 'journeys not run: a health check failed',
    ...reportLines,
    `verdict: ${failed ? 'FAIL' : 'PASS'}`,
    `${passed} passed, ${failed} failed${journeys.skipped ? `, ${journeys.skipped} skipped` : ''}`,
    '',
  ].join('\n'),
)

if (flags.serve) {
  process.stdout.write(`serving: hub ${hubUrl}, target ${targetUrl}; Ctrl-C stops\n`)
  const stop = async () => {
    await close()
    process.exit(failed ? 1 : 0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
} else {
  await close()
  process.exit(failed ? 1 : 0)
}
