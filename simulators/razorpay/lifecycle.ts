import type { ProviderContext } from '../core/provider.ts'
import { type PaymentFailure, paymentFailures } from './errors.ts'
import {
  attemptOrder,
  authorize,
  type Card,
  capture,
  expireAuthorization,
  failPayment,
  failRefund,
  markPaid,
  newCard,
  newPayment,
  type Order,
  type Payment,
  type PaymentMethod,
  type RazorpayState,
  type Refund,
  refundPayment,
  wireNotes,
} from './models.ts'
import { emit } from './webhooks.ts'

type Ctx = ProviderContext<RazorpayState>

/** What the customer entered on the checkout page. */
export interface PaymentDetails {
  method: PaymentMethod
  email: string
  contact: string
  description?: string | undefined
  card?: {
    number: string
    name: string
    network: string
    type: Card['type']
    international: boolean
    issuer: string | null
  }
  vpa?: string
  bank?: string
  wallet?: string
}

/** Uncaptured authorisations are refunded after this (the capture-settings default). */
export const DEFAULT_MANUAL_EXPIRY_MS = 3 * 24 * 3_600_000

/** A payment left on the bank page fails after this ("times out between 3 to 15 minutes"). */
export const PAYMENT_TIMEOUT_MS = 15 * 60_000

/**
 * A payment attempt on an order: the order becomes `attempted`, the payment
 * `created`. If the customer never finishes, the payment fails with
 * `payment_timed_out` once the transaction timeout passes (virtual time).
 */
export function startPayment(ctx: Ctx, order: Order, details: PaymentDetails): Payment {
  attemptOrder(order, ctx.state.payments.all())
  let cardId: string | null = null
  if (details.card) {
    cardId = ctx.ids.mint('card_', 14)
    const { number, name, network, type, international, issuer } = details.card
    ctx.state.cards.set(
      cardId,
      newCard({ id: cardId, name, last4: number.slice(-4), network, type, issuer, international }),
    )
  }
  const id = ctx.ids.mint('pay_', 14)
  if (details.card) ctx.state.cardNumbers.set(id, details.card.number)
  ctx.later(PAYMENT_TIMEOUT_MS, () => {
    const abandoned = ctx.state.payments.get(id)
    if (abandoned?.status === 'created') failPaymentWith(ctx, abandoned, paymentFailures.payment_timed_out)
  })
  return ctx.state.payments.insert(
    newPayment({
      id,
      amount: order.amount,
      currency: order.currency,
      order_id: order.id,
      international: details.card?.international ?? false,
      method: details.method,
      description: details.description ?? null,
      card_id: cardId,
      bank: details.bank ?? null,
      wallet: details.wallet ?? null,
      vpa: details.vpa ?? null,
      email: details.email,
      contact: details.contact,
      notes: Array.isArray(order.notes) ? [] : { ...order.notes },
      created_at: ctx.clock.unix(),
    }),
  )
}

/** The bank said yes: authorized, then captured at once when the order asks for automatic capture. */
export function authorizePayment(ctx: Ctx, payment: Payment): void {
  authorize(payment)
  payment.acquirer_data = acquirerData(ctx, payment.method)
  const order = payment.order_id ? ctx.state.orders.get(payment.order_id) : undefined
  emit(ctx, 'payment.authorized', { payment })
  const mode = order ? (ctx.state.captureMode.get(order.id) ?? 'automatic') : 'manual'
  // A late authorisation on an order another payment already paid is never captured: it waits out its window and is refunded.
  if (mode === 'automatic' && order?.status !== 'paid') {
    capturePayment(ctx, payment, payment.amount, undefined)
    return
  }
  const timer = ctx.later(DEFAULT_MANUAL_EXPIRY_MS, () => expire(ctx, payment.id))
  ctx.state.expiry.set(payment.id, timer)
}

export function failPaymentWith(ctx: Ctx, payment: Payment, failure: PaymentFailure): void {
  failPayment(payment, failure)
  emit(ctx, 'payment.failed', { payment })
}

