import { applyCustomerBalance, prepareSubscriptionInvoice, spendOnceDiscounts } from './invoicing.ts'
import type { Customer, Invoice, InvoicePayment, Price, Subscription, SubscriptionItem } from './models.ts'
import { endTrialWithoutPaymentMethod } from './pause.ts'
import { type ConfirmOutcome, confirmIntent, newPaymentIntent } from './payments.ts'
import { advanceSchedule, dueSchedules } from './schedules.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Subscriptions and invoices over time: the first invoice, renewals at period
 * end, the hour a draft waits before it is finalized, and dunning retries.
 * Everything due is computed from state, so a test clock advance and the
 * virtual clock run the very same steps in order of simulated time.
 */
const HOUR = 3600
const DAY = 86_400
/** Retries after a failed renewal: 3, 5 and 7 days after the previous attempt (Stripe's classic custom schedule). */
export const DUNNING_RETRY_DAYS = [3, 5, 7] as const
/** An incomplete subscription whose first invoice stays unpaid this long expires (Stripe: 23 hours). */
const INCOMPLETE_EXPIRY = 23 * HOUR
/** Stripe sends customer.subscription.trial_will_end three days before a trial ends. */
const TRIAL_WILL_END = 3 * DAY

export function addInterval(at: number, interval: 'day' | 'week' | 'month' | 'year', count: number): number {
  if (interval === 'day') return at + count * DAY
  if (interval === 'week') return at + count * 7 * DAY
  const d = new Date(at * 1000)
  const months = interval === 'month' ? count : count * 12
  const day = d.getUTCDate()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + months)
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, last))
  return Math.floor(d.getTime() / 1000)
}

export function newSubscriptionItem(
  ctx: StripeContext,
  sub: { id: string },
  price: Price,
  quantity: number,
  start: number,
): SubscriptionItem {
  const rec = price.recurring!
  return {
    ...blank('subscription_item'),
    id: ctx.ids.mint('si_', 14),
    object: 'subscription_item',
    billing_thresholds: null,
    created: start,
    metadata: {},
    price: structuredClone(price),
    quantity,
    subscription: sub.id,
    tax_rates: [],
    current_period_start: start,
    current_period_end: addInterval(start, rec.interval, rec.interval_count),
  } as unknown as SubscriptionItem
}

function lineItem(
  ctx: StripeContext,
  sub: Subscription,
  item: SubscriptionItem,
  start: number,
  end: number,
  amountOverride?: number,
) {
  const price = item.price as unknown as Price
  const amount = amountOverride ?? (price.unit_amount ?? 0) * item.quantity
  const product = ctx.state.products.get(price.product)
  return {
    ...blank('line_item'),
    id: ctx.ids.mint('il_', 24),
    object: 'line_item',
    amount,
    amount_excluding_tax: amount,
    currency: price.currency,
    description: `${item.quantity} × ${product?.name ?? 'Product'} (at ${(price.unit_amount ?? 0) / 100} ${price.currency} / ${price.recurring?.interval})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    livemode: false,
    metadata: {},
    period: { end, start },
    price: structuredClone(price),
    proration: false,
    proration_details: { credited_items: null },
    quantity: item.quantity,
    subscription: sub.id,
    subscription_item: item.id,
    tax_amounts: [],
    tax_rates: [],
    type: 'subscription',
    unit_amount_excluding_tax: String(price.unit_amount ?? 0),
    pricing: {
      price_details: { price: price.id, product: price.product },
      type: 'price_details',
      unit_amount_decimal: String(price.unit_amount ?? 0),
    },
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: sub.id,
        subscription_item: item.id,
      },
      type: 'subscription_item_details',
    },
    taxes: [],
  }
}

/** A draft invoice for the subscription's items over [start, end). */
export function newInvoice(
  src: EventSource,
  sub: Subscription,
  billingReason: string,
  start: number,
  end: number,
  free = false,
): Invoice {
  const { ctx } = src
  const customer = ctx.state.customers.get(sub.customer)!
  const id = ctx.ids.mint('in_', 24)
  const lines = sub.items.data.map((item) => lineItem(ctx, sub, item, start, end, free ? 0 : undefined))
  const total = lines.reduce((sum, l) => sum + l.amount, 0)
  const invoice = {
    ...blank('invoice'),
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'standin',
    amount_due: total,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { enabled: false, status: null },
    billing_reason: billingReason,
    charge: null,
    collection_method: 'charge_automatically',
    created: src.at,
    currency: (sub.items.data[0]?.price.currency as string | undefined) ?? 'usd',
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    default_payment_method: null,
    description: null,
    discounts: [],
    due_date: null,
    ending_balance: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    lines: {
      object: 'list',
      data: lines,
      has_more: false,
      url: `/v1/invoices/${id}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    paid: false,
    paid_out_of_band: false,
    payment_intent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: end,
    period_start: start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    starting_balance: 0,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: sub.id,
    subtotal: total,
    subtotal_excluding_tax: total,
    tax: null,
    test_clock: customer.test_clock,
    total,
    total_excluding_tax: total,
    total_tax_amounts: [],
    discount: null,
    quote: null,
    application_fee_amount: null,
    transfer_data: null,
    subscription_details: { metadata: { ...sub.metadata } },
    webhooks_delivered_at: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
      type: 'subscription_details',
    },
    payments: { object: 'list', data: [], has_more: false, url: '/v1/invoice_payments' },
    confirmation_secret: null,
    total_taxes: [],
    amount_overpaid: 0,
    _payments: [],
    _finalizeAt: null as number | null,
  } as unknown as Invoice & { _finalizeAt: number | null }
  // Pending invoice items, the subscription's (or customer's) discounts and tax rates.
  prepareSubscriptionInvoice(ctx, invoice, sub)
  ctx.state.invoices.insert(invoice)
  sub.latest_invoice = id
  emitEvent(src, 'invoice.created', invoice)
  return invoice
}

