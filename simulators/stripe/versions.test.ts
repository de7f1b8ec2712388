import type Stripe from 'stripe'
import { beforeAll, describe, expect, it } from 'vitest'
import { LEGACY_VERSION, PINNED_VERSION, useHarness } from './test-support.ts'

/**
 * The same objects read in the bundled spec's version (2023-08-16) and in the
 * version stripe 23.1.0 pins (2026-10-28.endive): each difference of
 * stripe.md §0 is pinned here, old shape and new.
 */
const h = useHarness()
let legacy: Stripe
let current: Stripe
let sub: Stripe.Subscription
let invoiceId: string
beforeAll(async () => {
  const key = 'sk_test_versions'
  legacy = h.client({ key, version: LEGACY_VERSION })
  current = h.client({ key })
  const customer = await current.customers.create({ email: 'v@example.com', payment_method: 'pm_card_visa' })
  const pm = (await current.customers.listPaymentMethods(customer.id)).data[0]!
  const price = await current.prices.create({
    currency: 'usd',
    unit_amount: 1200,
    recurring: { interval: 'month' },
    product_data: { name: 'Plan' },
  })
  sub = await current.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    default_payment_method: pm.id,
    metadata: { tier: 'gold' },
  })
  invoiceId = sub.latest_invoice as string
})

type Loose = Record<string, unknown>

describe('API version shapes', () => {
  it('defaults to the version the library pins and echoes it', async () => {
    const c = await current.customers.retrieve(sub.customer as string)
    expect(c.lastResponse.headers['stripe-version']).toBe(PINNED_VERSION)
  })

  it('moves subscription periods from the subscription onto its items', async () => {
    const old = (await legacy.subscriptions.retrieve(sub.id)) as unknown as Loose & {
      items: { data: Loose[] }
    }
    const now = (await current.subscriptions.retrieve(sub.id)) as unknown as Loose & {
      items: { data: Loose[] }
    }
    expect(typeof old.current_period_end).toBe('number')
    expect(old.items.data[0]!.current_period_end).toBeUndefined()
    expect(now.current_period_end).toBeUndefined()
    expect(now.current_period_start).toBeUndefined()
    expect(now.items.data[0]!.current_period_end).toBe(old.current_period_end)
    expect(now.items.data[0]!.current_period_start).toBe(old.current_period_start)
    expect('discount' in old).toBe(true)
    expect('discount' in now).toBe(false)
  })

  it('replaces invoice payment_intent, charge, paid and subscription with payments and parent', async () => {
    const old = (await legacy.invoices.retrieve(invoiceId)) as unknown as Loose
    const now = (await current.invoices.retrieve(invoiceId)) as unknown as Loose & {
      parent: { subscription_details: { subscription: string; metadata: Loose } }
      payments: { data: { payment: { payment_intent: string }; status: string }[] }
      confirmation_secret: { client_secret: string }
    }
    expect(old).toMatchObject({ subscription: sub.id, paid: true, paid_out_of_band: false })
    expect(old.payment_intent).toMatch(/^pi_/)
    expect(old.charge).toMatch(/^ch_/)
    for (const gone of [
      'payment_intent',
      'charge',
      'paid',
      'paid_out_of_band',
      'subscription',
      'subscription_details',
      'quote',
      'tax',
      'total_tax_amounts',
      'application_fee_amount',
      'transfer_data',
      'discount',
    ])
      expect(now[gone], gone).toBeUndefined()
    expect(now.status).toBe('paid')
    expect(now.parent.subscription_details).toMatchObject({
      subscription: sub.id,
      metadata: { tier: 'gold' },
    })
    expect(now.payments.data[0]).toMatchObject({
      status: 'paid',
      payment: { payment_intent: old.payment_intent },
    })
    expect(now.confirmation_secret.client_secret).toMatch(new RegExp(`^${old.payment_intent}_secret_`))
    expect(now.total_taxes).toEqual([])
    expect(now.amount_overpaid).toBe(0)
    for (const added of ['parent', 'payments', 'confirmation_secret', 'total_taxes', 'amount_overpaid'])
      expect(old[added], added).toBeUndefined()
  })

  it('replaces line item price and subscription_item with pricing and parent', async () => {
    const [oldLine] = ((await legacy.invoices.retrieve(invoiceId)) as unknown as { lines: { data: Loose[] } })
      .lines.data
    const [newLine] = (
      (await current.invoices.retrieve(invoiceId)) as unknown as { lines: { data: Loose[] } }
    ).lines.data
    expect(oldLine).toMatchObject({
      type: 'subscription',
      proration: false,
      subscription_item: sub.items.data[0]!.id,
    })
    expect((oldLine!.price as Loose).id).toBe(sub.items.data[0]!.price.id)
    for (const gone of [
      'price',
      'subscription_item',
      'proration',
      'proration_details',
      'type',
      'tax_amounts',
      'tax_rates',
    ])
      expect(newLine![gone], gone).toBeUndefined()
    expect(newLine!.pricing).toMatchObject({
      type: 'price_details',
      price_details: { price: sub.items.data[0]!.price.id },
    })
    expect(newLine!.parent).toMatchObject({
      type: 'subscription_item_details',
      subscription_item_details: { subscription: sub.id },
    })
    expect(newLine!.taxes).toEqual([])
  })

  it('drops invoice from charges and payment intents', async () => {
    const old = (await legacy.invoices.retrieve(invoiceId)) as unknown as {
      payment_intent: string
      charge: string
    }
    expect(((await legacy.paymentIntents.retrieve(old.payment_intent)) as unknown as Loose).invoice).toBe(
      invoiceId,
    )
    expect(
      ((await current.paymentIntents.retrieve(old.payment_intent)) as unknown as Loose).invoice,
    ).toBeUndefined()
    expect(((await legacy.charges.retrieve(old.charge)) as unknown as Loose).invoice).toBe(invoiceId)
    expect(((await current.charges.retrieve(old.charge)) as unknown as Loose).invoice).toBeUndefined()
  })

  it('moves checkout shipping_details under collected_information', async () => {
    const session = await current.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { price_data: { currency: 'usd', unit_amount: 100, product_data: { name: 'x' } }, quantity: 1 },
      ],
      success_url: 'https://x.example',
    })
    const old = (await legacy.checkout.sessions.retrieve(session.id)) as unknown as Loose
    const now = (await current.checkout.sessions.retrieve(session.id)) as unknown as Loose
    expect('shipping_details' in old).toBe(true)
    expect('collected_information' in old).toBe(false)
    expect('shipping_details' in now).toBe(false)
    expect('collected_information' in now).toBe(true)
  })

  it('serves invoice_payment objects and answers the removed upcoming-invoice endpoint with 404', async () => {
    const list = await current.invoicePayments.list({ invoice: invoiceId })
    expect(list.data).toHaveLength(1)
    expect(list.data[0]).toMatchObject({ object: 'invoice_payment', invoice: invoiceId, status: 'paid' })
    expect((await current.invoicePayments.retrieve(list.data[0]!.id)).id).toBe(list.data[0]!.id)
    const events = await current.events.list({ type: 'invoice_payment.paid' })
    expect(events.data).toHaveLength(1)
    const upcoming = await fetch(`http://127.0.0.1:${h.port}/v1/invoices/upcoming?customer=${sub.customer}`, {
      headers: { authorization: 'Bearer sk_test_versions' },
    })
    expect(upcoming.status).toBe(404)
  })
})