/** Capture: the payment becomes `captured`, its order `paid`; `payment.captured` then `order.paid`. */
export function capturePayment(
  ctx: Ctx,
  payment: Payment,
  amount: number,
  currency: string | undefined,
): void {
  capture(payment, amount, currency)
  ctx.state.expiry.get(payment.id)?.cancel()
  ctx.state.expiry.delete(payment.id)
  const order = payment.order_id ? ctx.state.orders.get(payment.order_id) : undefined
  emit(ctx, 'payment.captured', { payment })
  if (order) {
    markPaid(order, payment.amount)
    emit(ctx, 'order.paid', { payment, order })
  }
}

export interface RefundInput {
  amount?: number | undefined
  speed?: 'normal' | 'optimum' | undefined
  notes?: Record<string, unknown> | undefined
  receipt?: string | undefined
}

/**
 * A refund of a captured payment. Test mode processes refunds at once, so the
 * refund is `processed` in the response and `refund.created` is followed by
 * `refund.processed`.
 */
export function refund(ctx: Ctx, payment: Payment, input: RefundInput): Refund {
  const amount = input.amount ?? payment.amount - payment.amount_refunded
  refundPayment(payment, amount)
  const created = recordRefund(ctx, payment, amount, input)
  emit(ctx, 'refund.created', { refund: created, payment })
  emit(ctx, 'refund.processed', { refund: created, payment })
  return created
}

/** How long a refund the bank will bounce stays `pending` (virtual time). */
export const REFUND_FAILURE_DELAY_MS = 60 * 60_000

/**
 * A refund that stays `pending` and then fails (`refund.created`, later
 * `refund.failed`): what an app that assumes refunds are instant gets wrong.
 * Reached through the `refund.failed` trigger.
 */
export function refundThatFails(ctx: Ctx, payment: Payment, input: RefundInput): Refund {
  const amount = input.amount ?? payment.amount - payment.amount_refunded
  refundPayment(payment, amount)
  const created = recordRefund(ctx, payment, amount, input)
  created.status = 'pending'
  emit(ctx, 'refund.created', { refund: created, payment })
  ctx.later(REFUND_FAILURE_DELAY_MS, () => {
    failRefund(created, payment)
    emit(ctx, 'refund.failed', { refund: created, payment })
  })
  return created
}

function recordRefund(ctx: Ctx, payment: Payment, amount: number, input: RefundInput): Refund {
  return ctx.state.refunds.insert({
    id: ctx.ids.mint('rfnd_', 14),
    entity: 'refund',
    amount,
    receipt: input.receipt ?? null,
    currency: payment.currency,
    payment_id: payment.id,
    notes: wireNotes(input.notes),
    acquirer_data: { arn: null },
    created_at: ctx.clock.unix(),
    batch_id: null,
    status: 'processed',
    speed_processed: input.speed === 'optimum' ? 'instant' : 'normal',
    speed_requested: input.speed ?? 'normal',
  })
}

/** The capture window ran out: the whole authorised amount goes back to the customer. */
function expire(ctx: Ctx, paymentId: string): void {
  ctx.state.expiry.delete(paymentId)
  const payment = ctx.state.payments.get(paymentId)
  if (!payment || !expireAuthorization(payment)) return
  const created = recordRefund(ctx, payment, payment.amount, {})
  emit(ctx, 'refund.created', { refund: created, payment })
  emit(ctx, 'refund.processed', { refund: created, payment })
}

/** Reference numbers as each method's acquirer returns them. */
function acquirerData(ctx: Ctx, method: PaymentMethod): Record<string, string> {
  switch (method) {
    case 'card':
      return { auth_code: ctx.ids.mint('', 6, 'digits') }
    case 'upi':
      return { rrn: ctx.ids.mint('', 12, 'digits'), upi_transaction_id: ctx.ids.mint('', 32, 'hex') }
    case 'netbanking':
      return { bank_transaction_id: ctx.ids.mint('', 7, 'digits') }
    case 'wallet':
      return { transaction_id: ctx.ids.mint('', 12, 'digits') }
  }
}
