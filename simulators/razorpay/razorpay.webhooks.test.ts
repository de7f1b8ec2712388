import type Razorpay from 'razorpay'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { payOrder } from './checkout/driver.ts'
import type { Received } from './receiver.ts'
import { razorpayClient } from './sdk.ts'
import { type Receiver, startRazorpayWithWebhooks } from './test-support.ts'
import { signature } from './webhooks.ts'

/**
 * Razorpay retries "with exponential backoff for 24 hours after event creation" without publishing the
 * intervals; standin's choice, as its README states it: 1, 2, 4 … 512 minutes, then a last retry at
 * exactly 24 h after the first attempt. Written here from that statement, not imported from the code.
 */
const DOUBLING_MS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((minutes) => minutes * 60_000)
const RETRY_SCHEDULE = [...DOUBLING_MS, 24 * 3_600_000 - DOUBLING_MS.reduce((a, b) => a + b, 0)]

const keys = { key_id: 'rzp_test_Webhooks000001', key_secret: 'wh_key_secret' }
const secret = 'standin_webhook_secret'
let sims: RunningProviders
let rzp: Razorpay
let rx: Receiver
let close: () => Promise<void>

// The receiver fails the first two attempts of anything posted to /flaky, and everything posted to /dead.
beforeAll(async () => {
  ;({ sims, rzp, rx, close } = await startRazorpayWithWebhooks(keys, secret, {
    status: (path, nth) => (path === '/dead' || (path === '/flaky' && nth <= 2) ? 500 : 200),
  }))
})
afterAll(() => close())
afterEach(() => sims.core.webhooks.clearRules())

const forOrder = (orderId: string) => (r: Received) => r.path === '/hooks' && r.body.includes(orderId)
const eventOf = (r: Received) => JSON.parse(r.body).event as string

async function pay(amount: number, vpa = 'success@razorpay') {
  const order = await rzp.orders.create({ amount, currency: 'INR' })
  const result = await payOrder(sims.url('razorpay'), order.id, { method: 'upi', vpa })
  return { order, result }
}

describe('events of a checkout payment', () => {
  it('auto-capture sends payment.authorized, payment.captured and order.paid, each signed, each with its own event id', async () => {
    const { order } = await pay(11100)
    const got = (await rx.until((r) => r.filter(forOrder(order.id)).length >= 3)).filter(forOrder(order.id))
    expect(got.map(eventOf).sort()).toEqual(['order.paid', 'payment.authorized', 'payment.captured'])
    for (const hook of got) expect(hook.headers['x-razorpay-signature']).toBe(signature(secret, hook.body))
    expect(new Set(got.map((h) => h.headers['x-razorpay-event-id'])).size).toBe(3)
    const authorized = JSON.parse(got.find((h) => eventOf(h) === 'payment.authorized')!.body)
    // A snapshot: the authorized event still says authorized although the payment was captured right after.
    expect(authorized.payload.payment.entity.status).toBe('authorized')
    expect(authorized.contains).toEqual(['payment'])
  })

  it('failure@razorpay sends payment.failed with the error fields', async () => {
    const { order, result } = await pay(12200, 'failure@razorpay')
    expect(result).toMatchObject({ ok: false, reason: 'payment_failed' })
    const [hook] = await rx.until((r) => r.some(forOrder(order.id))).then((r) => r.filter(forOrder(order.id)))
    const event = JSON.parse(hook!.body)
    expect(event.event).toBe('payment.failed')
    expect(event.payload.payment.entity).toMatchObject({
      status: 'failed',
      error_code: 'BAD_REQUEST_ERROR',
      error_reason: 'payment_failed',
    })
    expect(await rzp.orders.fetch(order.id)).toMatchObject({ status: 'attempted', attempts: 1 })
  })

  it('a refund sends refund.created then refund.processed with refund and payment', async () => {
    const { order, result } = await pay(13300)
    if (!result.ok) throw new Error('payment failed')
    await rx.until((r) => r.filter(forOrder(order.id)).length >= 3)
    const made = await rzp.payments.refund(result.response.razorpay_payment_id, { amount: 300 })
    const got = await rx.until((r) => r.filter((x) => x.body.includes(made.id)).length >= 2)
    const events = got.filter((x) => x.body.includes(made.id)).map((x) => JSON.parse(x.body))
    expect(events.map((e) => e.event).sort()).toEqual(['refund.created', 'refund.processed'])
    expect(events[0].contains).toEqual(['refund', 'payment'])
    expect(events[0].payload.refund.entity).toMatchObject({ id: made.id, amount: 300 })
  })
})

