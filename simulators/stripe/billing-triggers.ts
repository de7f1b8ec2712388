import type { TriggerSpec } from '../core/provider.ts'
import { payInvoice, startSubscription } from './billing.ts'
import { createCreditNote, voidCreditNote } from './credit-notes.ts'
import { type Coupon, type PromotionCode, redeem, setCustomerDiscount } from './discounts.ts'
import { finalizeOneOff, markUncollectible, sendInvoice, voidInvoice } from './invoice-transitions.ts'
import { newOneOffInvoice, type TaxRate } from './invoicing.ts'
import type { Customer, Invoice } from './models.ts'
import { endTrialWithoutPaymentMethod, resumeSubscription } from './pause.ts'
import { attach, createCardPaymentMethod } from './payments.ts'
import { newConfiguration } from './routes/billing-portal.ts'
import { newInvoiceItem } from './routes/invoice-items.ts'
import { newPaymentLink } from './routes/payment-links.ts'
import { newPrice } from './routes/products.ts'
import { activate, buildPhases, cancelSchedule, releaseSchedule, type Schedule } from './schedules.ts'
import { blank } from './spec.ts'
import type { StripeContext, StripeState } from './state.ts'
import { newSubscription } from './subscriptions.ts'
import { sourceOf } from './trigger-support.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * `stripe trigger` for invoicing and discounts: each builds the chain Stripe's
 * fixtures build (customer → invoice item → invoice → finalize → pay; coupon →
 * customer discount; …) through the same code the API runs, so every object
 * along the way can be fetched afterwards.
 */
function payingCustomer(src: EventSource): Customer {
  const { ctx } = src
  const c = {
    ...blank('customer'),
    id: ctx.ids.mint('cus_', 14),
    object: 'customer',
    balance: 0,
    created: src.at,
    discount: null,
    email: 'triggered@example.com',
    name: null,
    livemode: false,
    metadata: {},
    invoice_prefix: ctx.ids.mint('', 8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    test_clock: null,
  } as Customer
  ctx.state.customers.insert(c)
  emitEvent(src, 'customer.created', c)
  const pm = createCardPaymentMethod(src, { number: '4242424242424242' })
  attach(src, pm, c)
  c.invoice_settings.default_payment_method = pm.id
  return c
}

/** customer → invoice item → draft invoice holding it. */
function draft(ctx: StripeContext, options: { sendInvoice?: boolean } = {}): Invoice {
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

function open(ctx: StripeContext, options: { sendInvoice?: boolean } = {}): Invoice {
  const invoice = draft(ctx, options)
  finalizeOneOff(sourceOf(ctx), invoice)
  return invoice
}

function paid(ctx: StripeContext): Invoice {
  const invoice = open(ctx)
  payInvoice(sourceOf(ctx), invoice)
  return invoice
}

function coupon(ctx: StripeContext): Coupon {
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

function promotionCode(ctx: StripeContext): PromotionCode {
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
function customerDiscount(ctx: StripeContext) {
  const c = coupon(ctx)
  const src = sourceOf(ctx)
  const customer = payingCustomer(src)
  setCustomerDiscount(src, customer, redeem(src, c, null, { customer: customer.id }))
  return { coupon: c, customer }
}

function taxRate(ctx: StripeContext): TaxRate {
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

function updated<T extends { metadata: Record<string, string> }>(
  ctx: StripeContext,
  type: string,
  obj: T,
): T {
  obj.metadata = { ...obj.metadata, triggered: 'true' }
  emitEvent(sourceOf(ctx), type, obj, { metadata: {} })
  return obj
}

/** A trial without a payment method whose end pauses it (trial_settings), run to its end now. */
function paused(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const c = payingCustomer(src)
  c.invoice_settings.default_payment_method = null
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    product_data: { name: 'myproduct' },
  })
  const sub = newSubscription(src, c, [{ price, quantity: 1 }], {
    trial_period_days: 7,
    prepare: (s) => {
      s.trial_settings = { end_behavior: { missing_payment_method: 'pause' } }
    },
  })
  startSubscription(src, sub, { attempt: true })
  endTrialWithoutPaymentMethod(sourceOf(ctx), sub)
  return { customer: c, sub }
}

function plan(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    product_data: { name: 'myproduct' },
  })
  const p = {
    id: price.id,
    object: 'plan' as const,
    active: true,
    aggregate_usage: null,
    amount: 2000,
    amount_decimal: '2000',
    billing_scheme: 'per_unit' as const,
    created: src.at,
    currency: 'usd',
    interval: 'month' as const,
    interval_count: 1,
    livemode: false,
    metadata: {},
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed' as const,
  }
  ctx.state.plans.insert(p)
  emitEvent(src, 'plan.created', p)
  return p
}

function portalConfiguration(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const config = newConfiguration(
    ctx,
    src.at,
    { business_profile: { headline: 'standin' }, features: { subscription_cancel: { enabled: true } } },
    ctx.state.portalConfigurations.size === 0,
  )
  emitEvent(src, 'billing_portal.configuration.created', config)
  return config
}

function paymentLink(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    product_data: { name: 'myproduct' },
  })
  return newPaymentLink(ctx, src.at, [{ price, quantity: 1 }])
}

