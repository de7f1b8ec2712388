/**
 * `npm run bench`: each provider's hottest endpoint through the real hub,
 * against bare fastify answering the same body, in the same run, alternating
 * rounds (so drift in machine load hits every side alike). Each server is its
 * own process; autocannon (the load) runs in this one.
 *
 *   --seconds N        per timed run (default 5)
 *   --rounds N         rounds per endpoint (default 3)
 *   --connections N    (default 32)
 *   --only TEXT        endpoints whose name contains TEXT
 *   --peers            adds mockttp and WireMock (from npm) with the same stubs
 *   --calibrate        adds bare fastify spending 10 and 20 µs of CPU per request before it
 *                      answers: what a fixed cost per request does to the ratio on this machine
 *   --calibrate-at L   the same at the costs listed (µs, comma-separated: 20,40,60,80), to find
 *                      the cost whose ratio matches a hub's
 *   --before REV       adds the hub of an older commit (extracted with git archive), same run
 *   --node-flags "F"   adds a second hub of this tree started with node flags F (V8's collector,
 *                      say): a runtime setting against the default, same run
 *   --cpu-prof DIR     runs the hub under `node --cpu-prof`, profiles written to DIR
 *   --out FILE         where the report goes (default reports/bench.json)
 *
 * Reports req/s, p50/p99, CPU µs per request of the serving process, RSS,
 * and the ratio to bare fastify (median of the per-round ratios). Writes
 * reports/bench.json and prints a Markdown table for the README.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { type Endpoint, endpoints } from './bench/endpoints.ts'
import { load, type Sample } from './bench/load.ts'
import { machine } from './bench/machine.ts'
import { median } from './bench/median.ts'
import { PEERS_DIR, type Server, startServer, startWireMock } from './bench/servers.ts'
import type { StubRoute } from './bench-server.ts'

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    only: { type: 'string' },
    peers: { type: 'boolean', default: false },
    calibrate: { type: 'boolean', default: false },
    'calibrate-at': { type: 'string' },
    before: { type: 'string' },
    'node-flags': { type: 'string' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string', default: 'reports/bench.json' },
  },
})
/** The fixed CPU costs per request `--calibrate` adds to bare fastify (`--calibrate-at` names others). */
const CALIBRATION_MICROS =
  flags['calibrate-at'] !== undefined ? calibrationList(flags['calibrate-at']) : [10, 20]
const calibrate = flags.calibrate || flags['calibrate-at'] !== undefined

const seconds = Number(flags.seconds)
const rounds = Number(flags.rounds)
const connections = Number(flags.connections)
const root = process.cwd()
const selected = endpoints.filter((e) => !flags.only || e.name.includes(flags.only))

/** A side of the comparison: a server and the base URL of an endpoint on it. */
interface Side {
  name: string
  server: Server
  base(endpoint: Endpoint): string
  /** Single-use bodies are made against this side (a hub), not faked (a stub). */
  stateful: boolean
  /** A side that keeps what it serves (a hub, mockttp's and WireMock's request logs) starts afresh for each endpoint (see the loop below). */
  start?: () => Promise<Server>
}

const servers: Server[] = []
const scratch = path.join(os.tmpdir(), `standin-bench-${process.pid}`)
mkdirSync(scratch, { recursive: true })

