import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { checkResponse } from './spec-check.ts'
import { LEGACY_VERSION, PINNED_VERSION, startReceiver, useHarness } from './test-support.ts'
import { verifySignature } from './webhooks.ts'

/** Stripe publishes no test-mode intervals ("three times over a few hours"); standin's, as its README states: 1 h, 2 h, 4 h. */
const FIRST_RETRY_MS = 3_600_000

/**
 * Webhook endpoints, signed deliveries accepted by stripe.webhooks.constructEvent,
 * retries on the virtual clock, the Events API, and `stripe trigger`-style events.
 */
const h = useHarness()

describe('webhook endpoints and deliveries', () => {
  it('creates an endpoint with its whsec_ secret, lists and deletes it', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const endpoint = await s.webhookEndpoints.create({
      url: 'https://app.example/hooks',
      enabled_events: ['payment_intent.succeeded'],
      description: 'main',
    })
    expect(endpoint.id).toMatch(/^we_/)
    expect(endpoint.secret).toMatch(/^whsec_/)
    expect(endpoint).toMatchObject({
      status: 'enabled',
      enabled_events: ['payment_intent.succeeded'],
      url: 'https://app.example/hooks',
    })
    const listed = await s.webhookEndpoints.list()
    expect(listed.data.map((e) => e.id)).toEqual([endpoint.id])
    // The secret is shown only at creation.
    expect(listed.data[0]!.secret).toBeUndefined()
    expect((await s.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined()
    expect(await s.webhookEndpoints.del(endpoint.id)).toMatchObject({ id: endpoint.id, deleted: true })
    expect((await s.webhookEndpoints.list()).data).toHaveLength(0)
  })

  it('delivers signed events that constructEvent accepts with the secret and rejects with another', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] })
      const pi = await s.paymentIntents.create({
        amount: 4200,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
      })
      const delivery = await receiver.waitFor(
        (e) => e.type === 'payment_intent.succeeded' && e.data.object.id === pi.id,
      )
      const header = delivery.headers['stripe-signature'] as string
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
      expect(delivery.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(delivery.body).toContain('\n  "id": "evt_')
      const event = s.webhooks.constructEvent(delivery.body, header, endpoint.secret!, 1e12)
      expect(event.type).toBe('payment_intent.succeeded')
      expect((event.data.object as Stripe.PaymentIntent).id).toBe(pi.id)
      expect(event.api_version).toBe(PINNED_VERSION)
      expect(() => s.webhooks.constructEvent(delivery.body, header, 'whsec_wrong', 1e12)).toThrow(
        /No signatures found matching/,
      )
      expect(() =>
        s.webhooks.constructEvent(delivery.body.replace('4200', '1'), header, endpoint.secret!, 1e12),
      ).toThrow()
      // The verifier beside the signer agrees with the SDK.
      const t = Number(/t=(\d+)/.exec(header)![1])
      expect(verifySignature(delivery.body, header, endpoint.secret!, 300, t)).toBe(true)
      expect(verifySignature(delivery.body, header, 'whsec_wrong', 300, t)).toBe(false)
      // Every state change of a card payment was sent, in order.
      const types = receiver.received
        .map((r) => JSON.parse(r.body) as Stripe.Event)
        .filter(
          (e) =>
            (e.data.object as { id: string }).id === pi.id ||
            (e.data.object as { payment_intent?: string }).payment_intent === pi.id,
        )
        .map((e) => e.type)
      expect(types).toEqual(
        expect.arrayContaining(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']),
      )
    } finally {
      await receiver.close()
    }
  })

  it('renders a delivery in the endpoint api_version', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['invoice.paid'],
        api_version: LEGACY_VERSION,
      })
      const customer = await s.customers.create({ payment_method: 'pm_card_visa' })
      const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
      const price = await s.prices.create({
        currency: 'usd',
        unit_amount: 100,
        recurring: { interval: 'month' },
        product_data: { name: 'p' },
      })
      const sub = await s.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        default_payment_method: pm.id,
      })
      const delivery = await receiver.waitFor((e) => e.type === 'invoice.paid')
      const event = JSON.parse(delivery.body) as {
        api_version: string
        data: { object: Record<string, unknown> }
      }
      expect(event.api_version).toBe(LEGACY_VERSION)
      expect(event.data.object.subscription).toBe(sub.id)
      expect(event.data.object.parent).toBeUndefined()
      // The delivered event and the invoice inside it match the bundled spec of that version.
      expect(checkResponse(event)).toEqual([])
      expect(checkResponse(event.data.object)).toEqual([])
    } finally {
      await receiver.close()
    }
  })

  it('retries a failing endpoint on the test-mode schedule in virtual time', async () => {
    let answer = 500
    const receiver = await startReceiver(() => answer)
    try {
      const s = h.client()
      await s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] })
      const customer = await s.customers.create({ email: 'retry@example.com' })
      await receiver.waitFor((e) => e.data.object.id === customer.id)
      const delivered = () => receiver.received.filter((r) => r.body.includes(customer.id)).length
      expect(delivered()).toBe(1)
      // The first attempt is recorded as failed once its answer is in; only then is the retry on the clock.
      const pending = () =>
        h.sims.core.webhooks
          .listDeliveries({ provider: 'stripe', eventType: 'customer.created' })
          .find((d) => d.url === receiver.url)?.status
      await expect.poll(pending).toBe('retrying')
      h.sims.core.clock.advance(FIRST_RETRY_MS - 1000)
      await h.sims.core.settled()
      expect(delivered()).toBe(1)
      answer = 200
      h.sims.core.clock.advance(1000)
      await expect.poll(delivered).toBe(2)
      const record = h.sims.core.webhooks
        .listDeliveries({ provider: 'stripe', eventType: 'customer.created' })
        .find((d) => d.status === 'delivered' && d.attempts.length === 2)
      expect(record?.attempts.map((a) => a.status)).toEqual([500, 200])
      // Same event, new signature timestamp.
      const [first, second] = receiver.received.filter((r) => r.body.includes(customer.id))
      expect(JSON.parse(first!.body).id).toBe(JSON.parse(second!.body).id)
    } finally {
      await receiver.close()
    }
  })
})

