import Stripe from 'stripe'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { checkResponse } from './spec-check.ts'
import { failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Products, prices, Checkout, subscriptions, invoices and test clocks through
 * the official library, in the bundled spec's version (every answer checked
 * against the spec), with renewal and dunning driven by a test clock.
 */
const h = useHarness()
let receiver: Awaited<ReturnType<typeof startReceiver>>
beforeAll(async () => {
  receiver = await startReceiver()
})
afterAll(() => receiver.close())
afterEach(() => {
  // Webhook payloads rendered in the bundled spec's version must match it too.
  const problems: string[] = []
  for (const r of receiver.received.splice(0)) {
    const event = JSON.parse(r.body) as { type: string; api_version: string; data: { object: unknown } }
    // invoice_payment did not exist in 2023-08-16; its event is still sent (README, LIMITATIONS).
    if (event.api_version !== LEGACY_VERSION || event.type.startsWith('invoice_payment.')) continue
    for (const p of [...checkResponse(event), ...checkResponse(event.data.object)])
      problems.push(`${event.type}: ${p}`)
  }
  expect(problems).toEqual([])
})

const DAY = 86_400
const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z

async function monthly(s: Stripe, amount = 1500) {
  const product = await s.products.create({ name: 'Pro plan' })
  return s.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: amount,
    recurring: { interval: 'month' },
    lookup_key: `pro_${amount}_${product.id}`,
  })
}

describe('products and prices', () => {
  it('creates, updates, retrieves and lists by lookup key', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const product = await s.products.create({ name: 'Credits', metadata: { sku: 'c100' } })
    expect(product).toMatchObject({ object: 'product', name: 'Credits', active: true })
    expect((await s.products.update(product.id, { name: 'Credit pack' })).name).toBe('Credit pack')
    const price = await s.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 999,
      lookup_key: 'credits_100',
    })
    expect(price).toMatchObject({ type: 'one_time', unit_amount: 999, recurring: null, product: product.id })
    const inline = await s.prices.create({
      currency: 'eur',
      unit_amount: 500,
      recurring: { interval: 'year' },
      product_data: { name: 'Yearly' },
    })
    expect(inline.recurring).toMatchObject({ interval: 'year', interval_count: 1 })
    expect((await s.prices.list({ lookup_keys: ['credits_100'] })).data.map((p) => p.id)).toEqual([price.id])
    expect((await s.prices.retrieve(price.id, { expand: ['product'] })).product).toMatchObject({
      id: product.id,
    })
    expect((await s.products.list({ limit: 1 })).data).toHaveLength(1)
    const dup = await failure(
      s.prices.create({ product: product.id, currency: 'usd', unit_amount: 1, lookup_key: 'credits_100' }),
    )
    expect(dup.param).toBe('lookup_key')
  })
})

