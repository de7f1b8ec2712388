import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { IdMinter } from '../random.ts'
import { silentLogger } from '../runtime.ts'
import { WebhookDispatcher } from './dispatcher.ts'
import { startReceiver } from './receiver.ts'
import type { RetryDecisionInput, WebhookSpec } from './types.ts'

/**
 * WebhookSpec.retry (a provider decides, from how an attempt failed and the
 * endpoint, whether and when to retry) and WebhookSpec.attemptTimeoutMs (a
 * per-endpoint timeout). Provider-neutral: the provider here is 'p'.
 */
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

function dispatcherWith(spec: WebhookSpec) {
  const clock = new VirtualClock({ start: 0, scale: 0 })
  const dispatcher = new WebhookDispatcher({
    clock,
    ids: new IdMinter(1),
    spec: (provider) => (provider === 'p' ? spec : undefined),
    log: silentLogger,
  })
  return { clock, dispatcher }
}

const sign = () => ({ 'content-type': 'application/json' })

/** Retries once, at once, and only when no connection could be made; records every decision asked for. */
function connectOnly(decisions: RetryDecisionInput[]): WebhookSpec {
  return {
    schedule: [60_000, 60_000, 60_000],
    sign,
    retry: (input) => {
      decisions.push(input)
      return input.failure === 'connect' && input.failures <= 1 ? 0 : undefined
    },
  }
}

async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/hook`
}

describe('WebhookSpec.retry', () => {
  it('a 5xx the provider does not retry ends the delivery failed after one attempt, whatever the schedule says', async () => {
    const rx = await startReceiver(() => 503)
    closers.push(rx.close)
    const decisions: RetryDecisionInput[] = []
    const { dispatcher } = dispatcherWith(connectOnly(decisions))
    dispatcher.addEndpoint({ provider: 'p', account: 'a', url: rx.url, secret: 's', source: 'config' })
    const event = dispatcher.emit('p', 'a', { type: 't', payload: { x: 1 } })
    const done = await dispatcher.waitFor({ eventId: event.id, status: 'failed' }, 3_000)
    expect(done?.attempts.map((a) => a.status)).toEqual([503])
    expect(decisions).toHaveLength(1)
    expect(decisions[0]).toMatchObject({ failure: 'http', failures: 1, scheduled: 60_000 })
    expect(decisions[0]!.attempt.status).toBe(503)
    expect(decisions[0]!.endpoint.url).toBe(rx.url)
    expect(decisions[0]!.event.id).toBe(event.id)
    expect(rx.received).toHaveLength(1)
  })

  it('a refused connection is a `connect` failure: retried as the provider says (once, at once), then failed', async () => {
    const url = await closedPortUrl()
    const decisions: RetryDecisionInput[] = []
    const { dispatcher } = dispatcherWith(connectOnly(decisions))
    dispatcher.addEndpoint({ provider: 'p', account: 'a', url, secret: 's', source: 'config' })
    const event = dispatcher.emit('p', 'a', { type: 't', payload: {} })
    const done = await dispatcher.waitFor({ eventId: event.id, status: 'failed' }, 3_000)
    expect(done?.attempts).toHaveLength(2)
    expect(decisions.map((d) => [d.failure, d.failures])).toEqual([
      ['connect', 1],
      ['connect', 2],
    ])
  })

  it('the delay it returns is virtual time: the retry waits for the clock', async () => {
    const rx = await startReceiver((n) => (n === 1 ? 500 : 200))
    closers.push(rx.close)
    const { clock, dispatcher } = dispatcherWith({
      schedule: [],
      sign,
      retry: ({ failures }) => (failures === 1 ? 5_000 : undefined),
    })
    dispatcher.addEndpoint({ provider: 'p', account: 'a', url: rx.url, secret: 's', source: 'config' })
    const event = dispatcher.emit('p', 'a', { type: 't', payload: {} })
    const first = await dispatcher.waitFor({ eventId: event.id, status: 'retrying' }, 3_000)
    expect(first?.attempts).toHaveLength(1)
    await clock.advanceAsync(4_999)
    expect(rx.received).toHaveLength(1)
    await clock.advanceAsync(1)
    const done = await dispatcher.waitFor({ eventId: event.id, status: 'delivered' }, 3_000)
    expect(done?.attempts.map((a) => a.status)).toEqual([500, 200])
  })

  it('attemptTimeoutMs gives each endpoint its own timeout; an answer too late is a `timeout` failure', async () => {
    const slow = createServer((_req, res) => {
      setTimeout(() => res.end('late'), 400)
    })
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise<void>((resolve) => slow.close(() => resolve())))
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook#short`
    const decisions: RetryDecisionInput[] = []
    const { dispatcher } = dispatcherWith({
      schedule: [],
      sign,
      timeoutMs: 10_000,
      attemptTimeoutMs: (endpoint) => (endpoint.url.endsWith('#short') ? 100 : undefined),
      retry: (input) => {
        decisions.push(input)
        return undefined
      },
    })
    dispatcher.addEndpoint({ provider: 'p', account: 'a', url, secret: 's', source: 'config' })
    const event = dispatcher.emit('p', 'a', { type: 't', payload: {} })
    const done = await dispatcher.waitFor({ eventId: event.id, status: 'failed' }, 3_000)
    expect(done?.attempts[0]?.durationMs).toBeLessThan(400)
    expect(decisions[0]?.failure).toBe('timeout')
  })
})
