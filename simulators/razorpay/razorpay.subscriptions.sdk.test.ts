import { createRequire } from 'node:module'
import type Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { authorizeAtShortUrl } from './checkout/hosted-driver.ts'
import { razorpay } from './index.ts'
import { type Received, startReceiver } from './receiver.ts'
import { razorpayClient } from './sdk.ts'
import { MAX_RETRIES, RETRY_DELAY_MS } from './subscription-timing.ts'
import { rejection } from './test-support.ts'
import { signature } from './webhooks.ts'

// The SDK's own helpers.
const { validatePaymentVerification, validateWebhookSignature } = createRequire(import.meta.url)(
  'razorpay/dist/utils/razorpay-utils',
) as {
  validatePaymentVerification(params: Record<string, string>, signature: string, secret: string): boolean
  validateWebhookSignature(body: string, signature: string, secret: string): boolean
}

const secret = 'subs_webhook_secret'
const DAY = 86_400_000
let sims: RunningProviders
let rx: Awaited<ReturnType<typeof startReceiver>>
let n = 0

beforeAll(async () => {
  sims = await startProviders([razorpay])
  rx = await startReceiver()
})
afterAll(async () => {
  await sims.close()
  await rx.close()
})

/** A fresh merchant (key pair) whose webhooks go to the receiver at its own path. */
function merchant() {
  n += 1
  const keys = { key_id: `rzp_test_Subs${String(n).padStart(10, '0')}`, key_secret: `subs_secret_${n}` }
  sims.core.webhooks.addEndpoint({
    provider: 'razorpay',
    account: keys.key_id,
    url: `${rx.url}/m${n}`,
    secret,
    source: 'config',
  })
  const path = `/m${n}`
  const events = () => rx.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body))
  const until = (test: (events: { event: string }[]) => boolean) =>
    rx.until((r: Received[]) => test(r.filter((x) => x.path === path).map((x) => JSON.parse(x.body))))
  return { keys, rzp: razorpayClient(sims.url('razorpay'), keys), events, until, path }
}

const CARD = '4718609108204366'
const eventsOf = (
  list: { event: string; payload: { subscription?: { entity: { id: string } } } }[],
  id: string,
) => list.filter((e) => e.payload.subscription?.entity.id === id).map((e) => e.event)

async function monthly(rzp: Razorpay, amount = 49_900) {
  return rzp.plans.create({ period: 'monthly', interval: 1, item: { name: 'Gold', amount, currency: 'INR' } })
}