describe('checkout sessions', () => {
  it('creates, retrieves, lists line items and expires a payment-mode session', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const session = await s.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 1200, product_data: { name: 'Gift card' } },
          quantity: 2,
        },
      ],
      success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://shop.example/cancel',
      client_reference_id: 'order_7',
      metadata: { order: '7' },
    })
    expect(session.id).toMatch(/^cs_test_/)
    expect(session).toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 2400,
      currency: 'usd',
      mode: 'payment',
    })
    expect(session.url).toBe(`http://127.0.0.1:${h.port}/c/pay/${session.id}`)
    const items = await s.checkout.sessions.listLineItems(session.id)
    expect(items.data[0]).toMatchObject({
      object: 'item',
      quantity: 2,
      amount_total: 2400,
      description: 'Gift card',
    })
    expect((await s.checkout.sessions.retrieve(session.id)).client_reference_id).toBe('order_7')
    const expired = await s.checkout.sessions.expire(session.id)
    expect(expired.status).toBe('expired')
    const again = await failure(s.checkout.sessions.expire(session.id))
    expect(again.statusCode).toBe(400)
    const page = await fetch(session.url!)
    expect(await page.text()).toContain('expired')
  })

  it('completes a session through the hosted page form and redirects to success_url', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const session = await s.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'Tea' } }, quantity: 1 },
      ],
      success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
    })
    const form = (number: string) =>
      fetch(session.url!, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({
          email: 'buyer@example.com',
          cardNumber: number,
          cardExpiry: '12 / 40',
          cardCvc: '123',
          billingName: 'B',
        }),
      })
    const declined = await form('4000 0000 0000 0002')
    expect(declined.status).toBe(200)
    expect(await declined.text()).toContain('Your card was declined.')
    const paid = await form('4242 4242 4242 4242')
    expect(paid.status).toBe(303)
    expect(paid.headers.get('location')).toBe(`https://shop.example/ok?session_id=${session.id}`)
    const done = await s.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] })
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid' })
    expect((done.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded')
    expect(done.customer_details?.email).toBe('buyer@example.com')
  })

  it('refuses a recurring price in payment mode and a missing mode', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await monthly(s)
    const wrong = await failure(
      s.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'https://x.example',
      }),
    )
    expect(wrong.message).toContain('recurring price')
    const noMode = await failure(
      s.checkout.sessions.create({
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'https://x.example',
      }),
    )
    expect(noMode.code).toBe('parameter_missing')
    expect(noMode.param).toBe('mode')
  })

  it('creates a subscription from a subscription-mode session', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await monthly(s, 900)
    const session = await s.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://shop.example/welcome',
      customer_email: 'sub@example.com',
    })
    const res = await fetch(session.url!, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        email: 'sub@example.com',
        cardNumber: '4242424242424242',
        cardExpiry: '01/39',
        cardCvc: '999',
      }),
    })
    expect(res.status).toBe(303)
    const done = await s.checkout.sessions.retrieve(session.id, { expand: ['subscription'] })
    const sub = done.subscription as Stripe.Subscription
    expect(sub.status).toBe('active')
    expect(((await s.customers.retrieve(done.customer as string)) as Stripe.Customer).email).toBe(
      'sub@example.com',
    )
    expect((await s.invoices.retrieve(done.invoice as string)).status).toBe('paid')
  })
})

describe('subscriptions and invoices', () => {
  it('creates an active subscription with a paid first invoice, updates it and cancels it', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await monthly(s)
    const customer = await s.customers.create({ email: 'sub@example.com', payment_method: 'pm_card_visa' })
    const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
    await s.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 2 }],
      metadata: { team: 't1' },
      expand: ['latest_invoice.payment_intent'],
    })
    expect(sub.status).toBe('active')
    const invoice = sub.latest_invoice as Stripe.Invoice & {
      payment_intent: Stripe.PaymentIntent
      subscription: string
      paid: boolean
    }
    expect(invoice).toMatchObject({
      status: 'paid',
      amount_paid: 3000,
      billing_reason: 'subscription_create',
      subscription: sub.id,
      paid: true,
    })
    expect(invoice.payment_intent.status).toBe('succeeded')
    expect((await s.invoices.list({ subscription: sub.id })).data.map((i) => i.id)).toEqual([invoice.id])
    const updated = await s.subscriptions.update(sub.id, {
      cancel_at_period_end: true,
      items: [{ id: sub.items.data[0]!.id, quantity: 3 }],
    })
    expect(updated.cancel_at_period_end).toBe(true)
    expect(updated.items.data[0]!.quantity).toBe(3)
    const canceled = await s.subscriptions.cancel(sub.id)
    expect(canceled.status).toBe('canceled')
    expect((await s.subscriptions.list({ customer: customer.id })).data).toHaveLength(0)
    expect((await s.subscriptions.list({ customer: customer.id, status: 'canceled' })).data).toHaveLength(1)
    const again = await failure(s.subscriptions.update(sub.id, { cancel_at_period_end: false }))
    expect(again.statusCode).toBe(400)
  })

  it('leaves a subscription incomplete when the first payment fails and pays the invoice later', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await monthly(s)
    const customer = await s.customers.create({ email: 'late@example.com' })
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: 'pm_card_chargeCustomerFail',
    })
    expect(sub.status).toBe('incomplete')
    const invoice = await s.invoices.retrieve(sub.latest_invoice as string)
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1 })
    const declined = await failure(s.invoices.pay(invoice.id))
    expect(declined.statusCode).toBe(402)
    const paid = await s.invoices.pay(invoice.id, { payment_method: 'pm_card_visa' })
    expect(paid.status).toBe('paid')
    expect((await s.subscriptions.retrieve(sub.id)).status).toBe('active')
    const hosted = await fetch(paid.hosted_invoice_url!)
    expect(await hosted.text()).toContain('data-testid="status">paid<')
    const twice = await failure(s.invoices.pay(invoice.id))
    expect(twice.statusCode).toBe(400)
  })
})

