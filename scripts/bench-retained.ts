/**
 * `npm run bench:retained`: what each of `npm run bench`'s endpoints keeps on
 * the heap per request, counted object by object: the objects it stores, its
 * events, its journal entry. Under load, a scavenge costs by what survives it,
 * and what a request keeps survives it (then is marked by every full
 * collection while it stays), so this is where a different shape of storage
 * shows, without the timing noise of a shared host.
 *
 * Per endpoint: a fresh core whose store limit and journal keep every request
 * it sends, a heap snapshot after a few requests and another after
 * `--stored` more, compared by kind of object (V8's heap snapshot types; a
 * plain object by its constructor's name).
 *
 *   --stored N   requests kept and counted (default 2000)
 *   --only TEXT  endpoints whose name contains TEXT
 */
import { readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import v8 from 'node:v8'
import { getStoreLimit, setStoreLimit } from '../simulators/core/store.ts'
import { endpoints } from './bench/endpoints.ts'
import { inProcessCore } from './bench/in-process.ts'
import { machine } from './bench/machine.ts'

const { values: flags } = parseArgs({
  options: { stored: { type: 'string', default: '2000' }, only: { type: 'string' } },
})
const stored = Number(flags.stored)
/** Requests before the first snapshot: what the first ones make once (a spec loaded, a template cached) is not counted. */
const FIRST = 100
if (!Number.isInteger(stored) || stored < 1)
  throw new Error(`--stored must be a positive integer, got ${flags.stored}`)

/** Count and bytes of each kind of heap object. */
type Census = Map<string, { count: number; bytes: number }>

function census(): Census {
  const file = v8.writeHeapSnapshot(path.join(os.tmpdir(), `standin-retained-${process.pid}.heapsnapshot`))
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
    nodes: number[]
    strings: string[]
  }
  rmSync(file)
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta
  const width = fields.length
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ]
  const out: Census = new Map()
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[0][snapshot.nodes[i + typeAt]!]!
    // Compiled code is the JIT's (it comes and goes with optimization), not what the requests kept.
    if (type === 'code') continue
    // A string's name is its text: strings are counted by type alone.
    const kind = type === 'object' ? `object ${snapshot.strings[snapshot.nodes[i + nameAt]!]}` : type
    const entry = out.get(kind) ?? { count: 0, bytes: 0 }
    entry.count++
    entry.bytes += snapshot.nodes[i + sizeAt]!
    out.set(kind, entry)
  }
  return out
}

const rows: string[] = []
const limit = getStoreLimit()
// Nothing is evicted between the snapshots (Toss's prepared payments included): every request is counted.
setStoreLimit(FIRST + stored)
try {
  for (const endpoint of endpoints.filter((e) => !flags.only || e.name.includes(flags.only))) {
    const { driver } = await inProcessCore(FIRST + stored)
    const one = await driver(endpoint, FIRST + stored)
    for (let i = 0; i < FIRST; i++) await one()
    const before = census()
    for (let i = 0; i < stored; i++) await one()
    const after = census()
    const kinds = [...after]
      .map(([kind, a]) => {
        const b = before.get(kind) ?? { count: 0, bytes: 0 }
        return { kind, count: (a.count - b.count) / stored, bytes: (a.bytes - b.bytes) / stored }
      })
      .filter((k) => k.count > 0)
      .sort((x, y) => y.bytes - x.bytes)
    const total = kinds.reduce((t, k) => ({ count: t.count + k.count, bytes: t.bytes + k.bytes }), {
      count: 0,
      bytes: 0,
    })
    const top = kinds
      .slice(0, 5)
      .map((k) => `${k.kind} ${k.count.toFixed(1)}`)
      .join(', ')
    rows.push(
      `| ${endpoint.name} | ${total.count.toFixed(1)} | ${Math.round(total.bytes).toLocaleString('en')} | ${top} |`,
    )
    process.stderr.write(`${endpoint.name}: done\n`)
  }
} finally {
  setStoreLimit(limit)
}
const m = machine()
process.stdout.write(
  `${m.cpus} × ${m.model}, Node ${m.node}; ${stored} requests kept\n\n` +
    `| endpoint | objects kept/req | bytes kept/req | largest kinds (objects/req) |\n| --- | ---: | ---: | --- |\n${rows.join('\n')}\n`,
)
process.exit(0)
