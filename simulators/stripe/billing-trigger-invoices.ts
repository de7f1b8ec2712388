// The invoicing and discount chains billing triggers build (customer, invoices, coupons, tax rates).
import { payInvoice } from './billing.ts'
import { type Coupon, type PromotionCode, redeem, setCustomerDiscount } from './discounts.ts'
import { finalizeOneOff } from './invoice-transitions.ts'
import { newOneOffInvoice, type TaxRate } from './invoicing.ts'
import type { Customer, Invoice } from './models.ts'
import { attach, createCardPaymentMethod } from './payments.ts'
import { newInvoiceItem } from './routes/invoice-items.ts'
import { patchNested } from './snapshots.ts'
import type { StripeContext } from './state.ts'
import { sourceOf, triggeredCustomer } from './trigger-support.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * `stripe trigger` for invoicing and discounts: each builds the chain Stripe's
 * fixtures build (customer → invoice item → invoice → finalize → pay; coupon →
 * customer discount; …) through the same code the API runs, so every object
 * along the way can be fetched afterwards.
 */
export function payingCustomer(src: EventSource): Customer {
  const c = triggeredCustomer(src)
  const pm = createCardPaymentMethod(src, { number: '4242424242424242' })
  attach(src, pm, c)
  patchNested(c, 'invoice_settings', { default_payment_method: pm.id })
  return c
}

/** customer → invoice item → draft invoice holding it. */
export function draft(ctx: StripeContext, options: { sendInvoice?: boolean } = {}): Invoice {
  const src = sourceOf(ctx)
  const c = payingCustomer(src)
  newInvoiceItem(src, c.id, { amount: 2000, currency: 'usd', description: '(created by standin trigger)' })
  const invoice = newOneOffInvoice(src, c, {
    pending_invoice_items_behavior: 'include',
    ...(options.sendInvoice ? { collection_method: 'send_invoice', days_until_due: 30 } : {}),
  })
  emitEvent(src, 'invoice.created', invoice)
  return invoice
}

export function open(ctx: StripeContext, options: { sendInvoice?: boolean } = {}): Invoice {
  const invoice = draft(ctx, options)
  finalizeOneOff(sourceOf(ctx), invoice)
  return invoice
}

export function paid(ctx: StripeContext): Invoice {
  const invoice = open(ctx)
  payInvoice(sourceOf(ctx), invoice)
  return invoice
}

export function coupon(ctx: StripeContext): Coupon {
  const src = sourceOf(ctx)
  const c: Coupon = {
    id: ctx.ids.mint('', 8),
    object: 'coupon',
    amount_off: null,
    created: src.at,
    currency: null,
    duration: 'repeating',
    duration_in_months: 3,
    livemode: false,
    max_redemptions: null,
    metadata: {},
    name: null,
    percent_off: 25.5,
    redeem_by: null,
    times_redeemed: 0,
    valid: true,
  }
  ctx.state.coupons.insert(c)
  emitEvent(src, 'coupon.created', c)
  return c
}

export function promotionCode(ctx: StripeContext): PromotionCode {
  const c = coupon(ctx)
  const src = sourceOf(ctx)
  const promo: PromotionCode = {
    id: ctx.ids.mint('promo_', 24),
    object: 'promotion_code',
    active: true,
    code: ctx.ids.mint('', 8).toUpperCase(),
    coupon: structuredClone(c),
    promotion: { coupon: c.id, type: 'coupon' },
    created: src.at,
    customer: null,
    expires_at: null,
    livemode: false,
    max_redemptions: null,
    metadata: {},
    restrictions: { first_time_transaction: false, minimum_amount: null, minimum_amount_currency: null },
    times_redeemed: 0,
  }
  ctx.state.promotionCodes.insert(promo)
  emitEvent(src, 'promotion_code.created', promo)
  return promo
}

/** coupon → customer → customer discount. */
export function customerDiscount(ctx: StripeContext) {
  const c = coupon(ctx)
  const src = sourceOf(ctx)
  const customer = payingCustomer(src)
  setCustomerDiscount(src, customer, redeem(src, c, null, { customer: customer.id }))
  return { coupon: c, customer }
}

export function taxRate(ctx: StripeContext): TaxRate {
  const src = sourceOf(ctx)
  const rate: TaxRate = {
    id: ctx.ids.mint('txr_', 24),
    object: 'tax_rate',
    active: true,
    country: null,
    created: src.at,
    description: null,
    display_name: 'Sales tax',
    effective_percentage: 8.5,
    inclusive: false,
    jurisdiction: null,
    jurisdiction_level: null,
    livemode: false,
    metadata: {},
    percentage: 8.5,
    state: null,
    tax_type: null,
  }
  ctx.state.taxRates.insert(rate)
  emitEvent(src, 'tax_rate.created', rate)
  return rate
}

export function updated<T extends { metadata: Record<string, string> }>(
  ctx: StripeContext,
  type: string,
  obj: T,
): T {
  obj.metadata = { ...obj.metadata, triggered: 'true' }
  emitEvent(sourceOf(ctx), type, obj, { metadata: {} })
  return obj
}