describe('3-D Secure and expiry', () => {
  it('asks for authentication on the first invoice and activates the subscription once it passes', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const price = await monthly(s, 3100)
    const customer = await s.customers.create({ email: '3ds@example.com' })
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: 'pm_card_authenticationRequired',
      expand: ['latest_invoice.payment_intent'],
    })
    expect(sub.status).toBe('incomplete')
    const pi = (sub.latest_invoice as unknown as { payment_intent: Stripe.PaymentIntent }).payment_intent
    expect(pi.status).toBe('requires_action')
    const events = await s.events.list({ type: 'invoice.payment_action_required' })
    expect(events.data).toHaveLength(1)
    await fetch(`http://127.0.0.1:${h.port}/3ds/${pi.id}`, {
      method: 'POST',
      body: new URLSearchParams({ action: 'complete' }),
    })
    expect((await s.subscriptions.retrieve(sub.id)).status).toBe('active')
    expect((await s.invoices.retrieve((sub.latest_invoice as Stripe.Invoice).id!)).status).toBe('paid')
  })

  it('expires an open Checkout Session at expires_at on the virtual clock', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const now = Math.floor(h.sims.core.clock.now() / 1000)
    const session = await s.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'x' } }, quantity: 1 },
      ],
      success_url: 'https://x.example',
      expires_at: now + 3600,
    })
    h.sims.core.clock.advance(3600_000 + 1000)
    const expired = await s.checkout.sessions.retrieve(session.id)
    expect(expired.status).toBe('expired')
    expect(
      (await s.events.list({ type: 'checkout.session.expired' })).data.map(
        (e) => (e.data.object as { id: string }).id,
      ),
    ).toEqual([session.id])
  })
})