/** customer → two monthly prices → a schedule of two phases, started now. */
function schedule(ctx: StripeContext): Schedule {
  const src = sourceOf(ctx)
  const c = payingCustomer(src)
  const monthly = (amount: number) =>
    newPrice(ctx, src.at, {
      currency: 'usd',
      unit_amount: amount,
      recurring: { interval: 'month' },
      product_data: { name: 'myproduct' },
    })
  const phases = buildPhases(ctx, src.at, [
    { items: [{ price: monthly(1000).id }], iterations: 1 },
    { items: [{ price: monthly(2000).id }], iterations: 1 },
  ])
  const sched = {
    id: ctx.ids.mint('sub_sched_', 24),
    object: 'subscription_schedule' as const,
    application: null,
    canceled_at: null,
    completed_at: null,
    created: src.at,
    current_phase: null,
    customer: c.id,
    default_settings: {
      application_fee_percent: null,
      automatic_tax: { enabled: false },
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: null,
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: 'release' as const,
    livemode: false,
    metadata: {},
    phases,
    released_at: null,
    released_subscription: null,
    status: 'not_started' as const,
    subscription: null,
    test_clock: null,
  } as Schedule
  ctx.state.schedules.insert(sched)
  emitEvent(src, 'subscription_schedule.created', sched)
  activate(src, sched)
  return sched
}

export const billingTriggers: Record<string, TriggerSpec<StripeState>> = {
  'subscription_schedule.created': {
    summary: 'a schedule of two monthly phases, started now',
    run: schedule,
  },
  'subscription_schedule.updated': {
    summary: 'a schedule whose metadata changes',
    run: (ctx) => updated(ctx, 'subscription_schedule.updated', schedule(ctx)),
  },
  'subscription_schedule.released': {
    summary: 'a schedule, released (its subscription continues)',
    run: (ctx) => {
      const s = schedule(ctx)
      releaseSchedule(sourceOf(ctx), s)
      return s
    },
  },
  'subscription_schedule.canceled': {
    summary: 'a schedule, canceled with its subscription',
    run: (ctx) => {
      const s = schedule(ctx)
      cancelSchedule(sourceOf(ctx), s)
      return s
    },
  },
  'payment_link.created': { summary: 'a payment link for a one-time price', run: paymentLink },
  'payment_link.updated': {
    summary: 'a payment link, deactivated',
    run: (ctx) => {
      const link = paymentLink(ctx)
      link.active = false
      emitEvent(sourceOf(ctx), 'payment_link.updated', link, { active: true })
      return link
    },
  },
  'billing_portal.configuration.created': { summary: 'a portal configuration', run: portalConfiguration },
  'billing_portal.configuration.updated': {
    summary: 'a portal configuration whose metadata changes',
    run: (ctx) => updated(ctx, 'billing_portal.configuration.updated', portalConfiguration(ctx)),
  },
  'billing_portal.session.created': {
    summary: 'a customer and a portal session for it',
    run: (ctx) => {
      const config = portalConfiguration(ctx)
      const src = sourceOf(ctx)
      const c = payingCustomer(src)
      const id = ctx.ids.mint('bps_', 24)
      const session = {
        id,
        object: 'billing_portal.session' as const,
        configuration: config.id,
        created: src.at,
        customer: c.id,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: null,
        url: `${ctx.baseUrl}/p/session/${id}`,
      }
      ctx.state.portalSessions.insert(session)
      emitEvent(src, 'billing_portal.session.created', session)
      return session
    },
  },
  'plan.created': { summary: 'a monthly plan (and its price)', run: plan },
  'plan.updated': {
    summary: 'a plan whose metadata changes',
    run: (ctx) => updated(ctx, 'plan.updated', plan(ctx)),
  },
  'plan.deleted': {
    summary: 'a plan, deleted',
    run: (ctx) => {
      const p = plan(ctx)
      ctx.state.plans.delete(p.id)
      emitEvent(sourceOf(ctx), 'plan.deleted', p)
      return p
    },
  },
  'customer.subscription.paused': {
    summary: 'a trial ending without a payment method, paused (trial_settings)',
    run: (ctx) => paused(ctx).sub,
  },
  'customer.subscription.resumed': {
    summary: 'a paused subscription, resumed with a card',
    run: (ctx) => {
      const { customer, sub } = paused(ctx)
      const src = sourceOf(ctx)
      const pm = createCardPaymentMethod(src, { number: '4242424242424242' })
      attach(src, pm, customer)
      customer.invoice_settings.default_payment_method = pm.id
      resumeSubscription(src, sub)
      return sub
    },
  },
  'invoiceitem.created': {
    summary: 'a customer and a pending invoice item',
    run: (ctx) => {
      const src = sourceOf(ctx)
      return newInvoiceItem(src, payingCustomer(src).id, { amount: 2000, currency: 'usd' })
    },
  },
  'invoiceitem.deleted': {
    summary: 'a pending invoice item, deleted',
    run: (ctx) => {
      const src = sourceOf(ctx)
      const item = newInvoiceItem(src, payingCustomer(src).id, { amount: 2000, currency: 'usd' })
      ctx.state.invoiceItems.delete(item.id)
      emitEvent(src, 'invoiceitem.deleted', item)
      return item
    },
  },
  'invoice.created': { summary: 'an invoice item on a draft invoice', run: (ctx) => draft(ctx) },
  'invoice.updated': {
    summary: 'a draft invoice whose metadata changes',
    run: (ctx) =>
      updated(ctx, 'invoice.updated', draft(ctx) as Invoice & { metadata: Record<string, string> }),
  },
  'invoice.deleted': {
    summary: 'a draft invoice, deleted',
    run: (ctx) => {
      const invoice = draft(ctx)
      ctx.state.invoices.delete(invoice.id)
      emitEvent(sourceOf(ctx), 'invoice.deleted', invoice)
      return invoice
    },
  },
  'invoice.finalized': { summary: 'a one-off invoice, finalized', run: (ctx) => open(ctx) },
  'invoice.payment_succeeded': { summary: 'a one-off invoice, finalized and paid by card', run: paid },
  'invoice.sent': {
    summary: 'an invoice for manual payment, sent',
    run: (ctx) => {
      const invoice = draft(ctx, { sendInvoice: true })
      sendInvoice(sourceOf(ctx), invoice)
      return invoice
    },
  },
  'invoice.voided': {
    summary: 'a one-off invoice, finalized then voided',
    run: (ctx) => {
      const invoice = open(ctx)
      voidInvoice(sourceOf(ctx), invoice)
      return invoice
    },
  },
  'invoice.marked_uncollectible': {
    summary: 'a one-off invoice, finalized then marked uncollectible',
    run: (ctx) => {
      const invoice = open(ctx)
      markUncollectible(sourceOf(ctx), invoice)
      return invoice
    },
  },
  'credit_note.created': {
    summary: 'a paid invoice, credited in part to the customer balance',
    run: (ctx) => createCreditNote(sourceOf(ctx), paid(ctx), { invoice: '', amount: 500 }),
  },
  'credit_note.updated': {
    summary: 'a credit note whose metadata changes',
    run: (ctx) =>
      updated(
        ctx,
        'credit_note.updated',
        createCreditNote(sourceOf(ctx), paid(ctx), { invoice: '', amount: 500 }),
      ),
  },
  'credit_note.voided': {
    summary: 'a credit note on an open invoice, voided',
    run: (ctx) => {
      const note = createCreditNote(sourceOf(ctx), open(ctx), { invoice: '', amount: 500 })
      voidCreditNote(sourceOf(ctx), note)
      return note
    },
  },
  'coupon.created': { summary: 'a 25.5% coupon for three months', run: coupon },
  'coupon.updated': {
    summary: 'a coupon whose metadata changes',
    run: (ctx) => updated(ctx, 'coupon.updated', coupon(ctx)),
  },
  'coupon.deleted': {
    summary: 'a coupon, deleted',
    run: (ctx) => {
      const c = coupon(ctx)
      ctx.state.coupons.delete(c.id)
      c.valid = false
      emitEvent(sourceOf(ctx), 'coupon.deleted', c)
      return c
    },
  },
  'promotion_code.created': { summary: 'a coupon and a promotion code for it', run: promotionCode },
  'promotion_code.updated': {
    summary: 'a promotion code, deactivated',
    run: (ctx) => {
      const promo = promotionCode(ctx)
      promo.active = false
      emitEvent(sourceOf(ctx), 'promotion_code.updated', promo, { active: true })
      return promo
    },
  },
  'customer.discount.created': {
    summary: 'a coupon applied to a customer',
    run: (ctx) => customerDiscount(ctx).customer.discount,
  },
  'customer.discount.updated': {
    summary: 'a customer discount replaced by another coupon',
    run: (ctx) => {
      const { customer } = customerDiscount(ctx)
      const src = sourceOf(ctx)
      setCustomerDiscount(src, customer, redeem(src, coupon(ctx), null, { customer: customer.id }))
      return customer.discount
    },
  },
  'customer.discount.deleted': {
    summary: 'a customer discount, removed',
    run: (ctx) => {
      const { customer } = customerDiscount(ctx)
      const discount = customer.discount
      setCustomerDiscount(sourceOf(ctx), customer, null)
      return discount
    },
  },
  'tax_rate.created': { summary: 'an 8.5% exclusive tax rate', run: taxRate },
  'tax_rate.updated': {
    summary: 'a tax rate whose metadata changes',
    run: (ctx) => updated(ctx, 'tax_rate.updated', taxRate(ctx)),
  },
}
