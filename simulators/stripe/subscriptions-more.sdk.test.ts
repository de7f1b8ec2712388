import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { expectSignedToSpec, failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Plans (a plan is also a price) and the pause of a trial that ends without
 * a payment method, through the official library.
 */
const h = useHarness()

const DAY = 86_400
const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z

describe('plans', () => {
  it('creates, retrieves, updates, lists and deletes a plan that subscriptions can use as a price', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const plan = await s.plans.create({
      id: 'gold-monthly',
      amount: 1999,
      currency: 'usd',
      interval: 'month',
      product: { name: 'Gold' },
      nickname: 'Gold',
    })
    expect(plan).toMatchObject({
      id: 'gold-monthly',
      object: 'plan',
      amount: 1999,
      interval: 'month',
      interval_count: 1,
      usage_type: 'licensed',
      active: true,
    })
    expect(plan.product).toMatch(/^prod_/)
    const dup = await failure(
      s.plans.create({
        id: 'gold-monthly',
        amount: 1,
        currency: 'usd',
        interval: 'month',
        product: plan.product as string,
      }),
    )
    expect(dup).toMatchObject({ statusCode: 400, code: 'resource_already_exists', param: 'id' })
    const noAmount = await failure(
      s.plans.create({ currency: 'usd', interval: 'month', product: plan.product as string }),
    )
    expect(noAmount).toMatchObject({ statusCode: 400, param: 'amount' })
    expect((await s.prices.retrieve('gold-monthly')).recurring).toMatchObject({ interval: 'month' })
    const customer = await s.customers.create({ payment_method: 'pm_card_visa' })
    const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'gold-monthly' }],
      default_payment_method: pm.id,
    })
    expect(sub.status).toBe('active')
    expect((await s.invoices.retrieve(sub.latest_invoice as string)).amount_paid).toBe(1999)
    expect((await s.plans.update(plan.id, { nickname: 'Gold (old)', active: false })).active).toBe(false)
    expect((await s.prices.retrieve(plan.id)).active).toBe(false)
    expect((await s.plans.list({ active: false })).data.map((p) => p.id)).toEqual([plan.id])
    expect(await s.plans.del(plan.id)).toEqual({ id: plan.id, object: 'plan', deleted: true })
    expect((await failure(s.plans.retrieve(plan.id))).statusCode).toBe(404)
    const types = (await s.events.list({ type: 'plan.*' })).data.map((e) => e.type).reverse()
    expect(types).toEqual(['plan.created', 'plan.updated', 'plan.deleted'])
  })
})

describe('pause at trial end without a payment method', () => {
  async function trial(s: Stripe, behaviour: 'pause' | 'cancel' | 'create_invoice') {
    const clock = await s.testHelpers.testClocks.create({ frozen_time: T0 })
    const customer = await s.customers.create({ email: `${behaviour}@example.com`, test_clock: clock.id })
    const price = await s.prices.create({
      currency: 'usd',
      unit_amount: 1500,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro' },
    })
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: behaviour } },
    })
    expect(sub.status).toBe('trialing')
    await s.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 8 * DAY })
    return { clock, customer, sub: await s.subscriptions.retrieve(sub.id) }
  }

  it('pauses, refuses to resume what is not paused, and resumes with a paid invoice', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: [
          'customer.subscription.created',
          'customer.subscription.updated',
          'customer.subscription.paused',
          'customer.subscription.resumed',
          'invoice.paid',
        ],
        api_version: LEGACY_VERSION,
      })
      const { customer, sub } = await trial(s, 'pause')
      expect(sub.status).toBe('paused')
      expect(sub.trial_settings?.end_behavior.missing_payment_method).toBe('pause')
      // No invoice for the period after the trial.
      expect((await s.invoices.list({ subscription: sub.id })).data).toHaveLength(1)
      await receiver.waitFor((e) => e.type === 'customer.subscription.paused')
      const pm = await s.paymentMethods.attach('pm_card_visa', { customer: customer.id })
      await s.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
      const resumed = await s.subscriptions.resume(sub.id, { expand: ['latest_invoice'] })
      expect(resumed.status).toBe('active')
      expect(resumed.latest_invoice).toMatchObject({
        status: 'paid',
        amount_paid: 1500,
        billing_reason: 'subscription_update',
      })
      const again = await failure(s.subscriptions.resume(sub.id))
      expect(again.statusCode).toBe(400)
      await receiver.waitFor(
        (e) => e.type === 'invoice.paid' && e.data.object.billing_reason === 'subscription_update',
      )
      const events = receiver.received.map((r) => JSON.parse(r.body) as Stripe.Event)
      expect(events.map((e) => e.type)).toEqual([
        'customer.subscription.created',
        'invoice.paid',
        'customer.subscription.updated',
        'customer.subscription.paused',
        'customer.subscription.updated',
        'customer.subscription.resumed',
        'invoice.paid',
      ])
      const paused = events.find((e) => e.type === 'customer.subscription.updated')!
      expect(paused.data.previous_attributes).toMatchObject({ status: 'trialing' })
      expectSignedToSpec(s, receiver.received, endpoint.secret!)
    } finally {
      await receiver.close()
    }
  })

  it('cancels under missing_payment_method=cancel', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const { sub } = await trial(s, 'cancel')
    expect(sub.status).toBe('canceled')
  })
})
