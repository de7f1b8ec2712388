// The fuzz run itself: phases in order, a health check after each, the report; parts in fuzz-*.ts.
import { createRandom } from '../core/random.ts'
import { PROVIDER_NAMES, rssMb, startHubProcess } from './fuzz-hub.ts'
import { PAYLOAD_PHASES } from './fuzz-payload-phases.ts'
import { PROTOCOL_PHASES } from './fuzz-protocol-phases.ts'
import { pick, VALID, valid } from './fuzz-seeds.ts'
import { type Exchange, exchange, rawRequest, type Target } from './fuzz-wire.ts'

/**
 * A hostile-client fuzzer for the hub (issue 10): it starts the hub as a
 * child process on loopback, sends seeded malformed, oversized, nested,
 * pipelined, slow and random requests to every port, phase by phase, and
 * after each phase checks that the hub is alive, healthy and still answers a
 * valid request. Bounded: a request count, a per-request timeout, and every
 * socket closed. `npm run fuzz` runs 100,000 requests; the vitest suite a few
 * thousand.
 */
export interface FuzzOptions {
  /** Requests in all, spread over the phases. */
  requests: number
  seed?: number
  /** Sockets in flight at once. */
  concurrency?: number
  /** Real ms a request may go unanswered before it counts as a hang. */
  hangMs?: number
  /** The hub's own request timeout (what closes slow clients). */
  requestTimeoutMs?: number
  log?: (line: string) => void
}

export interface PhaseReport {
  phase: string
  requests: number
  statuses: Record<string, number>
  unexpected5xx: string[]
  hangs: string[]
  healthy: boolean
}

export interface FuzzReport {
  requests: number
  crashes: number
  unexpected5xx: number
  hangs: number
  rssBeforeMb: number
  rssAfterMb: number
  rssPeakMb: number
  durationMs: number
  phases: PhaseReport[]
  /** The first few problems, for a failing run's message. */
  problems: string[]
}

const PHASES = [...PAYLOAD_PHASES, ...PROTOCOL_PHASES]

/** A burst of sockets opened at once, each sending a valid request. */
async function burst(targets: Target[], sockets: number, hangMs: number): Promise<Exchange[]> {
  return Promise.all(
    Array.from({ length: sockets }, (_, i) => {
      const t = targets[i % targets.length]!
      const v = valid(t.name)
      return exchange(t.port, [rawRequest(v.method, v.path, v.headers, v.body)], hangMs)
    }),
  )
}

