import type { ProviderContext } from '../core/provider.ts'
import { emitBilling } from './billing-events.ts'
import type { PaymentLink } from './billing-models.ts'
import { type FailureReason, fail, paymentFailures } from './errors.ts'
import { authorizePayment, failPaymentWith, type PaymentDetails, startPayment } from './lifecycle.ts'
import type { Order, Payment, RazorpayState } from './models.ts'
import { signature } from './webhooks.ts'

/**
 * Payment Links: a link is paid on its hosted page (short_url). Each payment
 * runs on an order of the link (as Razorpay makes one), so the usual
 * `payment.authorized` / `payment.captured` / `order.paid` go out, then
 * `payment_link.paid` (or `.partially_paid` with `accept_partial`) with the
 * link, the order and the payment. States: created → partially_paid → paid;
 * cancelled (only from created, as the docs say); expired at `expire_by`.
 */
type Ctx = ProviderContext<RazorpayState>

/** A link without `expire_by` is valid six months ("By default, a Payment Link will be valid for six months"). */
export const DEFAULT_VALIDITY_S = 180 * 86_400
/** "expire_by: timestamp must be atleast 15 minutes in future". */
export const MIN_EXPIRY_S = 15 * 60

export function newLinkOrder(ctx: Ctx, amount: number, currency: string, link: string): Order {
  const order = ctx.state.orders.insert({
    id: ctx.ids.mint('order_', 14),
    entity: 'order',
    amount,
    amount_paid: 0,
    amount_due: amount,
    currency,
    receipt: null,
    offer_id: null,
    status: 'created',
    attempts: 0,
    notes: { payment_link_id: link },
    created_at: ctx.clock.unix(),
  })
  ctx.state.captureMode.set(order.id, 'automatic')
  return order
}

export function scheduleLinkExpiry(ctx: Ctx, link: PaymentLink): void {
  ctx.state.billing.linkTimers.get(link.id)?.cancel()
  const when = link.expire_by > 0 ? link.expire_by : link.created_at + DEFAULT_VALIDITY_S
  const id = link.id
  const timer = ctx.later(Math.max(0, when * 1000 - ctx.clock.now()), () => {
    ctx.state.billing.linkTimers.delete(id)
    const current = ctx.state.billing.paymentLinks.get(id)
    if (!current || (current.status !== 'created' && current.status !== 'partially_paid')) return
    current.status = 'expired'
    current.expired_at = ctx.clock.unix()
    current.updated_at = current.expired_at
    emitBilling(ctx, 'payment_link.expired', { payment_link: current })
  })
  ctx.state.billing.linkTimers.set(id, timer)
}

export function cancelLink(ctx: Ctx, link: PaymentLink): void {
  if (link.status !== 'created')
    fail({ description: `Payment Link cannot be cancelled in ${link.status} state.`, field: null })
  ctx.state.billing.linkTimers.get(link.id)?.cancel()
  ctx.state.billing.linkTimers.delete(link.id)
  link.status = 'cancelled'
  link.cancelled_at = ctx.clock.unix()
  link.updated_at = link.cancelled_at
  emitBilling(ctx, 'payment_link.cancelled', { payment_link: link })
}

/** What the callback carries: the razorpay-node `validatePaymentVerification` payment-link variant. */
export function linkCallback(
  keySecret: string,
  link: PaymentLink,
  paymentId: string,
): Record<string, string> {
  return {
    razorpay_payment_id: paymentId,
    razorpay_payment_link_id: link.id,
    razorpay_payment_link_reference_id: link.reference_id,
    razorpay_payment_link_status: link.status,
    razorpay_signature: signature(keySecret, `${link.id}|${link.reference_id}|${link.status}|${paymentId}`),
  }
}

export type LinkPayResult =
  | { ok: true; payment: Payment }
  | { ok: false; payment: Payment; reason: FailureReason }

/** Checks the amount a customer chose against the link: the full due amount, or a partial one when allowed. */
export function checkLinkAmount(link: PaymentLink, amount: number): string | undefined {
  const due = link.amount - link.amount_paid
  if (!Number.isInteger(amount) || amount <= 0) return 'Please enter a valid amount'
  if (amount > due) return 'Amount exceeds the amount due'
  if (amount === due) return undefined
  if (!link.accept_partial) return 'Partial payments are not accepted for this link'
  if (link.amount_paid === 0 && amount < link.first_min_partial_amount)
    return `The first payment must be at least ${link.first_min_partial_amount}`
  return undefined
}

/** One payment on the link's page: success or a failure with `failure`. */
export function payLink(
  ctx: Ctx,
  link: PaymentLink,
  amount: number,
  details: PaymentDetails,
  failure: FailureReason | undefined,
): LinkPayResult {
  if (link.status !== 'created' && link.status !== 'partially_paid')
    fail({ description: `Payment Link is ${link.status}.`, field: null })
  const linkOrder = ctx.state.orders.get(link.order_id)
  const order =
    linkOrder && linkOrder.status !== 'paid' && amount === linkOrder.amount
      ? linkOrder
      : newLinkOrder(ctx, amount, link.currency, link.id)
  const payment = startPayment(ctx, order, details)
  if (failure) {
    failPaymentWith(ctx, payment, paymentFailures[failure])
    return { ok: false, payment, reason: failure }
  }
  authorizePayment(ctx, payment)
  const now = ctx.clock.unix()
  link.amount_paid += amount
  link.status = link.amount_paid >= link.amount ? 'paid' : 'partially_paid'
  link.updated_at = now
  link.payments = [
    ...(link.payments ?? []),
    {
      amount,
      created_at: now,
      method: payment.method,
      payment_id: payment.id,
      plink_id: link.id,
      status: 'captured',
      updated_at: now,
    },
  ]
  if (link.status === 'paid') {
    ctx.state.billing.linkTimers.get(link.id)?.cancel()
    ctx.state.billing.linkTimers.delete(link.id)
  }
  emitBilling(ctx, link.status === 'paid' ? 'payment_link.paid' : 'payment_link.partially_paid', {
    payment_link: link,
    order,
    payment,
  })
  return { ok: true, payment }
}