try {
  const sides: Side[] = []
  const hubSide = (name: string, server: Server, start: () => Promise<Server>): Side => {
    const side: Side = {
      name,
      server,
      base: (e) => side.server.ready.urls![e.provider]!,
      stateful: true,
      start,
    }
    return side
  }
  const startHub = () => startServer('hub', root, ['hub'], cpuProfFlags('hub'))
  const hub = await startHub()
  servers.push(hub)
  sides.push(hubSide('standin', hub, startHub))
  if (flags.before) {
    const tree = extract(flags.before)
    const startBefore = () => startServer('before', tree, ['hub'], cpuProfFlags('before'))
    const before = await startBefore()
    servers.push(before)
    sides.push(hubSide(`standin@${flags.before}`, before, startBefore))
  }
  const nodeFlags = flags['node-flags']?.split(' ').filter((f) => f !== '')
  if (nodeFlags?.length) {
    const name = `standin ${nodeFlags.join(' ')}`
    const startFlagged = () => startServer(name, root, ['hub'], [...nodeFlags, ...cpuProfFlags('flagged')])
    const flagged = await startFlagged()
    servers.push(flagged)
    sides.push(hubSide(name, flagged, startFlagged))
  }

  // The stubs answer what the hub answered, so every side sends the same bytes back.
  const routes: StubRoute[] = []
  const stubBodies = new Map<Endpoint, string>()
  for (const endpoint of selected) {
    const body = endpoint.prepare
      ? (await endpoint.prepare(hub.ready.urls![endpoint.provider]!, 1))[0]!
      : endpoint.body
    const response = await fetch(`${hub.ready.urls![endpoint.provider]!}${endpoint.path}`, {
      method: endpoint.method,
      headers: endpoint.headers,
      body,
    })
    const text = await response.text()
    if (response.status !== endpoint.status)
      throw new Error(
        `${endpoint.name}: the hub answered ${response.status}, not ${endpoint.status}: ${text}`,
      )
    stubBodies.set(endpoint, body)
    // One stub per route: endpoints sending the same request another way (keyed) share the first's answer.
    if (!routes.some((r) => r.method === endpoint.method && r.path === endpoint.path))
      routes.push({
        method: endpoint.method,
        path: endpoint.path,
        status: response.status,
        contentType: response.headers.get('content-type') ?? 'application/json',
        body: text,
      })
  }
  const routesFile = path.join(scratch, 'routes.json')
  writeFileSync(routesFile, JSON.stringify(routes))
  const stubSide = (server: Server, start?: () => Promise<Server>): Side => {
    const side: Side = {
      name: server.name,
      server,
      base: () => `http://127.0.0.1:${side.server.ready.port}`,
      stateful: false,
    }
    if (start) side.start = start
    return side
  }
  const bare = await startServer('bare fastify', root, ['bare', routesFile])
  servers.push(bare)
  sides.unshift(stubSide(bare))
  // Calibration: the same stub, after a busy loop of a fixed length. On a machine where the load
  // generator shares the cores, the ratio falls faster than the added cost alone would say.
  if (calibrate)
    for (const micros of CALIBRATION_MICROS) {
      const burner = await startServer(`bare +${micros} µs`, root, ['bare', routesFile, String(micros)])
      servers.push(burner)
      sides.push(stubSide(burner))
    }
  if (flags.peers) {
    if (!existsSync(path.join(PEERS_DIR, 'node_modules')))
      throw new Error(
        `--peers needs mockttp and WireMock in ${PEERS_DIR}: see PEERS_DIR in scripts/bench/servers.ts`,
      )
    // Both log every request they serve (WireMock's journal grew to 6 GiB over a run, and its
    // collector then took CPU from whichever side was measured): a fresh one per endpoint, as hubs.
    const startMockttp = () => startServer('mockttp', root, ['mockttp', routesFile])
    const mockttp = await startMockttp()
    servers.push(mockttp)
    sides.push(stubSide(mockttp, startMockttp))
    let wiremockPort = 18_000 + (process.pid % 1000)
    // A new port each time: the stopped JVM may still hold the last one while it exits.
    const startWireMockAgain = () => startWireMock(routes, wiremockPort++)
    const wiremock = await startWireMockAgain()
    servers.push(wiremock)
    sides.push(stubSide(wiremock, startWireMockAgain))
  }

  const results: { endpoint: string; sides: Record<string, Sample[]> }[] = []
  for (const [index, endpoint] of selected.entries()) {
    // Each endpoint is measured on fresh hubs (and peers), holding only what its own rounds store: otherwise the
    // endpoints measured last would run on a heap full of the others' objects, and their figures
    // would depend on the order of this list. How the hub fares as state grows: `npm run bench:growth`.
    if (index > 0)
      for (const side of sides) {
        if (!side.start) continue
        side.server.close()
        side.server = await side.start()
        servers.push(side.server)
      }
    const samples: Record<string, Sample[]> = Object.fromEntries(sides.map((s) => [s.name, []]))
    const run = async (side: Side, runSeconds: number) => {
      const bodies =
        endpoint.prepare && side.stateful
          ? await endpoint.prepare(side.base(endpoint), Math.max(200, Math.round(runSeconds * 1000)))
          : undefined
      return load({
        url: side.base(endpoint),
        pid: side.server.pid,
        endpoint: { ...endpoint, body: stubBodies.get(endpoint)! },
        connections,
        seconds: runSeconds,
        bodies,
      })
    }
    // Warm-up (JIT, sockets), not counted. The JVM's JIT takes far longer than V8's to settle: WireMock
    // gets 10 s (its first short rounds ran at a fifth of its later speed).
    for (const side of sides) await run(side, side.name === 'wiremock' ? 10 : 1)
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first, so a side never always runs on the heels of the same other side.
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!)
      for (const side of order) samples[side.name]!.push(await run(side, seconds))
    }
    results.push({ endpoint: endpoint.name, sides: samples })
    process.stderr.write(`${endpoint.name}: done\n`)
  }

  const report = {
    at: new Date().toISOString(),
    machine: machine(),
    settings: {
      seconds,
      rounds,
      connections,
      before: flags.before,
      nodeFlags: flags['node-flags'],
      peers: flags.peers,
      calibrate: calibrate ? CALIBRATION_MICROS : false,
      load: 'autocannon',
    },
    endpoints: results.map((r) => summarise(r.endpoint, r.sides)),
    samples: results,
  }
  mkdirSync(path.dirname(flags.out), { recursive: true })
  writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(`${table(report.endpoints, report.machine)}\nwritten to ${flags.out}\n`)
  if (report.endpoints.some((e) => Object.values(e.sides).some((s) => s.errors > 0))) process.exitCode = 1
} finally {
  for (const server of servers) server.close()
  rmSync(scratch, { recursive: true, force: true })
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

/** Medians per side; ratios are paired per round (same round, neighbouring runs), then the median. */
function summarise(endpoint: string, sides: Record<string, Sample[]>) {
  const bare = sides['bare fastify']!
  return {
    endpoint,
    sides: Object.fromEntries(
      Object.entries(sides).map(([name, samples]) => [
        name,
        {
          rps: Math.round(median(samples.map((s) => s.rps))),
          p50: median(samples.map((s) => s.p50)),
          p99: median(samples.map((s) => s.p99)),
          cpuUsPerReq: median(samples.map((s) => s.cpuUsPerReq)),
          rssMiB: Math.max(...samples.map((s) => s.rssMiB)),
          errors: samples.reduce((n, s) => n + s.errors, 0),
          ratio: round2(median(samples.map((s, i) => s.rps / bare[i]!.rps))),
        },
      ]),
    ),
  }
}

function table(rows: ReturnType<typeof summarise>[], machine: Record<string, unknown>): string {
  const names = Object.keys(rows[0]?.sides ?? {})
  const lines = [
    `${machine.cpus} × ${machine.model}, ${machine.memGiB} GiB, Node ${machine.node}, load average ${String(machine.loadavg)}; ` +
      `autocannon ${connections} connections, ${rounds} rounds × ${seconds} s, medians`,
    '',
    '| endpoint | server | req/s | p50 ms | p99 ms | CPU µs/req | RSS MiB | ratio to bare |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (const row of rows) {
    for (const name of names) {
      const s = row.sides[name]!
      lines.push(
        `| ${row.endpoint} | ${name} | ${s.rps.toLocaleString('en')} | ${s.p50} | ${s.p99} | ${s.cpuUsPerReq} | ${s.rssMiB} | ${s.ratio.toFixed(2)} |`,
      )
    }
  }
  return lines.join('\n')
}

function cpuProfFlags(name: string): string[] {
  if (!flags['cpu-prof']) return []
  const dir = path.resolve(flags['cpu-prof'], name)
  mkdirSync(dir, { recursive: true })
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`]
}

/** The tree of `rev` in a scratch folder, sharing this checkout's node_modules, running today's bench server. */
function extract(rev: string): string {
  const dir = path.join(scratch, `before-${rev}`)
  mkdirSync(dir, { recursive: true })
  const archive = execFileSync('git', ['archive', '--format=tar', rev], { maxBuffer: 1 << 30 })
  execFileSync('tar', ['-x', '-C', dir], { input: archive })
  if (!existsSync(path.join(dir, 'node_modules')))
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  cpSync(path.join(root, 'scripts/bench-server.ts'), path.join(dir, 'scripts/bench-server.ts'))
  cpSync(path.join(root, 'scripts/bench'), path.join(dir, 'scripts/bench'), { recursive: true })
  return dir
}

function calibrationList(text: string): number[] {
  const list = text.split(',').map((item) => Number(item.trim()))
  // An empty item reads as 0 and is refused with the rest: split always gives at least one.
  if (list.some((micros) => !Number.isFinite(micros) || micros <= 0 || micros > 10_000))
    throw new Error(`--calibrate-at takes µs per request, comma-separated (20,40,60), got '${text}'`)
  return list
}
