/**
 * `npx tsx scripts/bench-dispatcher.ts`: the webhook dispatcher and the
 * message inbox, each against a baseline in the same run (issue 13).
 *
 *   --events N     events per round (default 20000)
 *   --rounds N     alternating rounds (default 3)
 *   --fail R       share of receiver answers that fail (default 0.3)
 *   --messages N   messages captured per inbox round (default 100000)
 *
 * Dispatcher: N events to one local receiver (its own thread), every answer
 * a 200, then with a share R of answers failing (503) and the provider
 * retrying; counted: delivered + visibly failed must equal emitted. Baseline:
 * bare node:http POSTs (the dispatcher's own client, nothing else) of the same bodies to the same receiver with the same
 * concurrency. Inbox: messages captured per second, against pushing the same
 * objects onto an array. Prints a table and writes reports/bench-dispatcher.json.
 */
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { VirtualClock } from '../simulators/core/clock.ts'
import { MessageInbox } from '../simulators/core/messages.ts'
import { IdMinter } from '../simulators/core/random.ts'
import { silentLogger } from '../simulators/core/runtime.ts'
import { WebhookDispatcher } from '../simulators/core/webhooks/dispatcher.ts'
import { post } from '../simulators/core/webhooks/post.ts'
import { MAX_IN_FLIGHT_PER_ENDPOINT } from '../simulators/core/webhooks/sender.ts'
import { machine } from './bench/machine.ts'
import { median } from './bench/median.ts'

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    fail: { type: 'string', default: '0.3' },
    messages: { type: 'string', default: '100000' },
  },
})
const events = Number(flags.events)
const rounds = Number(flags.rounds)
const failShare = Number(flags.fail)
const messages = Number(flags.messages)

/** The receiver runs in its own process, so its CPU is not counted as the sender's. Fails a set share of answers, spread evenly. */
const RECEIVER = `
const { createServer } = require('node:http')
let n = 0
let failShare = 0
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    n++
    const fail = Math.floor(n * failShare) !== Math.floor((n - 1) * failShare)
    res.statusCode = fail ? 503 : 200
    res.end(fail ? 'busy' : 'ok')
  })
})
server.keepAliveTimeout = 60_000
process.stdin.setEncoding('utf8')
process.stdin.on('data', (line) => { failShare = Number(line); n = 0; process.stdout.write('set\\n') })
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'))
`

async function startReceiver() {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdout.setEncoding('utf8')
  const line = () =>
    new Promise<string>((resolve) => child.stdout.once('data', (d: string) => resolve(d.trim())))
  const port = Number(await line())
  return {
    url: `http://127.0.0.1:${port}/hook`,
    failing: async (share: number) => {
      const answered = line()
      child.stdin.write(`${share}\n`)
      await answered
    },
    close: () => child.kill(),
  }
}

/** Runs `work`, and reports the CPU this process spent on it (the sender's side: the receiver is another process). */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; cpuMicros: number }> {
  const before = process.cpuUsage()
  const result = await work()
  const used = process.cpuUsage(before)
  return { result, cpuMicros: used.user + used.system }
}

