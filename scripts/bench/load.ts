import autocannon from 'autocannon'
import type { Endpoint } from './endpoints.ts'
import { cpuMicros, rssBytes } from './servers.ts'

/** One timed run against one server: throughput, latency, and what it cost the serving process. */
export interface Sample {
  rps: number
  p50: number
  p99: number
  /** CPU time (user + system) of the serving process per request answered, µs. */
  cpuUsPerReq: number
  rssMiB: number
  requests: number
  errors: number
}

export interface LoadOptions {
  url: string
  pid: number
  endpoint: Endpoint
  connections: number
  /** A timed run… */
  seconds?: number
  /** …or exactly one request per body (single-use bodies, such as Toss's payments to confirm). */
  bodies?: string[]
}

/**
 * What autocannon sends for `endpoint`: its request, with the next single-use body each time (`bodies`)
 * and a fresh value of its `keyHeader` each time (counted across runs in this process, so a later round
 * does not replay an earlier one's keys).
 */
export function requestOf(endpoint: Endpoint, bodies?: string[]): autocannon.Request {
  let next = 0
  const base = {
    method: endpoint.method,
    path: endpoint.path,
    headers: endpoint.headers,
    body: endpoint.body,
  }
  if (!bodies && !endpoint.keyHeader) return base
  return {
    ...base,
    setupRequest: (request: autocannon.Request) => ({
      ...request,
      ...(bodies && { body: bodies[next++ % bodies.length] }),
      ...(endpoint.keyHeader && { headers: withKey(endpoint, { ...request.headers }) }),
    }),
  }
}

let keys = 0

/**
 * `headers` with the endpoint's key header set to a fresh value, as an SDK makes one per request
 * (stripe-node: `stripe-node-retry-` and a UUID); unchanged for an endpoint without one. Set after the
 * literal is made: a conditional spread in it made every request's headers a slower object (3 µs more a
 * Razorpay order in bench:pipeline).
 */
export function withKey<H extends Record<string, unknown>>(endpoint: Endpoint, headers: H): H {
  if (endpoint.keyHeader)
    (headers as Record<string, unknown>)[endpoint.keyHeader] = `bench-${process.pid}-${++keys}`
  return headers
}

export async function load(options: LoadOptions): Promise<Sample> {
  const { endpoint, bodies } = options
  const cpuBefore = cpuMicros(options.pid)
  const started = performance.now()
  let lastAnswer = started
  const result = await run(
    {
      url: options.url,
      connections: options.connections,
      ...(bodies ? { amount: bodies.length } : { duration: options.seconds ?? 5 }),
      requests: [requestOf(endpoint, bodies)],
    },
    () => {
      lastAnswer = performance.now()
    },
  )
  const cpu = cpuMicros(options.pid) - cpuBefore
  const answered = Math.max(1, result.requests.total)
  return {
    // Answered over the time to the last answer: autocannon's own average (and its duration) counts whole
    // seconds, so a run of single-use bodies (Toss) that ends 0.3 s into a second reads a second long.
    rps: lastAnswer > started ? Math.round(result.requests.total / ((lastAnswer - started) / 1000)) : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerReq: Math.round(cpu / answered),
    rssMiB: Math.round(rssBytes(options.pid) / 2 ** 20),
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
  }
}

/** autocannon with a callback on every answer (the promise form has no events). */
function run(options: autocannon.Options, onAnswer: () => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)))
    instance.on('response', onAnswer)
  })
}
