/**
 * `npm run bench:growth`: does the hub slow down as state grows? One endpoint
 * (default Stripe customer create; `--endpoint` names another, repeatable)
 * is measured in three rounds: fresh, after half of `--objects` stored
 * objects, after all of them (default 200,000). The aim: the third round
 * within 10 % of the first, in req/s and in CPU µs per request. Also the heap
 * (after a full GC) per stored object. The store limit is raised above
 * `--objects` for this run, so nothing is evicted. Writes reports/bench-growth.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { endpoints } from './bench/endpoints.ts'
import { load, requestOf, type Sample } from './bench/load.ts'
import { machine } from './bench/machine.ts'
import { type Server, startServer } from './bench/servers.ts'

const { values: flags } = parseArgs({
  options: {
    objects: { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    endpoint: { type: 'string', multiple: true, default: ['stripe customer create'] },
  },
})
const objects = Number(flags.objects)
const WARM_UP_REQUESTS = 10_000
const seconds = Number(flags.seconds)
const connections = Number(flags.connections)

async function heapUsed(server: Server): Promise<number> {
  const answer = new Promise<{ memory: NodeJS.MemoryUsage }>((resolve) =>
    server.child.once('message', (m) => resolve(m as { memory: NodeJS.MemoryUsage })),
  )
  server.child.send('memory')
  return (await answer).memory.heapUsed
}

const results = []
for (const name of flags.endpoint) {
  const endpoint = endpoints.find((e) => e.name === name)
  if (!endpoint || endpoint.prepare) throw new Error(`--endpoint: '${name}' is not a repeatable endpoint`)
  process.env.STANDIN_STORE_LIMIT = String(objects * 2)
  const hub = await startServer('hub', process.cwd(), ['hub'], ['--expose-gc'])
  try {
    const url = hub.ready.urls![endpoint.provider]!
    const run = () => load({ url, pid: hub.pid, endpoint, connections, seconds })
    let stored = 0
    const fillTo = async (target: number) => {
      const result = await autocannon({
        url,
        connections,
        amount: target - stored,
        requests: [requestOf(endpoint)],
      })
      if (result.non2xx + result.errors > 0)
        throw new Error(`${name}: ${result.non2xx + result.errors} failed while filling`)
      stored = target
    }
    const heapAtStart = await heapUsed(hub)
    // Warm-up (JIT, schemas compiled on first use), not measured; its objects count as stored.
    // Counted in requests, not seconds: on a loaded machine a few seconds may be a few hundred requests,
    // on a quiet one a timed warm-up stored 50,000 and more, so the first round was not near fresh.
    await fillTo(Math.min(WARM_UP_REQUESTS, objects / 4))
    const rounds: (Sample & { storedBefore: number })[] = []
    for (const target of [stored, objects / 2, objects]) {
      if (target > stored) await fillTo(target)
      const sample = await run()
      rounds.push({ ...sample, storedBefore: stored })
      stored += sample.requests
    }
    const total = stored
    const heapAtEnd = await heapUsed(hub)
    const first = rounds[0]!
    const third = rounds[2]!
    results.push({
      endpoint: name,
      rounds,
      thirdToFirst: {
        rps: Math.round((third.rps / first.rps) * 100) / 100,
        cpuUsPerReq: Math.round((third.cpuUsPerReq / first.cpuUsPerReq) * 100) / 100,
      },
      storedObjects: total,
      heapBytesPerObject: Math.round((heapAtEnd - heapAtStart) / total),
    })
    process.stderr.write(`${name}: done\n`)
  } finally {
    hub.close()
  }
}

const report = {
  at: new Date().toISOString(),
  machine: machine(),
  settings: { objects, seconds, connections },
  results,
}
mkdirSync('reports', { recursive: true })
writeFileSync('reports/bench-growth.json', `${JSON.stringify(report, null, 2)}\n`)
const lines = [
  '| endpoint | round | stored before | req/s | p99 ms | CPU µs/req |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
]
for (const r of results) {
  r.rounds.forEach((s, i) => {
    lines.push(
      `| ${r.endpoint} | ${i + 1} | ${s.storedBefore.toLocaleString('en')} | ${s.rps.toLocaleString('en')} | ${s.p99} | ${s.cpuUsPerReq} |`,
    )
  })
}
lines.push('')
for (const r of results)
  lines.push(
    `${r.endpoint}: third/first req/s ${r.thirdToFirst.rps}, CPU/req ${r.thirdToFirst.cpuUsPerReq}; ` +
      `${r.storedObjects.toLocaleString('en')} objects, ${r.heapBytesPerObject.toLocaleString('en')} heap bytes each`,
  )
process.stdout.write(`${lines.join('\n')}\nwritten to reports/bench-growth.json\n`)