const payload = (i: number) => ({
  id: `obj_${i}`,
  object: 'widget',
  amount: 1000 + i,
  metadata: { order: `o_${i}` },
})
const sign = (secret: string, timestamp: number, body: string) => ({
  'content-type': 'application/json',
  'x-signature': `t=${Math.floor(timestamp / 1000)},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
})

/** Bare POSTs with the dispatcher's HTTP client and concurrency: what HTTP alone costs. */
async function bareRound(url: string): Promise<number> {
  let next = 0
  const started = performance.now()
  const lane = async () => {
    while (next < events) {
      const i = next++
      const body = JSON.stringify(payload(i))
      await post(url, { headers: sign('whsec', Date.now(), body), body, timeoutMs: 10_000 })
    }
  }
  await Promise.all(Array.from({ length: MAX_IN_FLIGHT_PER_ENDPOINT }, lane))
  return events / ((performance.now() - started) / 1000)
}

interface DispatcherRound {
  perSecond: number
  emitted: number
  delivered: number
  failed: number
  lost: number
  attempts: number
}

async function dispatcherRound(url: string): Promise<DispatcherRound> {
  const clock = new VirtualClock({ scale: 0 })
  const dispatcher = new WebhookDispatcher({
    clock,
    ids: new IdMinter(1),
    // Retries at once (virtual time stands still): the run measures the sender, not the schedule.
    spec: () => ({ schedule: [0, 0, 0, 0, 0], sign: (i) => sign(i.endpoint.secret, i.timestamp, i.body) }),
    log: silentLogger,
  })
  dispatcher.addEndpoint({ provider: 'p', account: 'a', url, secret: 'whsec', source: 'config' })
  const started = performance.now()
  for (let i = 0; i < events; i++) dispatcher.emit('p', 'a', { type: 'widget.updated', payload: payload(i) })
  await clock.idle()
  const seconds = (performance.now() - started) / 1000
  const counts = dispatcher.counts()
  const all = dispatcher.listDeliveries({ limit: events * 2 })
  return {
    perSecond: counts.delivered / seconds,
    emitted: events,
    delivered: counts.delivered,
    failed: counts.failed,
    lost: events - counts.delivered - counts.failed,
    attempts: all.reduce((sum, d) => sum + d.attempts.length, 0),
  }
}

function inboxRound(): { inbox: number; baseline: number } {
  const input = (i: number) => ({
    provider: 'p',
    account: 'a',
    channel: 'sms' as const,
    to: `+8210${String(i % 100_000_000).padStart(8, '0')}`,
    from: '15880000',
    text: `[standin] code ${100000 + (i % 900000)}`,
  })
  const inputs = Array.from({ length: messages }, (_, i) => input(i))
  const inbox = new MessageInbox(new VirtualClock({ scale: 0 }))
  // A journey waiting for a code it will never get: every capture checks it.
  void inbox.waitFor({ to: '+15550000000' }, 60_000)
  let started = performance.now()
  for (const m of inputs) inbox.capture(m)
  const inboxRate = messages / ((performance.now() - started) / 1000)
  const array: unknown[] = []
  started = performance.now()
  for (const m of inputs) {
    const epochMs = Date.now()
    array.push({ ...m, id: `msg_${array.length}`, at: new Date(epochMs).toISOString(), epochMs, meta: {} })
    if (array.length > 10_000) array.shift()
  }
  const baseline = messages / ((performance.now() - started) / 1000)
  inbox.clear()
  return { inbox: inboxRate, baseline }
}

const receiver = await startReceiver()
try {
  const bare: number[] = []
  const clean: DispatcherRound[] = []
  const flaky: DispatcherRound[] = []
  const inbox: { inbox: number; baseline: number }[] = []
  const bareCpu: number[] = []
  const cleanCpu: number[] = []
  for (let round = 0; round < rounds; round++) {
    await receiver.failing(0)
    const b = await measured(() => bareRound(receiver.url))
    bare.push(b.result)
    bareCpu.push(b.cpuMicros / events)
    const c = await measured(() => dispatcherRound(receiver.url))
    clean.push(c.result)
    cleanCpu.push(c.cpuMicros / c.result.attempts)
    await receiver.failing(failShare)
    flaky.push(await dispatcherRound(receiver.url))
    inbox.push(inboxRound())
  }
  const report = {
    machine: machine(),
    events,
    rounds,
    concurrency: MAX_IN_FLIGHT_PER_ENDPOINT,
    dispatcher: {
      deliveriesPerSecond: Math.round(median(clean.map((r) => r.perSecond))),
      barePostsPerSecond: Math.round(median(bare)),
      ratioToBare: Number(median(clean.map((r, i) => r.perSecond / bare[i]!)).toFixed(2)),
      // Steadier than a rate on a shared box: the sender's CPU per delivery, and what one core could do at that cost.
      cpuMicrosPerDelivery: Math.round(median(cleanCpu)),
      bareCpuMicrosPerPost: Math.round(median(bareCpu)),
      deliveriesPerCpuSecond: Math.round(1e6 / median(cleanCpu)),
    },
    underFailure: {
      failShare,
      deliveriesPerSecond: Math.round(median(flaky.map((r) => r.perSecond))),
      rounds: flaky.map(({ perSecond: _, ...counts }) => counts),
      // Every round: delivered + visibly failed = emitted.
      noneLost: flaky.every((r) => r.lost === 0),
    },
    inbox: {
      messagesPerSecond: Math.round(median(inbox.map((r) => r.inbox))),
      arrayPushPerSecond: Math.round(median(inbox.map((r) => r.baseline))),
      ratioToArray: Number(median(inbox.map((r) => r.inbox / r.baseline)).toFixed(2)),
    },
  }
  mkdirSync('reports', { recursive: true })
  writeFileSync('reports/bench-dispatcher.json', `${JSON.stringify(report, null, 2)}\n`)
  const f = (n: number) => n.toLocaleString('en-US')
  console.log('| what | per second | baseline (same run) | ratio |')
  console.log('| --- | ---: | ---: | ---: |')
  console.log(
    `| sender CPU per delivery | ${report.dispatcher.cpuMicrosPerDelivery} µs (${f(report.dispatcher.deliveriesPerCpuSecond)} per CPU-second) | bare POST ${report.dispatcher.bareCpuMicrosPerPost} µs | |`,
  )
  console.log(
    `| webhook deliveries (all 200) | ${f(report.dispatcher.deliveriesPerSecond)} | bare POST ${f(report.dispatcher.barePostsPerSecond)} | ${report.dispatcher.ratioToBare} |`,
  )
  console.log(
    `| webhook deliveries (${failShare * 100} % of answers 503) | ${f(report.underFailure.deliveriesPerSecond)} | | |`,
  )
  console.log(
    `| inbox captures | ${f(report.inbox.messagesPerSecond)} | array push ${f(report.inbox.arrayPushPerSecond)} | ${report.inbox.ratioToArray} |`,
  )
  for (const r of report.underFailure.rounds)
    console.log(
      `under failure: emitted ${r.emitted} = delivered ${r.delivered} + failed ${r.failed} (lost ${r.lost}), ${r.attempts} attempts`,
    )
  if (!report.underFailure.noneLost) process.exitCode = 1
} finally {
  await receiver.close()
}
