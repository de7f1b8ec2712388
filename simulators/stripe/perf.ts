/**
 * Stripe's two hottest endpoints against bare fastify answering the same body,
 * in the same run, alternating; and the heap each stored customer costs.
 *
 *   npx tsx simulators/stripe/perf.ts speed     [seconds=5] [rounds=3] [connections=32]
 *   node --expose-gc --import tsx simulators/stripe/perf.ts memory [count=100000] [warm=12000]
 *   STRIPE_PERF_PROF=dir npx tsx simulators/stripe/perf.ts speed   (hub child runs with --cpu-prof)
 *   node --cpu-prof --import tsx simulators/stripe/perf.ts cpu <0|1> [count=20000]   (in process, no sockets)
 *
 * `speed` starts the hub (Stripe only, journal on, silent) and bare fastify,
 * each in its own process, captures the hub's answer to each request and has
 * bare fastify send it back verbatim. It reports req/s, p99, the serving
 * process's CPU µs per request (from /proc, steadier than req/s on a shared
 * box) and the ratio. `memory` creates customers through the hub in this
 * process and reads the heap after a full GC, before and after.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import Fastify from 'fastify'

interface Endpoint {
  name: string
  path: string
  body: string
}

const ENDPOINTS: Endpoint[] = [
  { name: 'POST /v1/customers', path: '/v1/customers', body: 'email=a%40example.com&name=Ada' },
  {
    name: 'POST /v1/payment_intents confirm',
    path: '/v1/payment_intents',
    body: 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true&payment_method_types[]=card',
  },
]
const HEADERS = {
  authorization: 'Bearer sk_test_perf',
  'content-type': 'application/x-www-form-urlencoded',
}

const [mode, ...rest] = process.argv.slice(2)

/** Stripe as the hub mounts it (journal at the hub's default bounds), without the control plane. */
async function startStripeHub() {
  const { Core } = await import('../core/runtime.ts')
  const { buildProviderApp } = await import('../core/transports/fastify.ts')
  const { stripe } = await import('./index.ts')
  const core = new Core({ seed: 1, journalSize: 10_000 })
  const app = buildProviderApp(core.register(stripe, { baseUrl: '' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    inject: (e: Endpoint) => app.inject({ method: 'POST', url: e.path, headers: HEADERS, payload: e.body }),
    close: () => app.close(),
  }
}

/** One endpoint, `count` times in a row in this process (no sockets), for a clean `--cpu-prof`. */
async function cpu(which: number, count: number) {
  const hub = await startStripeHub()
  const e = ENDPOINTS[which]!
  for (let i = 0; i < 500; i++) await hub.inject(e) // warm: the spec loaded, the JIT settled
  const started = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const res = await hub.inject(e)
    if (res.statusCode !== 200) throw new Error(`${e.name}: ${res.statusCode} ${res.body}`)
  }
  const used = process.cpuUsage(started)
  console.log(`${e.name}: ${Math.round((used.user + used.system) / count)} µs cpu/request in process`)
  await hub.close()
}

async function serve(kind: string, stubs: string | undefined) {
  if (kind === 'hub') {
    const hub = await startStripeHub()
    process.send?.({ url: hub.url })
  } else {
    const answers = JSON.parse(readFileSync(stubs!, 'utf8')) as {
      path: string
      status: number
      body: string
    }[]
    const app = Fastify({ logger: false })
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
      done(null, new URLSearchParams(body as string)),
    )
    for (const a of answers)
      app.post(a.path, (_req, reply) => reply.code(a.status).type('application/json').send(a.body))
    await app.listen({ host: '127.0.0.1', port: 0 })
    process.send?.({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` })
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0))
}

function child(
  args: string[],
  prof?: string,
  script = import.meta.filename,
): Promise<{ proc: ChildProcess; url: string }> {
  const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []
  const proc = spawn(process.execPath, [...flags, '--import', 'tsx', script, 'serve', ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ proc, url: (m as { url: string }).url }))
    proc.once('exit', (code) => reject(new Error(`server exited ${code}`)))
  })
}

/** User + system CPU time of a process, in µs, from /proc (clock ticks are 10 ms on Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

async function run(url: string, pid: number, e: Endpoint, seconds: number, connections: number) {
  const cpu = cpuMicros(pid)
  const r = await autocannon({
    url: url + e.path,
    method: 'POST',
    headers: HEADERS,
    body: e.body,
    connections,
    duration: seconds,
  })
  const requests = r.requests.total || 1
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    cpuPerRequest: (cpuMicros(pid) - cpu) / requests,
    bad: r.errors + r.timeouts + r.non2xx,
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function speed(seconds: number, rounds: number, connections: number) {
  const hub = await child(['hub'], process.env.STRIPE_PERF_PROF)
  const answers = []
  for (const e of ENDPOINTS) {
    const res = await fetch(hub.url + e.path, { method: 'POST', headers: HEADERS, body: e.body })
    answers.push({ path: e.path, status: res.status, body: await res.text() })
    if (res.status !== 200) throw new Error(`${e.name}: ${res.status} ${answers.at(-1)!.body}`)
  }
  const stubs = `/tmp/stripe-perf-${process.pid}.json`
  const { writeFileSync } = await import('node:fs')
  writeFileSync(stubs, JSON.stringify(answers))
  const bare = await child(['bare', stubs])
  const sides: Record<string, { proc: ChildProcess; url: string }> = { standin: hub, bare }
  // STRIPE_PERF_BEFORE=<checkout of an older commit>: its hub too, in the same run, for before/after.
  const before = process.env.STRIPE_PERF_BEFORE
  if (before) sides.before = await child(['hub'], undefined, `${before}/simulators/stripe/perf.ts`)
  try {
    for (const e of ENDPOINTS) {
      for (const side of Object.values(sides)) await run(side.url, side.proc.pid!, e, 1, connections) // warm
      const samples: Record<string, Awaited<ReturnType<typeof run>>[]> = {}
      for (const side of Object.keys(sides)) samples[side] = []
      for (let round = 0; round < rounds; round++) {
        // Rotate who goes first, so drift in machine load falls on every side alike.
        const names = Object.keys(sides)
        const order = names.map((_, i) => names[(i + round) % names.length]!)
        for (const side of order)
          samples[side]!.push(await run(sides[side]!.url, sides[side]!.proc.pid!, e, seconds, connections))
      }
      const sum = (side: string) => {
        const s = samples[side]!
        return {
          rps: Math.round(median(s.map((x) => x.rps))),
          p99: median(s.map((x) => x.p99)),
          cpu: Math.round(median(s.map((x) => x.cpuPerRequest))),
          bad: s.reduce((n, x) => n + x.bad, 0),
        }
      }
      const b = sum('bare')
      for (const side of Object.keys(sides).filter((n) => n !== 'bare')) {
        const a = sum(side)
        console.log(
          `${e.name.padEnd(34)} ${side.padEnd(7)} ${a.rps} req/s p99 ${a.p99} ms ${a.cpu} µs cpu/req (bad ${a.bad})` +
            ` | bare ${b.rps} req/s p99 ${b.p99} ms ${b.cpu} µs cpu/req | ratio ${(a.rps / b.rps).toFixed(2)}` +
            ` (cpu ratio ${(b.cpu / a.cpu).toFixed(2)})`,
        )
      }
    }
  } finally {
    for (const side of Object.values(sides)) side.proc.kill('SIGTERM')
  }
}

async function memory(count: number, warm: number) {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with node --expose-gc --import tsx')
  const hub = await startStripeHub()
  const create = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = await hub.inject(ENDPOINTS[0]!)
      if (res.statusCode !== 200) throw new Error(`customer create: ${res.statusCode} ${res.body}`)
    }
  }
  // Warm past the journal's bound (10,000 entries) — and past the event bounds (Stripe's 10,000 per account,
  // the dispatcher's 50,000) with `warm` ≥ 50,000 — so what grows after is the stored customers alone.
  await create(warm)
  gc()
  gc()
  const before = process.memoryUsage()
  await create(count)
  gc()
  gc()
  const after = process.memoryUsage()
  const per = (k: 'heapUsed' | 'rss' | 'arrayBuffers') => Math.round((after[k] - before[k]) / count)
  console.log(
    `${count} customers created: heap ${per('heapUsed')} B/customer,` +
      ` arrayBuffers ${per('arrayBuffers')} B, rss ${per('rss')} B; heap ${Math.round(after.heapUsed / 2 ** 20)} MiB`,
  )
  await hub.close()
}

if (mode === 'serve') await serve(rest[0]!, rest[1])
else if (mode === 'cpu') await cpu(Number(rest[0] ?? 0), Number(rest[1] ?? 20_000))
else if (mode === 'memory') await memory(Number(rest[0] ?? 100_000), Number(rest[1] ?? 12_000))
else await speed(Number(rest[0] ?? 5), Number(rest[1] ?? 3), Number(rest[2] ?? 32))
