/**
 * `npm run bench:soak`: the hub under a steady load for a long time, to show
 * that memory stays flat (the store limit and the journal's bounds at work).
 * Every repeatable endpoint of the benchmark at once, `--rate` requests per
 * second in all (default 1,000), for `--minutes` (default 30); the hub's RSS
 * is sampled every `--sample-seconds` (default 30). Writes reports/bench-soak.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { endpoints } from './bench/endpoints.ts'
import { requestOf } from './bench/load.ts'
import { machine } from './bench/machine.ts'
import { cpuMicros, rssBytes, startServer } from './bench/servers.ts'

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '1000' },
    'sample-seconds': { type: 'string', default: '30' },
  },
})
const minutes = Number(flags.minutes)
const rate = Number(flags.rate)
const sampleSeconds = Number(flags['sample-seconds'])
const repeatable = endpoints.filter((e) => !e.prepare)
const mib = (bytes: number) => Math.round(bytes / 2 ** 20)

const hub = await startServer('hub', process.cwd(), ['hub'])
const startedAt = Date.now()
const samples: { atSeconds: number; rssMiB: number }[] = []
const sample = () =>
  samples.push({ atSeconds: Math.round((Date.now() - startedAt) / 1000), rssMiB: mib(rssBytes(hub.pid)) })
try {
  sample()
  const cpuBefore = cpuMicros(hub.pid)
  const timer = setInterval(sample, sampleSeconds * 1000)
  const results = await Promise.all(
    repeatable.map((endpoint) =>
      autocannon({
        url: hub.ready.urls![endpoint.provider]!,
        connections: 16,
        overallRate: Math.max(1, Math.round(rate / repeatable.length)),
        duration: minutes * 60,
        requests: [requestOf(endpoint)],
      }),
    ),
  )
  clearInterval(timer)
  sample()
  const requests = results.reduce((n, r) => n + r.requests.total, 0)
  const report = {
    at: new Date().toISOString(),
    machine: machine(),
    settings: { minutes, rate, storeLimit: process.env.STANDIN_STORE_LIMIT ?? 'default' },
    requests,
    achievedRate: Math.round(requests / (minutes * 60)),
    cpuUsPerReq: Math.round((cpuMicros(hub.pid) - cpuBefore) / Math.max(1, requests)),
    rssMiB: {
      start: samples[0]!.rssMiB,
      afterFirstSample: samples[1]?.rssMiB,
      peak: Math.max(...samples.map((s) => s.rssMiB)),
      end: samples.at(-1)!.rssMiB,
    },
    endpoints: repeatable.map((endpoint, i) => ({
      endpoint: endpoint.name,
      requests: results[i]!.requests.total,
      errors: results[i]!.errors + results[i]!.timeouts + results[i]!.non2xx,
      p50: results[i]!.latency.p50,
      p99: results[i]!.latency.p99,
    })),
    samples,
  }
  mkdirSync('reports', { recursive: true })
  writeFileSync('reports/bench-soak.json', `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(
    `${requests.toLocaleString('en')} requests in ${minutes} min (${report.achievedRate}/s), ` +
      `CPU ${report.cpuUsPerReq} µs/req; hub RSS start ${report.rssMiB.start} MiB, peak ${report.rssMiB.peak} MiB, end ${report.rssMiB.end} MiB\n` +
      `${report.endpoints.map((e) => `  ${e.endpoint}: ${e.requests} requests, ${e.errors} errors, p50 ${e.p50} ms, p99 ${e.p99} ms`).join('\n')}\n` +
      'written to reports/bench-soak.json\n',
  )
  if (report.endpoints.some((e) => e.errors > 0)) process.exitCode = 1
} finally {
  hub.close()
}
