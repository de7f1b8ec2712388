import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { expectSignedToSpec, failure, LEGACY_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Coupons, promotion codes, customer and subscription discounts, and tax
 * rates, through the official library, with the amounts they take off (or
 * add to) invoices.
 */
const h = useHarness()

const DAY = 86_400
const T0 = 1_767_225_600 // 2026-01-01T00:00:00Z

async function payer(s: Stripe, extra: Stripe.CustomerCreateParams = {}) {
  const customer = await s.customers.create({ payment_method: 'pm_card_visa', ...extra })
  const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
  await s.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } })
  return customer
}

async function invoiceOf(
  s: Stripe,
  customer: string,
  amounts: number[],
  params: Stripe.InvoiceCreateParams = {},
) {
  const invoice = await s.invoices.create({ customer, ...params })
  for (const amount of amounts)
    await s.invoiceItems.create({ customer, invoice: invoice.id, amount, currency: 'usd' })
  return s.invoices.retrieve(invoice.id)
}

const types = async (s: Stripe, prefix: string) =>
  (await s.events.list({ type: `${prefix}.*`, limit: 100 })).data.map((e) => e.type).reverse()

describe('coupons', () => {
  it('creates, retrieves, updates, lists and deletes, refusing what Stripe refuses', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const coupon = await s.coupons.create({
      id: 'SPRING25',
      percent_off: 25,
      duration: 'repeating',
      duration_in_months: 3,
    })
    expect(coupon).toMatchObject({
      id: 'SPRING25',
      object: 'coupon',
      percent_off: 25,
      amount_off: null,
      duration: 'repeating',
      duration_in_months: 3,
      times_redeemed: 0,
      valid: true,
    })
    const dup = await failure(s.coupons.create({ id: 'SPRING25', percent_off: 10 }))
    expect(dup).toMatchObject({ statusCode: 400, code: 'resource_already_exists', param: 'id' })
    const noCurrency = await failure(s.coupons.create({ amount_off: 500 }))
    expect(noCurrency).toMatchObject({ statusCode: 400, param: 'currency' })
    const neither = await failure(s.coupons.create({ duration: 'once' }))
    expect(neither.statusCode).toBe(400)
    const fixed = await s.coupons.create({
      amount_off: 500,
      currency: 'usd',
      duration: 'forever',
      max_redemptions: 1,
    })
    expect(fixed.id).toMatch(/^[A-Za-z0-9]{8}$/)
    expect((await s.coupons.update(coupon.id, { name: 'Spring' })).name).toBe('Spring')
    expect((await s.coupons.list()).data.map((c) => c.id)).toEqual([fixed.id, coupon.id])
    expect(await s.coupons.del(coupon.id)).toEqual({ id: coupon.id, object: 'coupon', deleted: true })
    expect((await failure(s.coupons.retrieve(coupon.id))).statusCode).toBe(404)
    // Redeemed up to max_redemptions, then no longer valid.
    await s.customers.create({ coupon: fixed.id } as never)
    expect(await s.coupons.retrieve(fixed.id)).toMatchObject({ times_redeemed: 1, valid: false })
    const spent = await failure(s.customers.create({ coupon: fixed.id } as never))
    expect(spent).toMatchObject({ statusCode: 400, param: 'coupon' })
    expect(await types(s, 'coupon')).toEqual([
      'coupon.created',
      'coupon.created',
      'coupon.updated',
      'coupon.deleted',
    ])
  })
})

