import { prepareSubscriptionInvoice } from './invoice-totals.ts'
import { attemptInvoice, finalizeInvoice, type InvoiceOutcome, markPaid } from './invoice-transitions.ts'
import type { Invoice, Price, Subscription, SubscriptionItem } from './models.ts'
import { newPaymentIntent } from './payments.ts'
import { addInterval } from './periods.ts'
import { onIntentSettled } from './settlement.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Subscriptions: their items and invoices, starting (the first invoice paid
 * now, or the subscription left incomplete), changing, cancelling, and moving
 * along when an invoice is paid or fails. What falls due over time is in
 * billing-clock.ts; an invoice's own moves are in invoice-transitions.ts.
 */
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
  const price = item.price
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
  } as unknown as Invoice
  // Pending invoice items, the subscription's (or customer's) discounts and tax rates.
  prepareSubscriptionInvoice(ctx, invoice, sub)
  ctx.state.invoices.insert(invoice)
  sub.latest_invoice = id
  emitEvent(src, 'invoice.created', invoice)
  return invoice
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
export function afterFailedRenewal(src: EventSource, sub: Subscription, invoice: Invoice): void {
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

export function afterPaid(src: EventSource, sub: Subscription): void {
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

/**
 * After a PaymentIntent of an invoice got its answer later (3-D Secure page,
 * bank debit settled): pay the invoice, or record the failure.
 */
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

onIntentSettled(settleInvoiceIntent)
