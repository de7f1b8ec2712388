import { invalidRequest } from './errors.ts'
import { assertMarkableUncollectible, assertSendable, assertVoidable } from './invoice-rules.ts'
import { applyCustomerBalance, spendOnceDiscounts } from './invoice-totals.ts'
import type { Customer, Invoice, InvoicePayment } from './models.ts'
import type { ConfirmOutcome } from './payment-method-kinds.ts'
import { confirmIntent, newPaymentIntent } from './payments.ts'
import { DAY } from './periods.ts'
import { patchNested } from './snapshots.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * An invoice's moves once it is built: finalized (numbered, balance applied),
 * attempted (a PaymentIntent confirmed off or on session, dunning scheduled),
 * paid, voided, marked uncollectible, sent. Subscriptions (billing.ts) and
 * one-off invoices (invoicing.ts) both come here.
 */
export function finalizeInvoice(src: EventSource, invoice: Invoice): void {
  const { ctx } = src
  const customer = ctx.state.customers.get(invoice.customer)!
  applyCustomerBalance(ctx, invoice)
  ctx.state.invoiceSeq++
  invoice.number = `${customer.invoice_prefix as string}-${String(ctx.state.invoiceSeq).padStart(4, '0')}`
  invoice.status = 'open'
  invoice.hosted_invoice_url = `${ctx.baseUrl}/invoices/${invoice.id}`
  invoice.invoice_pdf = `${ctx.baseUrl}/invoices/${invoice.id}/pdf`
  patchNested(invoice, 'status_transitions', { finalized_at: src.at })
  invoice._finalizeAt = null
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
  patchNested(invoice, 'status_transitions', { paid_at: src.at })
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

/** Retries after a failed renewal: 3, 5 and 7 days after the previous attempt (Stripe's classic custom schedule). */
export const DUNNING_RETRY_DAYS = [3, 5, 7] as const

/** Finalizes a one-off draft: number, due date, balance; a zero total is paid on the spot. */
export function finalizeOneOff(src: EventSource, invoice: Invoice): void {
  if (invoice.status !== 'draft')
    invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.")
  if (invoice.collection_method === 'send_invoice' && invoice.due_date === null)
    invoice.due_date = src.at + (invoice._daysUntilDue ?? 30) * DAY
  finalizeInvoice(src, invoice)
  if (invoice.amount_due === 0 && invoice.status === 'open') markPaid(src, invoice, null)
}

export function voidInvoice(src: EventSource, invoice: Invoice): void {
  assertVoidable(invoice)
  invoice.status = 'void'
  invoice.next_payment_attempt = null
  invoice.amount_remaining = 0
  patchNested(invoice, 'status_transitions', { voided_at: src.at })
  emitEvent(src, 'invoice.voided', invoice)
}

export function markUncollectible(src: EventSource, invoice: Invoice): void {
  assertMarkableUncollectible(invoice)
  invoice.status = 'uncollectible'
  invoice.next_payment_attempt = null
  patchNested(invoice, 'status_transitions', { marked_uncollectible_at: src.at })
  emitEvent(src, 'invoice.marked_uncollectible', invoice)
}

/** Sends an invoice to its customer (finalizing a draft first); standin records no email. */
export function sendInvoice(src: EventSource, invoice: Invoice): void {
  assertSendable(invoice)
  if (invoice.status === 'draft') finalizeOneOff(src, invoice)
  if (invoice.status === 'paid') return
  emitEvent(src, 'invoice.sent', invoice)
}