export function finalizeInvoice(src: EventSource, invoice: Invoice): void {
  const { ctx } = src
  const customer = ctx.state.customers.get(invoice.customer)!
  applyCustomerBalance(ctx, invoice)
  ctx.state.invoiceSeq++
  invoice.number = `${customer.invoice_prefix as string}-${String(ctx.state.invoiceSeq).padStart(4, '0')}`
  invoice.status = 'open'
  invoice.hosted_invoice_url = `${ctx.baseUrl}/invoices/${invoice.id}`
  invoice.invoice_pdf = `${ctx.baseUrl}/invoices/${invoice.id}/pdf`
  ;(invoice.status_transitions as Record<string, unknown>).finalized_at = src.at
  ;(invoice as { _finalizeAt?: number | null })._finalizeAt = null
  spendOnceDiscounts(src, invoice)
  emitEvent(src, 'invoice.finalized', invoice)
}

/** The payment method an invoice is charged with: the subscription's default, then the customer's. */
function paymentMethodFor(ctx: StripeContext, invoice: Invoice): string | null {
  const sub = invoice.subscription ? ctx.state.subscriptions.get(invoice.subscription) : undefined
  const customer = ctx.state.customers.get(invoice.customer) as Customer
  return sub?.default_payment_method ?? customer.invoice_settings.default_payment_method ?? null
}

export type InvoiceOutcome = ConfirmOutcome | { kind: 'no_payment_method' }

/** One payment attempt on an open invoice; dunning is scheduled by the caller's `retry` choice. */
export function attemptInvoice(
  src: EventSource,
  invoice: Invoice,
  options: { paymentMethod?: string | undefined; offSession: boolean; retry: boolean },
): InvoiceOutcome {
  const { ctx } = src
  if (invoice.amount_due === 0) {
    markPaid(src, invoice, null)
    return { kind: 'succeeded' }
  }
  invoice.attempt_count += 1
  invoice.attempted = true
  const pmId = options.paymentMethod ?? paymentMethodFor(ctx, invoice)
  let outcome: InvoiceOutcome
  if (!pmId) outcome = { kind: 'no_payment_method' }
  else {
    const pi = newPaymentIntent(src, {
      amount: invoice.amount_remaining,
      currency: invoice.currency,
      customer: invoice.customer,
      payment_method: pmId,
      capture_method: 'automatic',
      description:
        invoice.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
      invoice: invoice.id,
    })
    invoice.payment_intent = pi.id
    invoice.confirmation_secret = { client_secret: pi.client_secret, type: 'payment_intent' }
    outcome = confirmIntent(src, pi, { offSession: options.offSession })
    if (pi.latest_charge) invoice.charge = pi.latest_charge
    if (outcome.kind === 'succeeded') {
      markPaid(src, invoice, pi.id)
      return outcome
    }
    // A bank debit settles later; settleInvoiceIntent pays or fails the invoice then.
    if (outcome.kind === 'processing') return outcome
  }
  if (outcome.kind === 'requires_action') {
    invoice.next_payment_attempt = null
    emitEvent(src, 'invoice.payment_action_required', invoice)
    return outcome
  }
  const retryIn = options.retry ? DUNNING_RETRY_DAYS[invoice.attempt_count - 1] : undefined
  invoice.next_payment_attempt = retryIn === undefined ? null : src.at + retryIn * DAY
  emitEvent(src, 'invoice.payment_failed', invoice)
  return outcome
}

