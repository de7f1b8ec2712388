/**
 * `npm run bench`: the core's overhead, as a ratio against bare fastify, both
 * measured in the same run, alternating, with autocannon on loopback. Bounded:
 * BENCH_SECONDS per run (default 5) × BENCH_ROUNDS rounds (default 3) × 2 sides.
 * Writes reports/bench/core-overhead.json and prints a table.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import autocannon from 'autocannon'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)

interface Sample {
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

async function startServer(mode: 'core' | 'bare'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-server.ts', mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())))
    child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)))
  })
  return { port, child }
}

async function measure(port: number, duration: number): Promise<Sample> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/v1/echo`,
    method: 'POST',
    headers: { authorization: 'Bearer tk_bench', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench' }),
    connections,
    duration,
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const servers = { core: await startServer('core'), bare: await startServer('bare') }
try {
  // Warm both (JIT, sockets) before anything is counted.
  await measure(servers.core.port, 1)
  await measure(servers.bare.port, 1)
  const samples: Record<'core' | 'bare', Sample[]> = { core: [], bare: [] }
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so drift in machine load hits both alike.
    const order: ('core' | 'bare')[] = round % 2 ? ['core', 'bare'] : ['bare', 'core']
    for (const side of order) samples[side].push(await measure(servers[side].port, seconds))
  }
  const summary = (side: 'core' | 'bare') => ({
    rps: Math.round(median(samples[side].map((s) => s.rps))),
    p50: median(samples[side].map((s) => s.p50)),
    p99: median(samples[side].map((s) => s.p99)),
    errors: samples[side].reduce((n, s) => n + s.errors + s.non2xx, 0),
  })
  const core = summary('core')
  const bare = summary('bare')
  const ratio = Math.round((core.rps / bare.rps) * 100) / 100
  const report = {
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    settings: {
      seconds,
      rounds,
      connections,
      route: 'POST /v1/echo (JSON, auth, validation, journal, 100 non-matching fault rules)',
    },
    core,
    bare,
    ratio,
    samples,
  }
  await mkdir('reports/bench', { recursive: true })
  await writeFile('reports/bench/core-overhead.json', `${JSON.stringify(report, null, 2)}\n`)
  const row = (name: string, s: typeof core) =>
    `${name.padEnd(14)} ${String(s.rps).padStart(8)} req/s   p50 ${s.p50} ms   p99 ${s.p99} ms   errors ${s.errors}`
  process.stdout.write(
    [
      `core overhead (${rounds} rounds × ${seconds}s, ${connections} connections, median)`,
      row('bare fastify', bare),
      row('standin core', core),
      `ratio core/bare: ${ratio} (aim: >= 0.8)`,
      'written to reports/bench/core-overhead.json',
    ].join('\n') + '\n',
  )
  if (core.errors > 0 || bare.errors > 0) process.exitCode = 1
} finally {
  servers.core.child.kill()
  servers.bare.child.kill()
}