describe('test clocks', () => {
  async function clockCustomer(s: Stripe, email: string) {
    const clock = await s.testHelpers.testClocks.create({ frozen_time: T0, name: email })
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', status: 'ready', frozen_time: T0 })
    const customer = await s.customers.create({ email, test_clock: clock.id, payment_method: 'pm_card_visa' })
    const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
    await s.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
    return { clock, customer }
  }

  async function advance(s: Stripe, clock: string, to: number) {
    const answer = await s.testHelpers.testClocks.advance(clock, { frozen_time: to })
    expect(answer.status).toBe('advancing')
    const ready = await s.testHelpers.testClocks.retrieve(clock)
    expect(ready).toMatchObject({ status: 'ready', frozen_time: to })
  }

  it('renews a subscription when its clock passes the period end, events in order', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const endpoint = await s.webhookEndpoints.create({
      url: receiver.url,
      api_version: LEGACY_VERSION,
      enabled_events: [
        'customer.subscription.updated',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
      ],
    })
    const { clock, customer } = await clockCustomer(s, 'renew@example.com')
    const price = await monthly(s, 2000)
    const sub = await s.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] })
    expect(sub.status).toBe('active')
    expect(sub.start_date).toBe(T0)
    const end = (sub as unknown as { current_period_end: number }).current_period_end
    expect(end).toBe(T0 + 31 * DAY)
    await advance(s, clock.id, end + 2 * 3600)
    const invoices = (await s.invoices.list({ subscription: sub.id })).data
    expect(invoices.map((i) => [i.billing_reason, i.status])).toEqual([
      ['subscription_cycle', 'paid'],
      ['subscription_create', 'paid'],
    ])
    expect(invoices[0]!.period_start).toBe(end)
    const renewed = (await s.subscriptions.retrieve(sub.id)) as unknown as {
      status: string
      current_period_start: number
    }
    expect(renewed).toMatchObject({ status: 'active', current_period_start: end })
    const cycle = invoices[0]!.id
    const types = ['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']
    const got = await Promise.all(
      types.map((t) => receiver.waitFor((e) => e.type === t && e.data.object.id === cycle)),
    )
    const events = got.map((r) => JSON.parse(r.body) as Stripe.Event)
    for (const r of got)
      expect(() =>
        Stripe.webhooks.constructEvent(
          r.body,
          r.headers['stripe-signature'] as string,
          endpoint.secret!,
          1e12,
        ),
      ).not.toThrow()
    expect(events.map((e) => e.created)).toEqual([end, end + 3600, end + 3600, end + 3600])
    const updated = await receiver.waitFor(
      (e) =>
        e.type === 'customer.subscription.updated' &&
        e.data.object.id === sub.id &&
        e.data.previous_attributes?.current_period_start === T0,
    )
    expect((JSON.parse(updated.body) as Stripe.Event).created).toBe(end)
  })

  it('retries a failed renewal on the dunning schedule and cancels after the last attempt', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    await s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'], api_version: LEGACY_VERSION })
    const { clock, customer } = await clockCustomer(s, 'dunning@example.com')
    const price = await monthly(s, 2500)
    const sub = await s.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] })
    // The card on file starts failing: attach succeeds, every charge is declined.
    const failing = await s.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id })
    await s.customers.update(customer.id, { invoice_settings: { default_payment_method: failing.id } })
    const end = (sub as unknown as { current_period_end: number }).current_period_end
    await advance(s, clock.id, end + 2 * 3600)
    let renewal = (await s.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!
    expect(renewal).toMatchObject({
      status: 'open',
      attempt_count: 1,
      next_payment_attempt: end + 3600 + 3 * DAY,
    })
    expect((await s.subscriptions.retrieve(sub.id)).status).toBe('past_due')
    await advance(s, clock.id, end + 20 * DAY)
    renewal = await s.invoices.retrieve(renewal.id)
    expect(renewal).toMatchObject({ attempt_count: 4, next_payment_attempt: null, status: 'open' })
    const canceled = await s.subscriptions.retrieve(sub.id)
    expect(canceled.status).toBe('canceled')
    expect(canceled.cancellation_details?.reason).toBe('payment_failed')
    const failed = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        receiver.waitFor(
          (e) =>
            e.type === 'invoice.payment_failed' &&
            e.data.object.id === renewal.id &&
            e.data.object.attempt_count === n,
        ),
      ),
    )
    const created = failed.map((r) => (JSON.parse(r.body) as Stripe.Event).created)
    const first = end + 3600
    expect(created).toEqual([first, first + 3 * DAY, first + 8 * DAY, first + 15 * DAY])
    const deleted = JSON.parse(
      (
        await receiver.waitFor(
          (e) => e.type === 'customer.subscription.deleted' && e.data.object.id === sub.id,
        )
      ).body,
    ) as Stripe.Event
    expect(deleted.created).toBe(first + 15 * DAY)
    const pastDue = JSON.parse(
      (
        await receiver.waitFor(
          (e) =>
            e.type === 'customer.subscription.updated' &&
            e.data.object.id === sub.id &&
            e.data.object.status === 'past_due',
        )
      ).body,
    ) as Stripe.Event
    expect(pastDue.created).toBe(first)
    expect(pastDue.data.previous_attributes).toMatchObject({ status: 'active' })
  })

  it('ends a trial at its end, warning three days before, and charges the first full period', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const { clock, customer } = await clockCustomer(s, 'trial@example.com')
    const price = await monthly(s, 1800)
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
    })
    expect(sub).toMatchObject({ status: 'trialing', trial_start: T0, trial_end: T0 + 7 * DAY })
    const first = await s.invoices.retrieve(sub.latest_invoice as string)
    expect(first).toMatchObject({ amount_due: 0, status: 'paid' })
    await advance(s, clock.id, T0 + 5 * DAY)
    const warned = await s.events.list({ type: 'customer.subscription.trial_will_end' })
    expect(warned.data.map((e) => e.created)).toEqual([T0 + 4 * DAY])
    expect((await s.subscriptions.retrieve(sub.id)).status).toBe('trialing')
    await advance(s, clock.id, T0 + 8 * DAY)
    const active = (await s.subscriptions.retrieve(sub.id)) as unknown as {
      status: string
      current_period_start: number
    }
    expect(active).toMatchObject({ status: 'active', current_period_start: T0 + 7 * DAY })
    const charged = (await s.invoices.list({ subscription: sub.id, limit: 1 })).data[0]!
    expect(charged).toMatchObject({ billing_reason: 'subscription_cycle', amount_paid: 1800, status: 'paid' })
  })

  it('refuses to move a clock backwards', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const clock = await s.testHelpers.testClocks.create({ frozen_time: T0 })
    const back = await failure(s.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 - 10 }))
    expect(back.param).toBe('frozen_time')
    expect((await s.testHelpers.testClocks.list()).data.map((c) => c.id)).toContain(clock.id)
    expect(await s.testHelpers.testClocks.del(clock.id)).toMatchObject({ deleted: true })
  })
})