describe('delivery policy', () => {
  it('retries a failing endpoint on the backoff schedule, in virtual time, with the same event id', async () => {
    const flaky = 'rzp_test_WebhooksFlaky01'
    const client = razorpayClient(sims.url('razorpay'), { key_id: flaky, key_secret: 'flaky' })
    sims.core.webhooks.addEndpoint({
      provider: 'razorpay',
      account: flaky,
      url: `${rx.url}/flaky`,
      secret,
      events: ['payment.failed'],
      source: 'config',
    })
    const order = await client.orders.create({ amount: 14400, currency: 'INR' })
    await payOrder(sims.url('razorpay'), order.id, { method: 'upi', vpa: 'failure@razorpay' })
    const first = await sims.core.webhooks.waitFor(
      { provider: 'razorpay', account: flaky, minAttempts: 1 },
      5_000,
    )
    expect(first?.status).toBe('retrying')
    sims.core.clock.advance(RETRY_SCHEDULE[0]!)
    await sims.core.webhooks.waitFor({ provider: 'razorpay', account: flaky, minAttempts: 2 }, 5_000)
    sims.core.clock.advance(RETRY_SCHEDULE[1]!)
    const done = await sims.core.webhooks.waitFor(
      { provider: 'razorpay', account: flaky, status: 'delivered' },
      5_000,
    )
    expect(done?.attempts.map((a) => a.status)).toEqual([500, 500, 200])
    const flakyHits = rx.received.filter((r) => r.path === '/flaky')
    expect(new Set(flakyHits.map((r) => r.headers['x-razorpay-event-id'])).size).toBe(1)
    expect(RETRY_SCHEDULE.reduce((a, b) => a + b, 0)).toBe(24 * 3_600_000)
  })

  it('an endpoint failing for 24 hours is disabled: later events are not sent to it', async () => {
    const dead = 'rzp_test_WebhooksDead001'
    const client = razorpayClient(sims.url('razorpay'), { key_id: dead, key_secret: 'dead' })
    const endpoint = sims.core.webhooks.addEndpoint({
      provider: 'razorpay',
      account: dead,
      url: `${rx.url}/dead`,
      secret,
      events: ['payment.failed'],
      source: 'config',
    })
    const order = await client.orders.create({ amount: 17700, currency: 'INR' })
    await payOrder(sims.url('razorpay'), order.id, { method: 'upi', vpa: 'failure@razorpay' })
    for (let n = 1; n <= RETRY_SCHEDULE.length; n++) {
      await sims.core.webhooks.waitFor({ account: dead, minAttempts: n }, 5_000)
      expect(sims.core.webhooks.getEndpoint(endpoint.id)?.enabled).toBe(true)
      sims.core.clock.advance(RETRY_SCHEDULE[n - 1]!)
    }
    const failed = await sims.core.webhooks.waitFor({ account: dead, status: 'failed' }, 5_000)
    expect(failed?.attempts).toHaveLength(RETRY_SCHEDULE.length + 1)
    expect(sims.core.webhooks.getEndpoint(endpoint.id)?.enabled).toBe(false)
    const before = rx.received.filter((r) => r.path === '/dead').length
    const next = await client.orders.create({ amount: 17800, currency: 'INR' })
    await payOrder(sims.url('razorpay'), next.id, { method: 'upi', vpa: 'failure@razorpay' })
    await sims.core.settled()
    expect(rx.received.filter((r) => r.path === '/dead')).toHaveLength(before)
  })
})

describe('webhook rules (duplicate, reorder) observed at the receiver', () => {
  it('duplicate: the same event, same id and signature, arrives twice', async () => {
    sims.core.webhooks.addRule({
      match: { provider: 'razorpay', eventType: 'payment.captured' },
      effect: { type: 'duplicate' },
      times: 1,
    })
    const { order } = await pay(15500)
    const got = await rx.until(
      (r) => r.filter((x) => forOrder(order.id)(x) && eventOf(x) === 'payment.captured').length >= 2,
    )
    const captured = got.filter((x) => forOrder(order.id)(x) && eventOf(x) === 'payment.captured')
    expect(captured).toHaveLength(2)
    expect(captured[0]!.headers['x-razorpay-event-id']).toBe(captured[1]!.headers['x-razorpay-event-id'])
    expect(captured[0]!.body).toBe(captured[1]!.body)
    expect(captured[1]!.headers['x-razorpay-signature']).toBe(signature(secret, captured[1]!.body))
  })

  it('reorder: payment.authorized is held until later events of the order have arrived', async () => {
    sims.core.webhooks.addRule({
      match: { provider: 'razorpay', eventType: 'payment.authorized' },
      effect: { type: 'reorder', holdMs: 60_000 },
      times: 1,
    })
    const { order } = await pay(16600)
    const got = (await rx.until((r) => r.filter(forOrder(order.id)).length >= 3)).filter(forOrder(order.id))
    const events = got.map(eventOf)
    // Released once a later event of the endpoint is delivered, so it can no longer be first.
    expect(events).toHaveLength(3)
    expect(events.indexOf('payment.authorized')).toBeGreaterThan(0)
  })
})
