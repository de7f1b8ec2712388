/**
 * `npm run bench:pipeline`: what each of `npm run bench`'s endpoints costs in
 * the provider core alone, the request handed to the runtime in this process:
 * no socket, no fastify, no kernel. CPU µs per request (user + system, the
 * collector and the timers the requests set included: the measure waits for
 * them to fire), so a change to a provider or the core can be measured
 * without the load generator's noise. The hub's figure adds the transport and
 * the kernel's work on top (`npm run bench`).
 *
 * It also reports the bytes a request allocates (V8's sampling heap profiler,
 * collected objects counted, over 3,000 more requests): exact where CPU time is
 * noisy, and what matters under load, where a request runs on caches the
 * kernel and the transport just evicted (README: "Where a request's time goes").
 *
 *   --requests N   timed requests per endpoint (default 30000, after 2000 untimed)
 *   --only TEXT    endpoints whose name contains TEXT
 *
 * The endpoints run in one process, in the list's order, so the later ones
 * run on a heap holding what the earlier ones stored: `--only` measures one alone.
 *
 * Toss's confirm needs a payment paid in its window per request: those are
 * made first over a fastify app serving the same runtime (not timed), at
 * most 8,000 timed and profiled (the store keeps 10,000 per account: more would evict the first).
 */
import { Session } from 'node:inspector/promises'
import { parseArgs } from 'node:util'
import { endpoints } from './bench/endpoints.ts'
import { inProcessCore } from './bench/in-process.ts'
import { machine } from './bench/machine.ts'

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '30000' },
    only: { type: 'string' },
  },
})
const requests = Number(flags.requests)
const WARM_UP = 2_000
const PREPARED_MAX = 8_000
/** Requests the allocation profile runs over (after the timed ones), and its sampling interval in bytes. */
const PROFILED = 3_000
const SAMPLING_BYTES = 64
/** A Twilio message's lifecycle ends 2 s after it is created: its timers fire inside the measure. */
const TIMERS_SETTLE_MS = 2_500

const { driver } = await inProcessCore()

const rows: string[] = []
for (const endpoint of endpoints.filter((e) => !flags.only || e.name.includes(flags.only))) {
  const count = endpoint.prepare ? Math.min(requests, PREPARED_MAX - PROFILED) : requests
  const one = await driver(endpoint, WARM_UP + count + PROFILED)
  for (let i = 0; i < WARM_UP; i++) await one()
  const before = process.cpuUsage()
  for (let i = 0; i < count; i++) await one()
  await new Promise((resolve) => setTimeout(resolve, TIMERS_SETTLE_MS))
  const used = process.cpuUsage(before)
  const bytes = await allocated(async () => {
    for (let i = 0; i < PROFILED; i++) await one()
  })
  rows.push(
    `| ${endpoint.name} | ${count} | ${((used.user + used.system) / count).toFixed(1)} | ${Math.round(bytes / PROFILED).toLocaleString('en')} |`,
  )
}
const m = machine()
process.stdout.write(
  `${m.cpus} × ${m.model}, Node ${m.node}, load average ${String(m.loadavg)}\n\n` +
    `| endpoint | requests | pipeline CPU µs/req | bytes allocated/req |\n| --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
)
process.exit(0)

/** Bytes allocated while `run` runs, garbage included (the sampling profiler's estimate). */
async function allocated(run: () => Promise<void>): Promise<number> {
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.enable')
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  await run()
  const { profile } = await session.post('HeapProfiler.stopSampling')
  session.disconnect()
  let total = 0
  const walk = (node: typeof profile.head) => {
    total += node.selfSize
    for (const child of node.children) walk(child)
  }
  walk(profile.head)
  return total
}
