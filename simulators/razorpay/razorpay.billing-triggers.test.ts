import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { razorpayClient } from './sdk.ts'
import { type Receiver, startRazorpayWithWebhooks } from './test-support.ts'
import { signature } from './webhooks.ts'

/** The billing triggers build the same object chain the hosted pages would, and their events arrive signed, in order. */
const keys = { key_id: 'rzp_test_BillingTrigger1', key_secret: 'billing_trigger' }
const secret = 'trigger_webhook_secret'
let sims: RunningProviders
let rx: Receiver
let close: () => Promise<void>

beforeAll(async () => {
  ;({ sims, rx, close } = await startRazorpayWithWebhooks(keys, secret))
})
afterAll(() => close())

const eventsAbout = (id: string) =>
  rx.received
    .filter((r) => r.body.includes(id))
    .map((r) => ({ event: JSON.parse(r.body).event as string, r }))

describe('billing triggers', () => {
  it('subscription.charged: a plan, a subscription authorised and charged; the SDK reads what the events say', async () => {
    const runtime = sims.runtime('razorpay')
    const { subscription } = (await runtime.trigger('subscription.charged', keys.key_id, {
      amount: 19_900,
      total_count: 3,
    })) as { subscription: { id: string } }
    await rx.until(() => eventsAbout(subscription.id).length >= 3)
    const got = eventsAbout(subscription.id)
    expect(got.map((e) => e.event)).toEqual([
      'subscription.authenticated',
      'subscription.activated',
      'subscription.charged',
    ])
    for (const { r } of got) expect(r.headers['x-razorpay-signature']).toBe(signature(secret, r.body))
    const rzp = razorpayClient(sims.url('razorpay'), keys)
    expect(await rzp.subscriptions.fetch(subscription.id)).toMatchObject({
      status: 'active',
      paid_count: 1,
      remaining_count: 2,
    })
  })

  it('subscription.charge_fails with times 1, then subscription.card_changed on the pending subscription charges it at once', async () => {
    const runtime = sims.runtime('razorpay')
    const { subscription } = (await runtime.trigger('subscription.charged', keys.key_id, {})) as {
      subscription: { id: string; current_end: number; current_start: number }
    }
    await runtime.trigger('subscription.charge_fails', keys.key_id, {
      subscription_id: subscription.id,
      times: 1,
    })
    await sims.core.clock.advanceAsync((subscription.current_end - subscription.current_start) * 1000)
    const rzp = razorpayClient(sims.url('razorpay'), keys)
    expect((await rzp.subscriptions.fetch(subscription.id)).status).toBe('pending')
    await runtime.trigger('subscription.card_changed', keys.key_id, { subscription_id: subscription.id })
    expect(await rzp.subscriptions.fetch(subscription.id)).toMatchObject({ status: 'active', paid_count: 2 })
    await rx.until(
      () => eventsAbout(subscription.id).filter((e) => e.event === 'subscription.charged').length === 2,
    )
    expect(eventsAbout(subscription.id).map((e) => e.event)).toEqual([
      'subscription.authenticated',
      'subscription.activated',
      'subscription.charged',
      'subscription.pending',
      'subscription.activated',
      'subscription.charged',
    ])
  })

  it('payment_link.paid: a link paid by UPI, with the order and payment events before it', async () => {
    const { payment_link } = (await sims.runtime('razorpay').trigger('payment_link.paid', keys.key_id, {
      amount: 25_000,
      reference_id: 'trigger-ref',
    })) as { payment_link: { id: string; order_id: string } }
    await rx.until(() => eventsAbout(payment_link.order_id).length >= 4)
    expect(eventsAbout(payment_link.order_id).map((e) => e.event)).toEqual([
      'payment.authorized',
      'payment.captured',
      'order.paid',
      'payment_link.paid',
    ])
    const paid = eventsAbout(payment_link.id).find((e) => e.event === 'payment_link.paid')!
    expect(paid.r.headers['x-razorpay-signature']).toBe(signature(secret, paid.r.body))
  })
})