describe('events API and triggers', () => {
  it('lists and retrieves events with type filters, rendered in the reader version', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const customer = await s.customers.create({ email: 'ev@example.com' }, { idempotencyKey: 'ev-1' })
    await s.customers.update(customer.id, { name: 'Ev' })
    const created = await s.events.list({ type: 'customer.created' })
    expect(created.data).toHaveLength(1)
    const event = created.data[0]!
    expect(event).toMatchObject({
      object: 'event',
      type: 'customer.created',
      api_version: LEGACY_VERSION,
      livemode: false,
    })
    expect(event.request).toMatchObject({ idempotency_key: 'ev-1' })
    expect((event.data.object as Stripe.Customer).id).toBe(customer.id)
    // The object as it was when the event happened, not as it is now.
    expect((event.data.object as Stripe.Customer).name).toBeNull()
    const updated = (await s.events.list({ types: ['customer.updated'] })).data[0]!
    expect(updated.data.previous_attributes).toEqual({ name: null })
    expect((await s.events.retrieve(event.id)).id).toBe(event.id)
    expect((await s.events.list({ type: 'customer.*' })).data.map((e) => e.type)).toEqual([
      'customer.updated',
      'customer.created',
    ])
  })

  it('fires events on demand like stripe trigger, with real objects behind them', async () => {
    const key = 'sk_test_triggers'
    const s = h.client({ key, version: LEGACY_VERSION })
    const receiver = await startReceiver()
    try {
      await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['payment_intent.succeeded', 'invoice.payment_failed'],
      })
      const runtime = h.sims.runtime('stripe')
      await runtime.trigger('payment_intent.succeeded', key, {})
      const hit = await receiver.waitFor((e) => e.type === 'payment_intent.succeeded')
      const pi = JSON.parse(hit.body).data.object as Stripe.PaymentIntent
      expect((await s.paymentIntents.retrieve(pi.id)).status).toBe('succeeded')
      await runtime.trigger('invoice.payment_failed', key, {})
      const failed = JSON.parse((await receiver.waitFor((e) => e.type === 'invoice.payment_failed')).body)
        .data.object as Stripe.Invoice
      expect((await s.invoices.retrieve(failed.id)).status).toBe('open')
      await expect(runtime.trigger('nothing.happened', key, {})).rejects.toThrow(/no trigger/)
    } finally {
      await receiver.close()
    }
  })
})
