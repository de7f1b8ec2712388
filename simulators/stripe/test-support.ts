import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { isLegacy, LEGACY_VERSION, PINNED_VERSION } from './codec.ts'
import { stripe } from './index.ts'
import { checkResponse } from './spec-check.ts'

/**
 * What the SDK suites share: the simulator on an ephemeral port, official
 * clients pointed at it (one key, hence one account, per test), a check that
 * every JSON body answered in the bundled spec's version matches the spec,
 * and a local webhook receiver.
 */
export { LEGACY_VERSION, PINNED_VERSION }

export interface Harness {
  sims: RunningProviders
  port: number
  /** A client with a fresh test key (a fresh account) unless `key` is given. */
  client(options?: { version?: string; key?: string }): Stripe
  /** Problems of every legacy-version response since the last call. */
  specProblems(): string[]
  close(): Promise<void>
}

let keys = 0

export async function startHarness(): Promise<Harness> {
  const sims = await startProviders([stripe], { seed: 7 })
  const port = sims.port('stripe')
  let seen = 0
  return {
    sims,
    port,
    client: (options = {}) =>
      new Stripe(options.key ?? `sk_test_suite${++keys}`, {
        host: '127.0.0.1',
        port,
        protocol: 'http',
        maxNetworkRetries: 0,
        telemetry: false,
        ...(options.version ? { apiVersion: options.version as Stripe.LatestApiVersion } : {}),
      }),
    specProblems: () => {
      const problems: string[] = []
      for (const entry of sims.core.journal.list({ provider: 'stripe', afterSeq: seen, limit: 10_000 })) {
        seen = Math.max(seen, entry.seq)
        const version = entry.headers['stripe-version']
        if (!version || !isLegacy(version) || !entry.path.startsWith('/v1/')) continue
        if (entry.response === null || typeof entry.response !== 'object') continue
        for (const p of checkResponse(entry.response)) problems.push(`${entry.method} ${entry.path} → ${p}`)
      }
      return problems
    },
    close: () => sims.close(),
  }
}

/**
 * Registers a suite's hooks: a harness started before all its tests and closed
 * after them, and (unless `specCheck` is false) an `afterEach` that expects no
 * spec problems in the legacy-version answers of the test. Returns the harness,
 * readable in tests and in hooks registered after this call.
 * @example
 * const h = useHarness()
 * it('creates a customer', async () => { await h.client().customers.create({}) })
 */
export function useHarness(options: { specCheck?: boolean } = {}): Harness {
  let current: Harness | undefined
  const started = () => {
    if (!current)
      throw new Error(
        'Failed to use the Stripe harness: it is not started yet. Read it inside a test, or in a hook registered after useHarness().',
      )
    return current
  }
  beforeAll(async () => {
    current = await startHarness()
  })
  afterAll(() => current?.close())
  if (options.specCheck !== false)
    afterEach(() => {
      expect(started().specProblems()).toEqual([])
    })
  return {
    get sims() {
      return started().sims
    },
    get port() {
      return started().port
    },
    client: (o) => started().client(o),
    specProblems: () => started().specProblems(),
    close: () => started().close(),
  }
}

/** The error a call that must fail rejects with; throws if the call succeeds. */
export async function failure(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p
  } catch (error) {
    return error as Stripe.errors.StripeError
  }
  throw new Error('expected the call to fail')
}

export interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/**
 * Each delivery in `received` passes the SDK's own signature check with
 * `secret`, and its event and the event's object match the bundled spec
 * (deliveries whose type `skip` names are checked for the signature only).
 * @example
 * expectSignedToSpec(s, receiver.received, endpoint.secret!)
 */
export function expectSignedToSpec(
  s: Stripe,
  received: Received[],
  secret: string,
  skip: (type: string) => boolean = () => false,
): void {
  for (const r of received) {
    const event = s.webhooks.constructEvent(r.body, r.headers['stripe-signature'] as string, secret)
    if (skip(event.type)) continue
    expect([...checkResponse(event), ...checkResponse(event.data.object)]).toEqual([])
  }
}

/** A local HTTP server standing in for the app's webhook route; answers `status()` (200 by default). */
export async function startReceiver(status: () => number = () => 200) {
  const received: Received[] = []
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      received.push(r)
      for (const w of [...waiters])
        if (w.pred(r)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(r)
        }
      res.statusCode = status()
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`
  return {
    url,
    received,
    /** Resolves with the first delivery whose parsed event satisfies `pred`. */
    waitFor(
      pred: (event: {
        type: string
        id: string
        data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> }
      }) => boolean,
      ms = 5000,
    ) {
      const test = (r: Received) => pred(JSON.parse(r.body))
      const hit = received.find(test)
      if (hit) return Promise.resolve(hit)
      return new Promise<Received>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching webhook delivery')), ms)
        waiters.push({
          pred: test,
          resolve: (r) => {
            clearTimeout(timer)
            resolve(r)
          },
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