export function markPaid(src: EventSource, invoice: Invoice, paymentIntent: string | null): void {
  const { ctx } = src
  invoice.status = 'paid'
  invoice.paid = true
  invoice.amount_paid = invoice.amount_due
  invoice.amount_remaining = 0
  invoice.next_payment_attempt = null
  ;(invoice.status_transitions as Record<string, unknown>).paid_at = src.at
  let payment: InvoicePayment | undefined
  if (paymentIntent) {
    payment = {
      id: ctx.ids.mint('inpay_', 24),
      object: 'invoice_payment',
      amount_paid: invoice.amount_due,
      amount_requested: invoice.amount_due,
      created: src.at,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: paymentIntent },
      status: 'paid',
      status_transitions: { canceled_at: null, paid_at: src.at },
    }
    ctx.state.invoicePayments.insert(payment)
    invoice._payments.push(payment.id)
    const list = invoice.payments as { data: unknown[] }
    list.data.push(payment)
  }
  emitEvent(src, 'invoice.paid', invoice)
  emitEvent(src, 'invoice.payment_succeeded', invoice)
  if (payment) emitEvent(src, 'invoice_payment.paid', payment)
}

/** Updates a subscription and emits customer.subscription.updated with what changed. */
export function changeSubscription(
  src: EventSource,
  sub: Subscription,
  change: (sub: Subscription) => void,
): void {
  const before = structuredClone(sub)
  change(sub)
  const previous: Record<string, unknown> = {}
  for (const key of Object.keys(sub)) {
    if (
      JSON.stringify((before as Record<string, unknown>)[key]) !==
      JSON.stringify((sub as Record<string, unknown>)[key])
    )
      previous[key] = (before as Record<string, unknown>)[key] ?? null
  }
  if (Object.keys(previous).length > 0) emitEvent(src, 'customer.subscription.updated', sub, previous)
}

export function cancelSubscription(src: EventSource, sub: Subscription, reason: string): void {
  sub.status = 'canceled'
  sub.canceled_at = sub.canceled_at ?? src.at
  sub.ended_at = src.at
  sub.cancel_at_period_end = false
  sub.cancellation_details = { comment: null, feedback: null, reason }
  emitEvent(src, 'customer.subscription.deleted', sub)
}

/** What happens to the subscription after a failed renewal attempt. */
function afterFailedRenewal(src: EventSource, sub: Subscription, invoice: Invoice): void {
  if (invoice.next_payment_attempt === null) {
    // Retries exhausted: Stripe's default setting cancels the subscription.
    cancelSubscription(src, sub, 'payment_failed')
    return
  }
  if (sub.status !== 'past_due')
    changeSubscription(src, sub, (s) => {
      s.status = 'past_due'
    })
}

function afterPaid(src: EventSource, sub: Subscription): void {
  if (sub.status === 'past_due' || sub.status === 'incomplete' || sub.status === 'unpaid')
    changeSubscription(src, sub, (s) => {
      s.status = 'active'
    })
}

/** Pays an invoice on request (Invoices API `pay`, the hosted page) and moves its subscription along. */
export function payInvoice(src: EventSource, invoice: Invoice, paymentMethod?: string): InvoiceOutcome {
  const outcome = attemptInvoice(src, invoice, { paymentMethod, offSession: false, retry: false })
  const sub = invoice.subscription ? src.ctx.state.subscriptions.get(invoice.subscription) : undefined
  if (sub && outcome.kind === 'succeeded') afterPaid(src, sub)
  return outcome
}

