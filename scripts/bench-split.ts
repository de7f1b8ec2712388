/**
 * `npm run bench:split`: where one endpoint's cost goes under load, all in
 * one serving process (one heap, one collector), so the sides differ only in
 * what runs per request:
 *
 * - `transport`: a fastify app shaped as the provider transport (catch-all
 *   route, body read as bytes) answering the hub's own answer as a constant;
 * - `refused`: the provider's app, the request without its credentials: the
 *   pipeline's shortest path (decode, route, authenticate, the provider's
 *   refusal, finalize, journal);
 * - `full`: the provider's app, the request as the bench sends it.
 *
 * For `refused` and `full` it also gives the same requests' cost handed to
 * the runtime in a tight loop in that process (no socket, as `bench:pipeline`).
 * The gap between the two columns is what running between the kernel's and
 * the transport's work costs the pipeline (README, Speed).
 *
 *   --only TEXT     the endpoint (default: stripe customer create; not Toss's, whose bodies are single-use)
 *   --seconds N     per timed run (default 4)   --rounds N (default 3)   --connections N (default 32)
 */
import { fork } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type Endpoint, endpoints, raiseLimits } from './bench/endpoints.ts'
import { load } from './bench/load.ts'
import { machine } from './bench/machine.ts'
import { median } from './bench/median.ts'

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string', default: 'stripe customer create' },
    seconds: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    serve: { type: 'boolean', default: false },
  },
})
const endpoint = endpoints.find((e) => e.name.includes(flags.only!) && !e.prepare)
if (!endpoint) throw new Error(`no repeatable endpoint matches '${flags.only}'`)
const refused: Endpoint = {
  ...endpoint,
  headers: Object.fromEntries(Object.entries(endpoint.headers).filter(([name]) => name !== 'authorization')),
  status: 401,
}
const SIDES = ['transport', 'refused', 'full'] as const
type SideName = (typeof SIDES)[number]
const LOOP_REQUESTS = 20_000

if (flags.serve) await serve()
else await drive()

/** The parent: alternating timed runs against the child's three sides, then the child's loop figures. */
async function drive() {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--only', flags.only!], {
    execArgv: ['--import', 'tsx'],
  })
  const ask = <T>(message: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (answer) => resolve(answer as T))
      child.send(message)
    })
  const urls = await new Promise<Record<SideName, string>>((resolve) =>
    child.once('message', (m) => resolve(m as Record<SideName, string>)),
  )
  try {
    await measure(urls, child.pid!, ask)
  } finally {
    child.kill()
  }
  process.exit(0)
}

async function measure(urls: Record<SideName, string>, pid: number, ask: <T>(message: string) => Promise<T>) {
  // A side that does not answer as it should measures nothing: checked once before the runs.
  for (const side of SIDES) {
    const sent = side === 'refused' ? refused : endpoint!
    const answer = await fetch(`${urls[side]}${sent.path}`, {
      method: sent.method,
      headers: sent.headers,
      body: sent.body,
    })
    if (answer.status !== sent.status)
      throw new Error(`${side}: answered ${answer.status}, not ${sent.status}`)
  }
  const samples = new Map<SideName, { rps: number[]; cpu: number[] }>(
    SIDES.map((side) => [side, { rps: [], cpu: [] }]),
  )
  for (let round = 0; round < Number(flags.rounds); round++)
    for (const side of SIDES) {
      const sample = await load({
        url: urls[side],
        pid,
        endpoint: side === 'refused' ? refused : endpoint!,
        connections: Number(flags.connections),
        seconds: Number(flags.seconds),
      })
      // autocannon counts every non-2xx answer as an error: the refused side's 401s are what it asks for.
      if (side !== 'refused' && sample.errors > 0) throw new Error(`${side}: ${sample.errors} failed answers`)
      samples.get(side)!.rps.push(sample.rps)
      samples.get(side)!.cpu.push(sample.cpuUsPerReq)
    }
  const loop = await ask<Record<'refused' | 'full', number>>('loop')
  const m = machine()
  const rows = SIDES.map((side) => {
    const s = samples.get(side)!
    const inLoop = side === 'transport' ? '' : loop[side].toFixed(1)
    return `| ${side} | ${Math.round(median(s.rps)).toLocaleString('en')} | ${Math.round(median(s.cpu))} | ${inLoop} |`
  })
  process.stdout.write(
    `${endpoint!.name}: ${m.cpus} × ${m.model}, Node ${m.node}, load average ${String(m.loadavg)}; ` +
      `autocannon ${flags.connections} connections, ${flags.rounds} rounds × ${flags.seconds} s, medians\n\n` +
      `| side | req/s | CPU µs/req under load | CPU µs/req in a loop |\n| --- | ---: | ---: | ---: |\n${rows.join('\n')}\n`,
  )
}

/** The child: every provider on one core, the three sides listening, the loop measured on request. */
async function serve() {
  const [{ default: Fastify }, { Core }, { buildProviderApp }, { allProviders }] = await Promise.all([
    import('fastify'),
    import('../simulators/core/runtime.ts'),
    import('../simulators/core/transports/fastify.ts'),
    import('../simulators/hub/providers.ts'),
  ])
  const core = new Core({ seed: 1 })
  const runtimes = new Map(
    allProviders.map((p) => [p.name, core.register(p as never, { baseUrl: 'http://127.0.0.1' })]),
  )
  await raiseLimits(core as never)
  const runtime = runtimes.get(endpoint!.provider)!
  const provider = buildProviderApp(runtime)
  await provider.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(provider.server.address() as AddressInfo).port}`
  runtime.setBaseUrl(base)

  // The constant is the provider's own answer to the request, so every side sends the same bytes back.
  const answer = await fetch(`${base}${endpoint!.path}`, {
    method: endpoint!.method,
    headers: endpoint!.headers,
    body: endpoint!.body,
  })
  const constant = {
    status: answer.status,
    headers: Object.fromEntries(answer.headers),
    body: await answer.text(),
  }
  for (const name of ['connection', 'keep-alive', 'date', 'content-length', 'transfer-encoding'])
    delete constant.headers[name]
  const transport = Fastify({ logger: false })
  transport.removeAllContentTypeParsers()
  transport.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  transport.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: async (_request, reply) =>
      reply.code(constant.status).headers(constant.headers).send(constant.body),
  })
  await transport.listen({ host: '127.0.0.1', port: 0 })

  process.on('message', async (message) => {
    if (message !== 'loop') return
    const perRequest = async (sent: Endpoint) => {
      const one = () =>
        runtime.handle({
          method: sent.method,
          url: sent.path,
          headers: { ...sent.headers, host: '127.0.0.1' },
          body: Buffer.from(sent.body),
        })
      for (let i = 0; i < 2_000; i++) await one()
      const before = process.cpuUsage()
      for (let i = 0; i < LOOP_REQUESTS; i++) await one()
      const used = process.cpuUsage(before)
      return (used.user + used.system) / LOOP_REQUESTS
    }
    process.send!({ refused: await perRequest(refused), full: await perRequest(endpoint!) })
  })
  process.send!({
    transport: `http://127.0.0.1:${(transport.server.address() as AddressInfo).port}`,
    refused: base,
    full: base,
  })
}