describe('promotion codes', () => {
  it('creates one for a coupon in either version shape, lists by code and deactivates it', async () => {
    const legacy = h.client({ version: LEGACY_VERSION, key: 'sk_test_promo_shapes' })
    const current = h.client({ key: 'sk_test_promo_shapes' })
    await legacy.coupons.create({ id: 'WELCOME', percent_off: 10, duration: 'once' })
    const old = await legacy.promotionCodes.create({ coupon: 'WELCOME', code: 'HELLO10' } as never)
    expect(old.id).toMatch(/^promo_/)
    expect(old).toMatchObject({ code: 'HELLO10', active: true, times_redeemed: 0 })
    expect((old as unknown as { coupon: Stripe.Coupon }).coupon.id).toBe('WELCOME')
    const now = await current.promotionCodes.create({
      promotion: { type: 'coupon', coupon: 'WELCOME' },
      code: 'HI10',
    })
    expect(now.promotion).toEqual({ type: 'coupon', coupon: 'WELCOME' })
    expect((now as unknown as Record<string, unknown>).coupon).toBeUndefined()
    const missing = await failure(
      current.promotionCodes.create({ promotion: { type: 'coupon', coupon: 'NOPE' } }),
    )
    expect(missing).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'coupon' })
    expect(missing.message).toBe("No such coupon: 'NOPE'")
    const taken = await failure(
      current.promotionCodes.create({ promotion: { type: 'coupon', coupon: 'WELCOME' }, code: 'hi10' }),
    )
    expect(taken).toMatchObject({ statusCode: 400, param: 'code' })
    expect((await legacy.promotionCodes.list({ code: 'HELLO10' })).data.map((p) => p.id)).toEqual([old.id])
    const off = await legacy.promotionCodes.update(old.id, { active: false })
    expect(off.active).toBe(false)
    const inactive = await failure(legacy.customers.create({ promotion_code: old.id } as never))
    expect(inactive).toMatchObject({ statusCode: 400, param: 'promotion_code' })
    expect(inactive.message).toBe('This promotion code is inactive.')
  })
})

describe('customer discounts', () => {
  it('applies a customer coupon to the invoices it gets, and removes it', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    await s.coupons.create({ id: 'QUARTER', percent_off: 25, duration: 'forever' })
    const customer = await payer(s, { coupon: 'QUARTER' } as never)
    const discount = ((await s.customers.retrieve(customer.id)) as Stripe.Customer).discount!
    expect(discount.id).toMatch(/^di_/)
    expect(discount).toMatchObject({ object: 'discount', customer: customer.id, end: null })
    expect((discount as unknown as { coupon: Stripe.Coupon }).coupon.id).toBe('QUARTER')
    const invoice = await invoiceOf(s, customer.id, [1500, 500])
    expect(invoice).toMatchObject({ subtotal: 2000, total: 1500, amount_due: 1500 })
    expect(invoice.discounts).toEqual([discount.id])
    expect(invoice.total_discount_amounts).toEqual([{ amount: 500, discount: discount.id }])
    expect(invoice.lines.data.map((l) => l.discount_amounts)).toEqual([
      [{ amount: 375, discount: discount.id }],
      [{ amount: 125, discount: discount.id }],
    ])
    expect((await s.invoices.pay((await s.invoices.finalizeInvoice(invoice.id)).id)).amount_paid).toBe(1500)
    // `discounts: ''` opts an invoice out of the customer's discount.
    expect((await invoiceOf(s, customer.id, [1000], { discounts: '' })).total).toBe(1000)
    const removed = await s.customers.deleteDiscount(customer.id)
    expect(removed).toMatchObject({ id: discount.id, object: 'discount', deleted: true })
    expect(((await s.customers.retrieve(customer.id)) as Stripe.Customer).discount).toBeNull()
    expect((await invoiceOf(s, customer.id, [1000])).total).toBe(1000)
    expect((await failure(s.customers.deleteDiscount(customer.id))).statusCode).toBe(404)
    expect(await types(s, 'customer.discount')).toEqual([
      'customer.discount.created',
      'customer.discount.deleted',
    ])
  })

  it('refuses an unknown coupon with a 400 naming the parameter, creating nothing', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const error = await failure(s.customers.create({ email: 'x@example.com', coupon: 'GHOST' } as never))
    expect(error).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'coupon',
      message: "No such coupon: 'GHOST'",
    })
    expect((await s.customers.list()).data).toHaveLength(0)
    const promo = await failure(s.customers.create({ promotion_code: 'promo_ghost' } as never))
    expect(promo).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'promotion_code' })
    const customer = await s.customers.create({})
    const onInvoice = await failure(
      s.invoices.create({ customer: customer.id, discounts: [{ coupon: 'GHOST' }] }),
    )
    expect(onInvoice).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'discounts[0][coupon]',
    })
  })

  it('splits an amount-off coupon across lines in proportion', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const coupon = await s.coupons.create({ amount_off: 1000, currency: 'usd', duration: 'once' })
    const customer = await payer(s)
    const invoice = await invoiceOf(s, customer.id, [3000, 1000], { discounts: [{ coupon: coupon.id }] })
    expect(invoice.total).toBe(3000)
    expect(invoice.lines.data.map((l) => l.discount_amounts![0]!.amount)).toEqual([750, 250])
    const discount = invoice.discounts[0] as string
    expect((await s.invoices.retrieve(invoice.id, { expand: ['discounts'] })).discounts[0]).toMatchObject({
      id: discount,
      invoice: invoice.id,
    })
  })
})

