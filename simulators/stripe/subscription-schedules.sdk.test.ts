import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { expectSignedToSpec, failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/** Subscription schedules through the official library, phases driven by a test clock. */
const h = useHarness()

const DAY = 86_400
const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z
const FEB = 1_769_904_000 // 2026-02-01
const MAR = 1_772_323_200 // 2026-03-01

async function setup(s: Stripe) {
  const clock = await s.testHelpers.testClocks.create({ frozen_time: T0 })
  const customer = await s.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa' })
  const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
  await s.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
  const monthly = (amount: number) =>
    s.prices.create({
      currency: 'usd',
      unit_amount: amount,
      recurring: { interval: 'month' },
      product_data: { name: `P${amount}` },
    })
  return { clock, customer, basic: await monthly(1000), pro: await monthly(3000), max: await monthly(5000) }
}

describe('subscription schedules', () => {
  it('runs its phases on the clock and cancels at the end, events signed and in order', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: [
          'subscription_schedule.created',
          'subscription_schedule.updated',
          'subscription_schedule.completed',
          'customer.subscription.created',
          'customer.subscription.deleted',
          'invoice.paid',
        ],
        api_version: LEGACY_VERSION,
      })
      const { clock, customer, basic, pro } = await setup(s)
      const schedule = await s.subscriptionSchedules.create({
        customer: customer.id,
        start_date: 'now',
        end_behavior: 'cancel',
        phases: [
          { items: [{ price: basic.id }], duration: undefined, iterations: 1 } as never,
          { items: [{ price: pro.id }], iterations: 1 } as never,
        ],
      })
      expect(schedule.id).toMatch(/^sub_sched_/)
      expect(schedule).toMatchObject({
        status: 'active',
        end_behavior: 'cancel',
        current_phase: { start_date: T0, end_date: FEB },
      })
      expect(schedule.phases.map((p) => [p.start_date, p.end_date])).toEqual([
        [T0, FEB],
        [FEB, MAR],
      ])
      const sub = await s.subscriptions.retrieve(schedule.subscription as string, { expand: ['schedule'] })
      expect(sub.schedule).toMatchObject({ id: schedule.id })
      expect(sub.items.data[0]!.price.id).toBe(basic.id)
      await s.testHelpers.testClocks.advance(clock.id, { frozen_time: FEB + 2 * 3600 })
      const second = await s.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] })
      expect(second.items.data[0]!.price.id).toBe(pro.id)
      expect(second.latest_invoice).toMatchObject({ amount_paid: 3000, billing_reason: 'subscription_cycle' })
      expect((await s.subscriptionSchedules.retrieve(schedule.id)).current_phase).toEqual({
        start_date: FEB,
        end_date: MAR,
      })
      await s.testHelpers.testClocks.advance(clock.id, { frozen_time: MAR + 2 * 3600 })
      expect((await s.subscriptions.retrieve(sub.id)).status).toBe('canceled')
      expect(await s.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
        status: 'completed',
        current_phase: null,
      })
      await receiver.waitFor((e) => e.type === 'customer.subscription.deleted')
      expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual([
        'subscription_schedule.created',
        'customer.subscription.created',
        'invoice.paid',
        'subscription_schedule.updated',
        'invoice.paid',
        'subscription_schedule.completed',
        'customer.subscription.deleted',
      ])
      expectSignedToSpec(s, receiver.received, endpoint.secret!)
    } finally {
      await receiver.close()
    }
  })

  it('starts later on the clock, updates phases, releases, and refuses what a released schedule cannot do', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const { clock, customer, basic, pro, max } = await setup(s)
    const later = await s.subscriptionSchedules.create({
      customer: customer.id,
      start_date: T0 + 10 * DAY,
      phases: [{ items: [{ price: basic.id }], iterations: 2 } as never],
    })
    expect(later).toMatchObject({ status: 'not_started', subscription: null, end_behavior: 'release' })
    const updated = await s.subscriptionSchedules.update(later.id, {
      phases: [
        { items: [{ price: pro.id }], iterations: 1 } as never,
        { items: [{ price: max.id }], iterations: 1 } as never,
      ],
    })
    expect(updated.phases.map((p) => p.items[0]!.price)).toEqual([pro.id, max.id])
    await s.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 11 * DAY })
    const started = await s.subscriptionSchedules.retrieve(later.id)
    expect(started.status).toBe('active')
    const sub = await s.subscriptions.retrieve(started.subscription as string)
    expect(sub).toMatchObject({ status: 'active', schedule: later.id })
    const released = await s.subscriptionSchedules.release(later.id)
    expect(released).toMatchObject({
      status: 'released',
      released_subscription: sub.id,
      subscription: sub.id,
    })
    expect((await s.subscriptions.retrieve(sub.id)).schedule).toBeNull()
    expect((await failure(s.subscriptionSchedules.release(later.id))).statusCode).toBe(400)
    expect((await failure(s.subscriptionSchedules.cancel(later.id))).statusCode).toBe(400)
  })

  it('takes over an existing subscription, cancels with it, and refuses unknown prices', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const { customer, basic } = await setup(s)
    const sub = await s.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] })
    const schedule = await s.subscriptionSchedules.create({ from_subscription: sub.id })
    expect(schedule).toMatchObject({ status: 'active', subscription: sub.id, customer: customer.id })
    expect(schedule.phases[0]!.items[0]!.price).toBe(basic.id)
    expect((await failure(s.subscriptionSchedules.create({ from_subscription: sub.id }))).param).toBe(
      'from_subscription',
    )
    const canceled = await s.subscriptionSchedules.cancel(schedule.id)
    expect(canceled.status).toBe('canceled')
    expect((await s.subscriptions.retrieve(sub.id)).status).toBe('canceled')
    const bad = await failure(
      s.subscriptionSchedules.create({
        customer: customer.id,
        phases: [{ items: [{ price: 'price_ghost' }] }],
      }),
    )
    expect(bad).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'phases[0][items][0][price]',
    })
    expect((await s.subscriptionSchedules.list({ customer: customer.id })).data.map((x) => x.id)).toEqual([
      schedule.id,
    ])
  })
})