/** Slow clients: complete headers and part of a body, then silence; the hub must close them itself. */
async function slowClients(targets: Target[], sockets: number, hangMs: number): Promise<Exchange[]> {
  return Promise.all(
    Array.from({ length: sockets }, (_, i) => {
      const t = targets[i % targets.length]!
      const v = valid(t.name)
      const full = rawRequest(v.method, v.path, v.headers, `${v.body}${'x'.repeat(100)}`)
      return exchange(t.port, [full.subarray(0, full.length - 50)], hangMs)
    }),
  )
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? 1
  const concurrency = options.concurrency ?? 32
  const hangMs = options.hangMs ?? 15_000
  const requestTimeoutMs = options.requestTimeoutMs ?? 1_000
  const log = options.log ?? (() => {})
  const random = createRandom(seed)
  const started = performance.now()
  const hub = await startHubProcess(requestTimeoutMs, seed)
  const pid = hub.child.pid!
  const providers: Target[] = PROVIDER_NAMES.map((name) => ({ name, port: hub.ports[name]! }))
  const control: Target = { name: 'control', port: hub.control }
  const problems: string[] = []
  const phases: PhaseReport[] = []
  let total = 0
  let peak = 0
  const sample = () => {
    peak = Math.max(peak, rssMb(pid))
  }

  const healthy = async (): Promise<boolean> => {
    if (hub.exited()) return false
    const health = await exchange(control.port, [rawRequest('GET', '/_standin/health', {}, '')], hangMs)
    const v = VALID.stripe!
    const stripe = hub.ports.stripe!
    const created = await exchange(stripe, [rawRequest(v.method, v.path, v.headers, v.body)], hangMs)
    // Back to a plain state for the next phase: no rules, real time.
    await exchange(control.port, [rawRequest('DELETE', '/_standin/faults', {}, '')], hangMs)
    await exchange(control.port, [rawRequest('DELETE', '/_standin/webhooks/rules', {}, '')], hangMs)
    await exchange(
      control.port,
      [
        rawRequest(
          'POST',
          '/_standin/clock/set',
          { 'content-type': 'application/json' },
          JSON.stringify({ time: Date.now() }),
        ),
      ],
      hangMs,
    )
    await exchange(
      control.port,
      [rawRequest('POST', '/_standin/clock/scale', { 'content-type': 'application/json' }, '{"scale":1}')],
      hangMs,
    )
    return health.statuses[0] === 200 && created.statuses[0] === 200 && !hub.exited()
  }

  const record = (
    report: PhaseReport,
    c: { target: string; requests?: number },
    result: Exchange,
    what: string,
  ) => {
    report.requests += c.requests ?? 1
    total += c.requests ?? 1
    if (result.hung) {
      report.hangs.push(`${c.target}: ${what}`)
      if (problems.length < 20) problems.push(`hang on ${c.target}: ${what}`)
    }
    if (result.statuses.length === 0) report.statuses.closed = (report.statuses.closed ?? 0) + 1
    for (const status of result.statuses) {
      report.statuses[status] = (report.statuses[status] ?? 0) + 1
      if (status >= 500) {
        report.unexpected5xx.push(`${c.target} ${status}: ${what}`)
        if (problems.length < 20) problems.push(`${status} from ${c.target}: ${what}`)
      }
    }
  }

  const rssBefore = rssMb(pid)
  try {
    const weights = PHASES.reduce((a, p) => a + p.weight, 0)
    const reserved = Math.min(400, Math.floor(options.requests * 0.05))
    const budget = options.requests - reserved
    for (const phase of PHASES) {
      const count = Math.max(1, Math.floor((budget * phase.weight) / weights))
      const report: PhaseReport = {
        phase: phase.name,
        requests: 0,
        statuses: {},
        unexpected5xx: [],
        hangs: [],
        healthy: false,
      }
      const phaseStart = performance.now()
      let next = 0
      const worker = async () => {
        while (next < count && !hub.exited()) {
          next++
          const target = phase.name.startsWith('extreme')
            ? control
            : pick(random, random() < 0.1 ? [control] : providers)
          const c = phase.generate(random, target)
          const head = c.chunks[0]!.subarray(0, 80).toString('latin1').split('\r\n')[0]!
          const result = await exchange(c.port, c.chunks, hangMs, c)
          if (process.env.FUZZ_DEBUG && result.statuses.length === 0 && !c.mayClose)
            log(`closed: ${c.target} ${head}`)
          record(report, c, result, head)
          if (next % 500 === 0) sample()
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
      sample()
      report.healthy = await healthy()
      if (!report.healthy && problems.length < 20) problems.push(`unhealthy after ${phase.name}`)
      phases.push(report)
      log(
        `${phase.name}: ${report.requests} requests in ${Math.round(performance.now() - phaseStart)} ms, ${JSON.stringify(report.statuses)}, healthy ${report.healthy}`,
      )
      if (hub.exited()) break
    }

    // A burst of concurrent sockets, then slow clients the hub must close by itself.
    if (!hub.exited()) {
      const burstSize = Math.max(50, Math.min(1_000, Math.floor(reserved * 0.8)))
      const report: PhaseReport = {
        phase: 'burst of concurrent sockets',
        requests: 0,
        statuses: {},
        unexpected5xx: [],
        hangs: [],
        healthy: false,
      }
      for (const result of await burst([...providers, control], burstSize, hangMs))
        record(report, { target: 'burst' }, result, 'valid request in a burst')
      sample()
      report.healthy = await healthy()
      phases.push(report)
      log(
        `${report.phase}: ${report.requests} sockets, ${JSON.stringify(report.statuses)}, healthy ${report.healthy}`,
      )
    }
    if (!hub.exited()) {
      const slow = Math.max(10, reserved - Math.max(50, Math.min(1_000, Math.floor(reserved * 0.8))))
      const report: PhaseReport = {
        phase: 'slow clients',
        requests: 0,
        statuses: {},
        unexpected5xx: [],
        hangs: [],
        healthy: false,
      }
      // The hub closes them after its request timeout; a generous multiple of it is the hang bound here.
      for (const result of await slowClients(
        [...providers, control],
        slow,
        Math.max(hangMs, requestTimeoutMs * 20),
      ))
        record(report, { target: 'slow client' }, result, 'stalled body')
      sample()
      report.healthy = await healthy()
      phases.push(report)
      log(
        `${report.phase}: ${report.requests} sockets, ${JSON.stringify(report.statuses)}, healthy ${report.healthy}`,
      )
    }
  } finally {
    sample()
    const rssAfter = rssMb(pid)
    const crashed = hub.exited()
    if (!crashed) {
      const gone = new Promise((resolve) => hub.child.once('exit', resolve))
      hub.child.kill('SIGTERM')
      await gone
    }
    const report: FuzzReport = {
      requests: total,
      crashes: crashed ? 1 : 0,
      unexpected5xx: phases.reduce((a, p) => a + p.unexpected5xx.length, 0),
      hangs: phases.reduce((a, p) => a + p.hangs.length, 0),
      rssBeforeMb: rssBefore,
      rssAfterMb: rssAfter,
      rssPeakMb: peak,
      durationMs: Math.round(performance.now() - started),
      phases,
      problems: crashed ? ['the hub process exited', ...problems] : problems,
    }
    // biome-ignore lint/correctness/noUnsafeFinally: the report is the result, whatever happened above
    return report
  }
}