/** The first invoice of a new subscription: paid now, or the subscription stays incomplete. */
export function startSubscription(
  src: EventSource,
  sub: Subscription,
  options: { attempt: boolean },
): InvoiceOutcome | undefined {
  const trial = sub.status === 'trialing'
  const invoice = newInvoice(
    src,
    sub,
    'subscription_create',
    sub.current_period_start,
    sub.current_period_end,
    trial,
  )
  finalizeInvoice(src, invoice)
  if (trial) {
    attemptInvoice(src, invoice, { offSession: false, retry: false })
    return { kind: 'succeeded' }
  }
  if (!options.attempt) {
    // default_incomplete: the PaymentIntent waits for the customer to confirm it (client side).
    const pi = newPaymentIntent(src, {
      amount: invoice.amount_remaining,
      currency: invoice.currency,
      customer: invoice.customer,
      capture_method: 'automatic',
      description: 'Subscription creation',
      invoice: invoice.id,
    })
    invoice.payment_intent = pi.id
    invoice.confirmation_secret = { client_secret: pi.client_secret, type: 'payment_intent' }
    return undefined
  }
  const outcome = attemptInvoice(src, invoice, { offSession: false, retry: false })
  if (outcome.kind === 'succeeded') afterPaid(src, sub)
  return outcome
}

type DueAction = { at: number; order: number; run: (src: EventSource) => void }

/** Everything due for these customers' subscriptions and invoices at or before `until`. */
function dueActions(ctx: StripeContext, customers: Set<string>, until: number): DueAction[] {
  const actions: DueAction[] = []
  for (const sub of ctx.state.subscriptions.all()) {
    if (!customers.has(sub.customer)) continue
    if (['active', 'trialing', 'past_due'].includes(sub.status) && sub.current_period_end <= until)
      actions.push({ at: sub.current_period_end, order: 0, run: (src) => renew(src, sub) })
    const willEnd = sub.trial_end === null ? undefined : sub.trial_end - TRIAL_WILL_END
    const flagged = sub as { _trialWillEndSent?: boolean }
    if (sub.status === 'trialing' && willEnd !== undefined && willEnd <= until && !flagged._trialWillEndSent)
      actions.push({
        at: Math.max(willEnd, sub.created),
        order: 4,
        run: (src) => {
          flagged._trialWillEndSent = true
          emitEvent(src, 'customer.subscription.trial_will_end', sub)
        },
      })
    if (sub.status === 'incomplete' && sub.created + INCOMPLETE_EXPIRY <= until)
      actions.push({
        at: sub.created + INCOMPLETE_EXPIRY,
        order: 3,
        run: (src) => expireIncomplete(src, sub),
      })
  }
  // Subscription schedules that start later begin on the clock.
  for (const s of dueSchedules(ctx, customers, until)) actions.push({ at: s.at, order: 5, run: s.run })
  for (const invoice of ctx.state.invoices.all()) {
    if (!customers.has(invoice.customer)) continue
    const finalizeAt = (invoice as { _finalizeAt?: number | null })._finalizeAt
    if (invoice.status === 'draft' && typeof finalizeAt === 'number' && finalizeAt <= until)
      actions.push({ at: finalizeAt, order: 1, run: (src) => finalizeAndCharge(src, invoice) })
    if (
      invoice.status === 'open' &&
      invoice.next_payment_attempt !== null &&
      invoice.next_payment_attempt <= until
    )
      actions.push({ at: invoice.next_payment_attempt, order: 2, run: (src) => retryInvoice(src, invoice) })
  }
  return actions.sort((a, b) => a.at - b.at || a.order - b.order)
}