describe('a subscription through razorpay-node, on the virtual clock', () => {
  it('created → authorised at short_url (authenticated, activated, charged) → charged each month → completed', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp)
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2, notes: { user: 'u1' } })
    expect(sub).toMatchObject({
      entity: 'subscription',
      status: 'created',
      plan_id: plan.id,
      customer_id: null,
      paid_count: 0,
      remaining_count: 2,
      quantity: 1,
      auth_attempts: 0,
      notes: { user: 'u1' },
    })
    expect(sub.id).toMatch(/^sub_[A-Za-z0-9]{14}$/)
    const page = await fetch(sub.short_url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(sub.id)

    const auth = await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    if (!auth.ok) throw new Error(`authorisation failed: ${auth.description}`)
    expect(auth.fields.razorpay_subscription_id).toBe(sub.id)
    // The SDK's own helper accepts the checkout signature (payment_id|subscription_id).
    expect(
      validatePaymentVerification(
        { subscription_id: sub.id, payment_id: auth.fields.razorpay_payment_id! },
        auth.fields.razorpay_signature!,
        m.keys.key_secret,
      ),
    ).toBe(true)

    const active = await m.rzp.subscriptions.fetch(sub.id)
    expect(active).toMatchObject({ status: 'active', paid_count: 1, remaining_count: 1, auth_attempts: 1 })
    expect(active.customer_id).toMatch(/^cust_/)
    expect(active.charge_at).toBe(active.current_end)
    const payment = await m.rzp.payments.fetch(auth.fields.razorpay_payment_id!)
    expect(payment).toMatchObject({ status: 'captured', amount: 49_900, method: 'card' })

    await m.until((e) => e.length >= 5)
    // In order, each signed with the endpoint secret.
    expect(eventsOf(m.events(), sub.id)).toEqual([
      'subscription.authenticated',
      'subscription.activated',
      'subscription.charged',
    ])
    for (const hook of rx.received.filter((r) => r.path === m.path)) {
      expect(hook.headers['x-razorpay-signature']).toBe(signature(secret, hook.body))
      expect(validateWebhookSignature(hook.body, String(hook.headers['x-razorpay-signature']), secret)).toBe(
        true,
      )
    }
    const charged = m.events().find((e) => e.event === 'subscription.charged')
    expect(charged.contains).toEqual(['subscription', 'payment'])
    expect(charged.payload.payment.entity.id).toBe(auth.fields.razorpay_payment_id)

    await sims.core.clock.advanceAsync((active.current_end! - active.current_start!) * 1000)
    const second = await m.rzp.subscriptions.fetch(sub.id)
    expect(second).toMatchObject({ status: 'active', paid_count: 2, remaining_count: 0, charge_at: null })
    expect(second.current_start).toBe(active.current_end)
    await m.until(
      (e) => eventsOf(e as never, sub.id).filter((x) => x === 'subscription.charged').length === 2,
    )

    await sims.core.clock.advanceAsync((second.current_end! - second.current_start!) * 1000)
    const done = await m.rzp.subscriptions.fetch(sub.id)
    expect(done).toMatchObject({ status: 'completed', paid_count: 2 })
    expect(done.ended_at).not.toBeNull()
    await m.until((e) => eventsOf(e as never, sub.id).includes('subscription.completed'))
    expect(eventsOf(m.events(), sub.id)).toEqual([
      'subscription.authenticated',
      'subscription.activated',
      'subscription.charged',
      'subscription.charged',
      'subscription.completed',
    ])
  })

  it('a later start_at: authenticated now (auth payment refunded), activated and charged at start_at', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp, 29_900)
    const startAt = Math.floor(sims.core.clock.now() / 1000) + 3 * 86_400
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 6, start_at: startAt })
    const auth = await authorizeAtShortUrl(sub.short_url, { method: 'upi', vpa: 'success@razorpay' })
    if (!auth.ok) throw new Error('authorisation failed')
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({
      status: 'authenticated',
      paid_count: 0,
      charge_at: startAt,
    })
    expect(await m.rzp.payments.fetch(auth.fields.razorpay_payment_id!)).toMatchObject({ status: 'refunded' })
    await sims.core.clock.advanceAsync(3 * DAY)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({
      status: 'active',
      paid_count: 1,
      current_start: startAt,
    })
    await m.until((e) => eventsOf(e as never, sub.id).length === 3)
    expect(eventsOf(m.events(), sub.id)).toEqual([
      'subscription.authenticated',
      'subscription.activated',
      'subscription.charged',
    ])
  })

  it('an error card fails the authentication transaction: still created, auth_attempts counts, payment.failed', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp)
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 3 })
    const failed = await authorizeAtShortUrl(sub.short_url, { method: 'card', number: '4100280000080001' })
    expect(failed).toMatchObject({ ok: false, reason: 'insufficient_funds' })
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'created', auth_attempts: 1 })
    await m.until((e) => e.some((x) => x.event === 'payment.failed'))
    const retry = await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    expect(retry.ok).toBe(true)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'active', auth_attempts: 2 })
  })
})

describe('failed auto-charges: pending, retried daily, halted', () => {
  it('a declined renewal → pending; retries the next days; halted after the last retry; a card change reactivates', async () => {
    const m = merchant()
    const runtime = sims.runtime('razorpay')
    const plan = await monthly(m.rzp)
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 12 })
    await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    const active = await m.rzp.subscriptions.fetch(sub.id)
    await runtime.trigger('subscription.charge_fails', m.keys.key_id, { subscription_id: sub.id })

    await sims.core.clock.advanceAsync((active.current_end! - active.current_start!) * 1000)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'pending', paid_count: 1 })
    for (let i = 0; i < MAX_RETRIES - 1; i++) {
      await sims.core.clock.advanceAsync(RETRY_DELAY_MS)
      expect((await m.rzp.subscriptions.fetch(sub.id)).status).toBe('pending')
    }
    await sims.core.clock.advanceAsync(RETRY_DELAY_MS)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'halted', paid_count: 1 })
    await m.until((e) => eventsOf(e as never, sub.id).includes('subscription.halted'))
    const failures = m.events().filter((e) => e.event === 'payment.failed')
    expect(failures).toHaveLength(MAX_RETRIES + 1)
    expect(failures[0].payload.payment.entity.error_reason).toBe('card_declined')
    expect(eventsOf(m.events(), sub.id)).toEqual([
      'subscription.authenticated',
      'subscription.activated',
      'subscription.charged',
      'subscription.pending',
      'subscription.halted',
    ])

    await runtime.trigger('subscription.card_changed', m.keys.key_id, { subscription_id: sub.id })
    // Halted → active; the missed invoice is not charged ("you will have to charge them manually").
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'active', paid_count: 1 })
    await m.until(
      (e) => eventsOf(e as never, sub.id).filter((x) => x === 'subscription.activated').length === 2,
    )
  })

  it('a pending subscription whose retry succeeds is active again and charged', async () => {
    const m = merchant()
    const runtime = sims.runtime('razorpay')
    const plan = await monthly(m.rzp)
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 12 })
    await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    const active = await m.rzp.subscriptions.fetch(sub.id)
    await runtime.trigger('subscription.charge_fails', m.keys.key_id, { subscription_id: sub.id, times: 1 })
    await sims.core.clock.advanceAsync((active.current_end! - active.current_start!) * 1000)
    expect((await m.rzp.subscriptions.fetch(sub.id)).status).toBe('pending')
    await sims.core.clock.advanceAsync(RETRY_DELAY_MS)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'active', paid_count: 2 })
    await m.until(
      (e) => eventsOf(e as never, sub.id).filter((x) => x === 'subscription.charged').length === 2,
    )
    expect(eventsOf(m.events(), sub.id).slice(3)).toEqual([
      'subscription.pending',
      'subscription.activated',
      'subscription.charged',
    ])
  })
})

