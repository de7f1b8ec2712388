import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { createRandom, type Random } from '../core/random.ts'
import { freePorts, untilOutput } from './hub-process.ts'
import { allProviders } from './providers.ts'

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

interface Target {
  name: string
  port: number
}

interface Exchange {
  /** Statuses of the answers read (several when pipelined); empty when the server only closed. */
  statuses: number[]
  hung: boolean
}

const PROVIDER_NAMES = allProviders.map((p) => p.name)
const SID = `AC${'f'.repeat(32)}`

/** A valid request per provider, the seeds the mutations start from. */
const VALID: Record<string, { method: string; path: string; headers: Record<string, string>; body: string }> =
  {
    twilio: {
      method: 'POST',
      path: `/2010-04-01/Accounts/${SID}/Messages.json`,
      headers: {
        authorization: `Basic ${Buffer.from(`${SID}:token`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'To=%2B14155550100&From=%2B14155550199&Body=fuzz',
    },
    aligo: {
      method: 'POST',
      path: '/send/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'key=fuzzkey00000000000000000000&user_id=fuzz&sender=01000000000&receiver=01012345678&msg=fuzz',
    },
    sendgrid: {
      method: 'POST',
      path: '/v3/mail/send',
      headers: { authorization: 'Bearer SG.fuzz.secret', 'content-type': 'application/json' },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: 'to@example.com' }] }],
        from: { email: 'from@example.com' },
        subject: 'fuzz',
        content: [{ type: 'text/plain', value: 'fuzz' }],
      }),
    },
    stripe: {
      method: 'POST',
      path: '/v1/customers',
      headers: { authorization: 'Bearer sk_test_fuzz', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=fuzz%40example.com&metadata[order]=o_1',
    },
    razorpay: {
      method: 'POST',
      path: '/v1/orders',
      headers: {
        authorization: `Basic ${Buffer.from('rzp_test_fuzz:secret').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ amount: 500, currency: 'INR', receipt: 'r_1' }),
    },
    toss: {
      method: 'POST',
      path: '/v1/payments/confirm',
      headers: {
        authorization: `Basic ${Buffer.from('test_sk_fuzz:').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ paymentKey: 'pk_1', orderId: 'order-0001', amount: 1000 }),
    },
  }

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']
const ODD_METHODS = ['PROPFIND', 'MOVE', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'PURGE', 'SEARCH', 'FOO', 'get']
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  '',
  ';;;',
  'application/x-www-form-urlencoded; charset=euc-kr',
]
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString']

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}
function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}
function randomBytes(random: Random, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}

function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string,
  options: { contentLength?: number | null; close?: boolean } = {},
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
  if (options.contentLength !== null) head += `Content-Length: ${options.contentLength ?? bytes.length}\r\n`
  if (options.close !== false) head += 'Connection: close\r\n'
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes])
}

/**
 * Statuses of every HTTP answer in a byte stream, read one after another by their framing
 * (Content-Length or chunked), since pipelined answers follow each other with no separator.
 */
function statusesOf(data: Buffer): number[] {
  const out: number[] = []
  let pos = 0
  while (pos < data.length) {
    const line = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(pos, pos + 16).toString('latin1'))
    if (!line) break
    out.push(Number(line[1]))
    const end = data.indexOf('\r\n\r\n', pos)
    if (end < 0) break
    const head = data.subarray(pos, end).toString('latin1').toLowerCase()
    pos = end + 4
    const length = /\r\ncontent-length: *(\d+)/.exec(head)
    if (length) pos += Number(length[1])
    else if (/\r\ntransfer-encoding: *chunked/.test(head)) {
      for (;;) {
        const lineEnd = data.indexOf('\r\n', pos)
        if (lineEnd < 0) return out
        const size = Number.parseInt(data.subarray(pos, lineEnd).toString('latin1'), 16)
        pos = lineEnd + 2 + (Number.isNaN(size) ? 0 : size) + 2
        if (!size) break
      }
    } else break // the body runs to the close: nothing follows it
  }
  return out
}

/**
 * Writes `chunks` on a fresh socket (`pauseMs` between them when given), reads until the server
 * closes, and gives up (a hang) after `hangMs`. `abortAfterWrite` closes our side at once.
 */
function exchange(
  port: number,
  chunks: Buffer[],
  hangMs: number,
  options: { abortAfterWrite?: boolean } = {},
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    let done = false
    const finish = (hung: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ statuses: statusesOf(Buffer.concat(received)), hung })
    }
    const timer = setTimeout(() => finish(true), hangMs)
    socket.on('data', (c: Buffer) => received.push(c))
    socket.on('error', () => finish(false))
    socket.on('close', () => finish(false))
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
      // No half-close: a client that ends its side may be dropped before an asynchronous answer.
      if (options.abortAfterWrite) finish(false)
    })
  })
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return 0
  }
}

/** Starts the hub as a child process on free loopback ports; resolves once it listens. */
async function startHubProcess(
  requestTimeoutMs: number,
  seed: number,
): Promise<{ child: ChildProcess; control: number; ports: Record<string, number>; exited: () => boolean }> {
  const free = await freePorts(PROVIDER_NAMES.length + 1)
  const ports = Object.fromEntries(PROVIDER_NAMES.map((name, i) => [name, free[i + 1]!]))
  const args = [
    'bin/standin.js',
    'up',
    '--port',
    String(free[0]),
    '--log',
    'silent',
    '--seed',
    String(seed),
    '--request-timeout-ms',
    String(requestTimeoutMs),
    ...PROVIDER_NAMES.flatMap((name) => [`--${name}-port`, String(ports[name])]),
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let exited = false
  // Should this process end first (an error, a closed pipe), the hub it started goes with it.
  const killChild = () => child.kill('SIGKILL')
  process.once('exit', killChild)
  child.once('exit', () => {
    exited = true
    process.off('exit', killChild)
  })
  await untilOutput(child, `127.0.0.1:${ports[PROVIDER_NAMES.at(-1)!]}`, {
    exited: (code, err) => `the hub exited (${code}) before it listened: ${err}`,
  })
  child.stdout!.resume()
  child.stderr!.resume()
  return { child, control: free[0]!, ports, exited: () => exited }
}

/** One generated request: where, what bytes, and how the socket behaves. */
interface Case {
  target: string
  port: number
  chunks: Buffer[]
  abortAfterWrite?: boolean
  /** The answer may legitimately be only a close (abrupt or slow clients). */
  mayClose?: boolean
  /** HTTP requests in the chunks (several when pipelined). */
  requests?: number
}

type Generator = (random: Random, target: Target) => Case

const valid = (name: string) => VALID[name] ?? VALID.stripe!

function deepJson(random: Random, depth: number): string {
  const open = random() < 0.5
  return open ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

const PHASES: { name: string; weight: number; generate: Generator }[] = [
  {
    name: 'malformed JSON and forms',
    weight: 20,
    generate: (random, t) => {
      const v = valid(t.name)
      const kinds = [
        () => v.body.slice(0, int(random, 0, v.body.length)),
        () => `${v.body}${pick(random, ['}', ']', ',', '"', '\\', '&&&', '=', '%', '[', '[]=1'])}`,
        () =>
          pick(random, ['{', '[', '{"a":}', 'null', 'true', '1e999', '"x"', '{"a":1,}', "{'a':1}", 'NaN']),
        () => randomBytes(random, int(random, 1, 2000)).toString('latin1'),
        () => 'a[b][c]=1&a[b]=2&a=3&a[]=4&[]=5&=6&&a[b][c][d]=7',
        () => `--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz`,
        () => v.body.replace(/[=:]/g, ''),
      ]
      const body = pick(random, kinds)()
      const headers = {
        ...v.headers,
        'content-type': pick(random, [...CONTENT_TYPES, v.headers['content-type'] ?? '']),
      }
      return {
        target: t.name,
        port: t.port,
        chunks: [rawRequest(pick(random, ['POST', 'PUT', 'PATCH']), v.path, headers, body)],
      }
    },
  },
  {
    name: 'deep and huge nesting',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const depth = pick(random, [100, 1_000, 5_000, 20_000, 100_000])
      const form = random() < 0.3
      const body = form
        ? `a${'[b]'.repeat(Math.min(depth, 20_000))}=1`
        : random() < 0.8
          ? deepJson(random, depth)
          : JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])))
      const headers = {
        ...v.headers,
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      }
      return { target: t.name, port: t.port, chunks: [rawRequest('POST', v.path, headers, body)] }
    },
  },
  {
    name: 'prototype-pollution keys',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const key = pick(random, PROTO_KEYS)
      const json = random() < 0.5
      const body = json
        ? `{"${key}":{"polluted":"yes","constructor":{"prototype":{"polluted":"yes"}}},"metadata":{"${key}":{"x":1}}}`
        : `${key}[polluted]=yes&constructor[prototype][polluted]=yes&metadata[${key}][x]=1&${encodeURIComponent(key)}=1`
      const headers = {
        ...v.headers,
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      }
      const query = random() < 0.5 ? `?${key}[polluted]=1&a[${key}][b]=1` : ''
      return { target: t.name, port: t.port, chunks: [rawRequest(v.method, v.path + query, headers, body)] }
    },
  },
  {
    name: 'invalid encodings',
    weight: 10,
    generate: (random, t) => {
      const v = valid(t.name)
      const bad = [
        () => rawRequest(v.method, `${v.path}%ZZ%`, v.headers, v.body),
        () => rawRequest(v.method, `${v.path}?a=%E0%A4%A&b=%FF%FE&c=%00`, v.headers, v.body),
        () =>
          rawRequest(
            v.method,
            v.path,
            v.headers,
            Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
          ),
        () =>
          rawRequest(
            v.method,
            v.path,
            { ...v.headers, 'content-encoding': pick(random, ['gzip', 'br', 'deflate', 'x']) },
            v.body,
          ),
        () =>
          rawRequest(
            v.method,
            v.path,
            { ...v.headers, 'transfer-encoding': 'chunked' },
            `zz\r\n${v.body}\r\n0\r\n\r\n`,
            { contentLength: null },
          ),
        () =>
          rawRequest(v.method, v.path, { ...v.headers, 'content-length': '-1' }, v.body, {
            contentLength: null,
          }),
        () => rawRequest(v.method, v.path, { ...v.headers, 'x-weird': 'a\u0001b' }, v.body),
        () =>
          Buffer.concat([
            Buffer.from(
              `${v.method} ${v.path} HTTP/1.1\r\nHost: x\r\nX: \u00ff\u00fe\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
              'latin1',
            ),
          ]),
        () => rawRequest(v.method, v.path, v.headers, randomBytes(random, int(random, 1, 512))),
        () =>
          rawRequest(v.method, `/${encodeURIComponent('\u{1F600}')}/../..%2f..%2fetc/passwd`, v.headers, ''),
      ]
      return { target: t.name, port: t.port, chunks: [pick(random, bad)()] }
    },
  },
  {
    name: 'huge headers and bodies',
    weight: 4,
    generate: (random, t) => {
      const v = valid(t.name)
      const kind = random()
      if (kind < 0.4)
        return {
          target: t.name,
          port: t.port,
          chunks: [
            rawRequest(
              v.method,
              v.path,
              { ...v.headers, 'x-big': 'a'.repeat(int(random, 17_000, 80_000)) },
              v.body,
            ),
          ],
        }
      if (kind < 0.55) {
        const many: Record<string, string> = { ...v.headers }
        for (let i = 0; i < 2_000; i++) many[`x-h${i}`] = 'v'
        return { target: t.name, port: t.port, chunks: [rawRequest(v.method, v.path, many, v.body)] }
      }
      const size = pick(random, [512 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024])
      const body = random() < 0.5 ? Buffer.alloc(size, 0x61) : Buffer.from(`{"blob":"${'x'.repeat(size)}"}`)
      return {
        target: t.name,
        port: t.port,
        chunks: [rawRequest('POST', v.path, { ...v.headers, 'content-type': 'application/json' }, body)],
        mayClose: true,
      }
    },
  },
  {
    name: 'unknown routes and methods',
    weight: 20,
    generate: (random, t) => {
      const v = valid(t.name)
      const segments = Array.from({ length: int(random, 0, 6) }, () =>
        pick(random, [
          'v1',
          'v2',
          'x',
          '..',
          '.',
          '',
          ':id',
          '*',
          '%2F',
          'a'.repeat(int(random, 1, 3000)),
          'Accounts',
          SID,
          '_standin',
        ]),
      )
      const path =
        random() < 0.3 ? v.path + pick(random, ['/', '//', '/x', '.json', '?']) : `/${segments.join('/')}`
      const method = random() < 0.4 ? pick(random, ODD_METHODS) : pick(random, METHODS)
      return {
        target: t.name,
        port: t.port,
        chunks: [rawRequest(method, path, v.headers, method === 'GET' ? '' : v.body)],
      }
    },
  },
  {
    name: 'pipelining',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const n = int(random, 2, 8)
      const chunks = Array.from({ length: n }, (_, i) =>
        rawRequest(i % 2 ? 'GET' : v.method, i % 3 ? v.path : '/nope', v.headers, i % 2 ? '' : v.body, {
          close: i === n - 1,
        }),
      )
      return {
        target: t.name,
        port: t.port,
        chunks: random() < 0.5 ? [Buffer.concat(chunks)] : chunks,
        requests: n,
      }
    },
  },
  {
    name: 'abrupt closes',
    weight: 8,
    generate: (random, t) => {
      const v = valid(t.name)
      const full = rawRequest(v.method, v.path, v.headers, v.body)
      return {
        target: t.name,
        port: t.port,
        chunks: [full.subarray(0, int(random, 0, full.length - 1))],
        abortAfterWrite: true,
        mayClose: true,
      }
    },
  },
  {
    name: 'extreme control-plane values',
    weight: 10,
    generate: (random, t) => {
      const huge = pick(random, [
        1e308,
        -1e308,
        8.64e15 + 1,
        -8.64e15 - 1,
        2 ** 53,
        Number.MAX_SAFE_INTEGER,
        -1,
        0,
        1.5,
      ])
      const cases: [string, string, unknown][] = [
        ['POST', '/_standin/clock/set', { time: huge }],
        [
          'POST',
          '/_standin/clock/set',
          { time: pick(random, ['+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', 'soon', '']) },
        ],
        [
          'POST',
          '/_standin/clock/advance',
          { by: pick(random, [huge, '99999999999999d', '1e308', '-1d', '3d', 'NaN']) },
        ],
        ['POST', '/_standin/clock/scale', { scale: huge }],
        [
          'GET',
          `/_standin/journal?limit=${huge}&since=${huge}&afterSeq=${huge}&provider=${pick(random, ['stripe', 'nope', ''])}`,
          undefined,
        ],
        [
          'GET',
          `/_standin/webhooks/deliveries/wait?timeoutMs=${pick(random, [0, 1, huge])}&eventId=none`,
          undefined,
        ],
        [
          'GET',
          `/_standin/messages?provider=${pick(random, ['twilio', 'x', '__proto__'])}&limit=${huge}`,
          undefined,
        ],
        [
          'POST',
          '/_standin/faults',
          {
            match: { provider: pick(random, PROVIDER_NAMES), operation: 'nope' },
            effect: { type: 'status', status: huge },
          },
        ],
        [
          'POST',
          '/_standin/faults',
          { match: { body: { 'a.b': { regex: '(a+)+$' } } }, effect: { type: 'latency', ms: huge } },
        ],
        [
          'POST',
          '/_standin/webhooks/rules',
          { match: { provider: 'stripe' }, effect: { type: 'delay', ms: huge } },
        ],
        [
          'POST',
          '/_standin/presets/webhook-retry-storm/apply',
          { vars: { provider: pick(random, ['nope', '__proto__', '\u0024{provider}']) } },
        ],
        [
          'POST',
          '/_standin/webhooks/events',
          {
            provider: pick(random, PROVIDER_NAMES),
            event: 'x',
            payload: { id: 'evt_fuzz' },
            account: 'fuzz',
          },
        ],
        ['POST', '/_standin/reset', { provider: pick(random, ['nope', '__proto__', 'constructor']) }],
        ['GET', `/_standin/faults/${'f'.repeat(int(random, 1, 5000))}`, undefined],
        ['DELETE', '/_standin/journal?provider=constructor', undefined],
      ]
      const [method, path, body] = pick(random, cases)
      const text = body === undefined ? '' : JSON.stringify(body)
      return {
        target: t.name,
        port: t.port,
        chunks: [
          rawRequest(method, path, body === undefined ? {} : { 'content-type': 'application/json' }, text),
        ],
      }
    },
  },
]

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