function renew(src: EventSource, sub: Subscription): void {
  // A trial ending without a payment method may pause or cancel instead (trial_settings).
  if (endTrialWithoutPaymentMethod(src, sub)) return
  if (sub.cancel_at_period_end) {
    cancelSubscription(src, sub, 'cancellation_requested')
    return
  }
  // A scheduled subscription moves to its next phase (or its schedule ends) first.
  if (advanceSchedule(src, sub)) return
  const start = sub.current_period_end
  const item0 = sub.items.data[0]!
  const rec = (item0.price as unknown as Price).recurring!
  const end = addInterval(start, rec.interval, rec.interval_count)
  changeSubscription(src, sub, (s) => {
    s.current_period_start = start
    s.current_period_end = end
    for (const item of s.items.data) {
      item.current_period_start = start
      item.current_period_end = end
    }
    if (s.status === 'trialing') s.status = 'active'
  })
  const invoice = newInvoice(src, sub, 'subscription_cycle', start, end) as Invoice & {
    _finalizeAt: number | null
  }
  // Stripe leaves a renewal invoice in draft for about an hour before finalizing and charging it.
  invoice._finalizeAt = src.at + HOUR
}

function finalizeAndCharge(src: EventSource, invoice: Invoice): void {
  finalizeInvoice(src, invoice)
  // An invoice sent for manual payment is emailed, not charged; a zero total is paid on the spot.
  if (invoice.collection_method !== 'send_invoice') charge(src, invoice)
  else if (invoice.amount_due === 0) markPaid(src, invoice, null)
  else emitEvent(src, 'invoice.sent', invoice)
}

function retryInvoice(src: EventSource, invoice: Invoice): void {
  charge(src, invoice)
}

function charge(src: EventSource, invoice: Invoice): void {
  const sub = invoice.subscription ? src.ctx.state.subscriptions.get(invoice.subscription) : undefined
  const outcome = attemptInvoice(src, invoice, { offSession: true, retry: true })
  if (!sub || sub.status === 'canceled' || outcome.kind === 'processing') return
  if (outcome.kind === 'succeeded') afterPaid(src, sub)
  else afterFailedRenewal(src, sub, invoice)
}

function expireIncomplete(src: EventSource, sub: Subscription): void {
  changeSubscription(src, sub, (s) => {
    s.status = 'incomplete_expired'
  })
  const invoice = sub.latest_invoice ? src.ctx.state.invoices.get(sub.latest_invoice) : undefined
  if (invoice && invoice.status === 'open') {
    invoice.status = 'void'
    ;(invoice.status_transitions as Record<string, unknown>).voided_at = src.at
    emitEvent(src, 'invoice.voided', invoice)
  }
}

/**
 * Runs what falls due up to `until`, oldest first; `setNow` moves the clock the
 * customers live on (a test clock's frozen time) so each event is stamped with
 * the simulated time it happened at.
 */
export function runBilling(
  ctx: StripeContext,
  customers: Set<string>,
  until: number,
  setNow: (at: number) => void,
): number {
  let steps = 0
  for (; steps < 1000; steps++) {
    const next = dueActions(ctx, customers, until)[0]
    if (!next) break
    setNow(next.at)
    next.run({ ctx, at: next.at, request: null })
  }
  return steps
}

/** Subscriptions not on a test clock follow the virtual clock: one timer for the next thing due. */
export function scheduleRealtime(ctx: StripeContext): void {
  const state = ctx.state as StripeContext['state'] & { _timer?: { cancel(): void } }
  state._timer?.cancel()
  const customers = new Set(ctx.state.customers.filter((c) => !c.test_clock).map((c) => c.id))
  const next = dueActions(ctx, customers, Number.MAX_SAFE_INTEGER)[0]
  if (!next) return
  state._timer = ctx.later(Math.max(0, next.at * 1000 - ctx.clock.now()), () => {
    runBilling(ctx, customers, ctx.clock.unix(), () => {})
    scheduleRealtime(ctx)
  })
}

/** After a PaymentIntent of an invoice was authenticated (3-D Secure page): pay the invoice, or record the failure. */
export function settleInvoiceIntent(
  src: EventSource,
  pi: { id: string; invoice: string | null; status: string; latest_charge: string | null },
): void {
  const invoice = pi.invoice ? src.ctx.state.invoices.get(pi.invoice) : undefined
  if (invoice?.status !== 'open') return
  const sub = invoice.subscription ? src.ctx.state.subscriptions.get(invoice.subscription) : undefined
  if (pi.status === 'succeeded') {
    invoice.charge = pi.latest_charge
    markPaid(src, invoice, pi.id)
    if (sub) afterPaid(src, sub)
  } else emitEvent(src, 'invoice.payment_failed', invoice)
}