describe('cancel, pause, resume, update', () => {
  async function activeSub(m: ReturnType<typeof merchant>, total = 12) {
    const plan = await monthly(m.rzp)
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: total })
    await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    return { plan, sub: await m.rzp.subscriptions.fetch(sub.id) }
  }

  it('cancels now (subscription.cancelled); a cancelled one is not cancellable again, naming the status', async () => {
    const m = merchant()
    const { sub } = await activeSub(m)
    const cancelled = await m.rzp.subscriptions.cancel(sub.id)
    expect(cancelled).toMatchObject({ status: 'cancelled', charge_at: null })
    expect(cancelled.ended_at).not.toBeNull()
    const again = await rejection(m.rzp.subscriptions.cancel(sub.id))
    expect(again.statusCode).toBe(400)
    expect(again.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'Subscription is not cancellable in cancelled status.',
      field: 'status',
    })
    await m.until((e) => eventsOf(e as never, sub.id).includes('subscription.cancelled'))
  })

  it('cancel_at_cycle_end keeps it active until the cycle ends, then cancelled without a charge', async () => {
    const m = merchant()
    const { sub } = await activeSub(m)
    const marked = await m.rzp.subscriptions.cancel(sub.id, true)
    expect(marked.status).toBe('active')
    await sims.core.clock.advanceAsync((sub.current_end! - sub.current_start!) * 1000)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'cancelled', paid_count: 1 })
  })

  it('pauses an active subscription (no charges while paused) and resumes it', async () => {
    const m = merchant()
    const { sub } = await activeSub(m)
    expect(await m.rzp.subscriptions.pause(sub.id, { pause_at: 'now' })).toMatchObject({ status: 'paused' })
    await sims.core.clock.advanceAsync(40 * DAY)
    expect(await m.rzp.subscriptions.fetch(sub.id)).toMatchObject({ status: 'paused', paid_count: 1 })
    const resumed = await m.rzp.subscriptions.resume(sub.id, { resume_at: 'now' })
    expect(resumed.status).toBe('active')
    expect(resumed.charge_at).toBeGreaterThan(Math.floor(sims.core.clock.now() / 1000))
    const bad = await rejection(m.rzp.subscriptions.resume(sub.id, { resume_at: 'now' }))
    expect(bad.error).toMatchObject({
      description: 'Subscription is not resumable in active status.',
      field: 'status',
    })
    await m.until((e) => eventsOf(e as never, sub.id).includes('subscription.resumed'))
    expect(eventsOf(m.events(), sub.id).slice(3)).toEqual(['subscription.paused', 'subscription.resumed'])
  })

  it('pausing an authenticated subscription cancels it (the docs warning)', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp)
    const startAt = Math.floor(sims.core.clock.now() / 1000) + 5 * 86_400
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 3, start_at: startAt })
    await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    expect(await m.rzp.subscriptions.pause(sub.id, { pause_at: 'now' })).toMatchObject({
      status: 'cancelled',
    })
  })

  it('updates quantity now (subscription.updated) and a plan at cycle end (scheduled change, then applied)', async () => {
    const m = merchant()
    const { sub } = await activeSub(m)
    const now = await m.rzp.subscriptions.update(sub.id, { quantity: 2, schedule_change_at: 'now' })
    expect(now.quantity).toBe(2)
    const bigger = await monthly(m.rzp, 99_900)
    const later = await m.rzp.subscriptions.update(sub.id, {
      plan_id: bigger.id,
      schedule_change_at: 'cycle_end',
    })
    expect(later).toMatchObject({
      plan_id: sub.plan_id,
      has_scheduled_changes: true,
      change_scheduled_at: sub.current_end,
    })
    expect(await m.rzp.subscriptions.pendingUpdate(sub.id)).toMatchObject({ plan_id: bigger.id })
    await sims.core.clock.advanceAsync((sub.current_end! - sub.current_start!) * 1000)
    const after = await m.rzp.subscriptions.fetch(sub.id)
    expect(after).toMatchObject({
      plan_id: bigger.id,
      quantity: 2,
      has_scheduled_changes: false,
      paid_count: 2,
    })
    const charged = await m.until(
      (e) => eventsOf(e as never, sub.id).filter((x) => x === 'subscription.charged').length === 2,
    )
    void charged
    const last = m
      .events()
      .filter((e) => e.event === 'subscription.charged')
      .at(-1)
    expect(last.payload.payment.entity.amount).toBe(2 * 99_900)
    expect(eventsOf(m.events(), sub.id).filter((x) => x === 'subscription.updated')).toHaveLength(2)
  })

  it('cancel_scheduled_changes drops the change; pendingUpdate then has none', async () => {
    const m = merchant()
    const { sub } = await activeSub(m)
    await m.rzp.subscriptions.update(sub.id, { quantity: 3, schedule_change_at: 'cycle_end' })
    expect(await m.rzp.subscriptions.cancelScheduledChanges(sub.id)).toMatchObject({
      has_scheduled_changes: false,
    })
    const none = await rejection(m.rzp.subscriptions.pendingUpdate(sub.id))
    expect(none.statusCode).toBe(400)
  })

  it('lists subscriptions newest first, filtered by plan_id', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp)
    const a = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2 })
    const b = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2 })
    const other = await monthly(m.rzp, 10_000)
    await m.rzp.subscriptions.create({ plan_id: other.id, total_count: 2 })
    const page = await m.rzp.subscriptions.all({ plan_id: plan.id })
    expect(page.items.map((s) => s.id)).toEqual([b.id, a.id])
    expect((await m.rzp.subscriptions.all({ count: 1 })).items).toHaveLength(1)
  })

  it('expires a subscription not authorised by expire_by', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp)
    const expireBy = Math.floor(sims.core.clock.now() / 1000) + 3_600
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2, expire_by: expireBy })
    await sims.core.clock.advanceAsync(3_601_000)
    expect((await m.rzp.subscriptions.fetch(sub.id)).status).toBe('expired')
    const late = await authorizeAtShortUrl(sub.short_url, { method: 'card', number: CARD })
    expect(late.ok).toBe(false)
  })
})