describe('subscription discounts', () => {
  it('discounts a subscription through `discounts`, and refuses an unknown coupon there', async () => {
    const s = h.client()
    await s.coupons.create({ id: 'HALF', percent_off: 50, duration: 'forever' })
    const customer = await payer(s)
    const price = await s.prices.create({
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro' },
    })
    const bad = await failure(
      s.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        discounts: [{ coupon: 'GHOST' }],
      }),
    )
    expect(bad).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'discounts[0][coupon]' })
    expect((await s.subscriptions.list({ customer: customer.id })).data).toHaveLength(0)
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      discounts: [{ coupon: 'HALF' }],
      expand: ['latest_invoice', 'discounts'],
    })
    const [discount] = sub.discounts as Stripe.Discount[]
    expect(discount).toMatchObject({ subscription: sub.id, source: { coupon: 'HALF', type: 'coupon' } })
    expect((discount as unknown as Record<string, unknown>).coupon).toBeUndefined()
    expect(sub.latest_invoice).toMatchObject({ status: 'paid', total: 1000, amount_paid: 1000 })
    const cleared = await s.subscriptions.update(sub.id, { discounts: '' })
    expect(cleared.discounts).toEqual([])
    expect(await types(s, 'customer.discount')).toEqual([
      'customer.discount.created',
      'customer.discount.deleted',
    ])
  })

  it('applies a `once` coupon to the first invoice only', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    await s.coupons.create({ id: 'FIRST', amount_off: 1500, currency: 'usd', duration: 'once' })
    const clock = await s.testHelpers.testClocks.create({ frozen_time: T0 })
    const customer = await payer(s, { test_clock: clock.id })
    const price = await s.prices.create({
      currency: 'usd',
      unit_amount: 2000,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro' },
    })
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      coupon: 'FIRST',
    } as never)
    const first = await s.invoices.retrieve(sub.latest_invoice as string)
    expect(first).toMatchObject({ total: 500, amount_paid: 500 })
    expect(first.discounts[0]).toMatch(/^di_/)
    await s.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 32 * DAY })
    const renewed = await s.subscriptions.retrieve(sub.id)
    const second = await s.invoices.retrieve(renewed.latest_invoice as string)
    expect(second.id).not.toBe(first.id)
    expect(second).toMatchObject({ billing_reason: 'subscription_cycle', total: 2000, discounts: [] })
    expect((renewed as unknown as { discount: unknown }).discount).toBeNull()
  })
})