describe('bad input answers Razorpay errors naming the parameter', () => {
  it('plan_id and total_count', async () => {
    const m = merchant()
    const missing = await rejection(m.rzp.subscriptions.create({ total_count: 2 } as never))
    expect(missing.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'The plan_id field is required.',
      field: 'plan_id',
    })
    const unknown = await rejection(
      m.rzp.subscriptions.create({ plan_id: 'plan_00000000000000', total_count: 2 }),
    )
    expect(unknown.error).toMatchObject({ description: 'The id provided does not exist' })
    const plan = await monthly(m.rzp)
    const noCount = await rejection(m.rzp.subscriptions.create({ plan_id: plan.id } as never))
    expect(noCount.error).toMatchObject({
      description: 'The total_count field is required.',
      field: 'total_count',
    })
    const past = await rejection(
      m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2, start_at: 1 }),
    )
    expect(past.error).toMatchObject({ field: 'start_at' })
    const extra = await rejection(
      m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2, colour: 'red' } as never),
    )
    expect(extra.error).toMatchObject({
      description: 'colour is/are not required and should not be sent',
      field: 'colour',
    })
  })

  it('update, pause and unknown ids', async () => {
    const m = merchant()
    const plan = await monthly(m.rzp)
    const sub = await m.rzp.subscriptions.create({ plan_id: plan.id, total_count: 2 })
    const notYet = await rejection(m.rzp.subscriptions.update(sub.id, { quantity: 2 }))
    expect(notYet.error).toMatchObject({
      description: 'Subscription cannot be updated in created status.',
      field: 'status',
    })
    const pause = await rejection(m.rzp.subscriptions.pause(sub.id, { pause_at: 'later' } as never))
    expect(pause.error).toMatchObject({ description: 'The selected pause_at is invalid.', field: 'pause_at' })
    const wrong = await rejection(m.rzp.subscriptions.fetch('order_00000000000000'))
    expect(wrong.error).toMatchObject({ description: 'order_00000000000000 is not a valid id' })
  })
})