describe('tax rates', () => {
  it('creates, updates and lists rates, and adds exclusive tax to invoice totals', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const vat = await s.taxRates.create({
      display_name: 'VAT',
      percentage: 20,
      inclusive: true,
      country: 'DE',
    })
    const sales = await s.taxRates.create({ display_name: 'Sales tax', percentage: 10, inclusive: false })
    expect(sales.id).toMatch(/^txr_/)
    expect(sales).toMatchObject({ object: 'tax_rate', active: true, percentage: 10, inclusive: false })
    expect((await s.taxRates.update(vat.id, { description: 'Germany' })).description).toBe('Germany')
    expect((await s.taxRates.list({ inclusive: false })).data.map((r) => r.id)).toEqual([sales.id])
    const customer = await payer(s)
    const missing = await failure(
      s.invoices.create({ customer: customer.id, default_tax_rates: ['txr_ghost'] }),
    )
    expect(missing).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'default_tax_rates[0]',
    })
    const exclusive = await invoiceOf(s, customer.id, [1000, 2000], { default_tax_rates: [sales.id] })
    expect(exclusive).toMatchObject({
      subtotal: 3000,
      tax: 300,
      total: 3300,
      total_excluding_tax: 3000,
      amount_due: 3300,
    })
    expect((exclusive as unknown as { total_tax_amounts: unknown }).total_tax_amounts).toEqual([
      { amount: 300, inclusive: false, tax_rate: sales.id, taxability_reason: null, taxable_amount: 3000 },
    ])
    const item = await s.invoiceItems.create({
      customer: customer.id,
      amount: 1200,
      currency: 'usd',
      tax_rates: [vat.id],
    })
    const inclusive = await s.invoices.create({
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    })
    expect((inclusive.lines.data[0] as unknown as { invoice_item: string }).invoice_item).toBe(item.id)
    expect(inclusive).toMatchObject({ subtotal: 1200, total: 1200, tax: 200, total_excluding_tax: 1000 })
    expect((await s.invoices.pay((await s.invoices.finalizeInvoice(exclusive.id)).id)).amount_paid).toBe(3300)
  })

  it('puts a subscription default tax rate on its invoices, as total_taxes in the current version', async () => {
    const s = h.client()
    const rate = await s.taxRates.create({ display_name: 'GST', percentage: 5, inclusive: false })
    const customer = await payer(s)
    const price = await s.prices.create({
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro' },
    })
    const sub = await s.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_tax_rates: [rate.id],
      expand: ['latest_invoice'],
    })
    const invoice = sub.latest_invoice as Stripe.Invoice
    expect(invoice).toMatchObject({ subtotal: 1000, total: 1050, amount_paid: 1050 })
    expect(invoice.total_taxes).toEqual([
      {
        amount: 50,
        tax_behavior: 'exclusive',
        tax_rate_details: { tax_rate: rate.id },
        taxability_reason: 'standard_rated',
        taxable_amount: 1000,
        type: 'tax_rate_details',
      },
    ])
  })
})

describe('chain: coupon → promotion code → customer discount → invoice → pay', () => {
  it('arrives signed and in order at the receiver, each payload valid for its version', async () => {
    const receiver = await startReceiver()
    try {
      const s = h.client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['*'],
        api_version: LEGACY_VERSION,
      })
      const coupon = await s.coupons.create({ percent_off: 20, duration: 'forever' })
      await receiver.waitFor((e) => e.type === 'coupon.created')
      const promo = await s.promotionCodes.create({
        promotion: { type: 'coupon', coupon: coupon.id },
        code: 'CHAIN20',
      })
      await receiver.waitFor((e) => e.type === 'promotion_code.created')
      const customer = await s.customers.create({
        email: 'chain@example.com',
        payment_method: 'pm_card_visa',
      })
      await receiver.waitFor((e) => e.type === 'customer.created')
      const invoice = await s.invoices.create({
        customer: customer.id,
        discounts: [{ promotion_code: promo.id }],
      })
      await receiver.waitFor((e) => e.type === 'invoice.created')
      await s.invoiceItems.create({
        customer: customer.id,
        invoice: invoice.id,
        amount: 5000,
        currency: 'usd',
      })
      await s.invoices.finalizeInvoice(invoice.id)
      await receiver.waitFor((e) => e.type === 'invoice.finalized')
      const pm = (await s.customers.listPaymentMethods(customer.id)).data[0]!
      const paid = await s.invoices.pay(invoice.id, { payment_method: pm.id })
      expect(paid).toMatchObject({ status: 'paid', total: 4000, amount_paid: 4000 })
      await receiver.waitFor((e) => e.type === 'invoice.payment_succeeded')
      const events = receiver.received.map((r) => JSON.parse(r.body) as Stripe.Event)
      const chain = events
        .map((e) => e.type)
        .filter((t) => /^(coupon|promotion_code|customer|invoice)\./.test(t))
      expect(chain).toEqual([
        'coupon.created',
        'promotion_code.created',
        'customer.created',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
      ])
      const paidEvent = events.find((e) => e.type === 'invoice.paid')!.data.object as Stripe.Invoice
      expect(paidEvent.total_discount_amounts![0]!.amount).toBe(1000)
      expect((await s.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1)
      expectSignedToSpec(s, receiver.received, endpoint.secret!, (type) =>
        type.startsWith('invoice_payment.'),
      )
    } finally {
      await receiver.close()
    }
  })
})
