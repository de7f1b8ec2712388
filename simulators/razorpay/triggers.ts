import type { ProviderContext, TriggerSpec } from '../core/provider.ts'
import { fail, MESSAGES, paymentFailures } from './errors.ts'
import { authorizePayment, failPaymentWith, refund, refundThatFails, startPayment } from './lifecycle.ts'
import type { Order, Payment, RazorpayState } from './models.ts'

/**
 * Events on demand (like `stripe trigger`): each makes the objects the event
 * needs in the account and plays the real transitions, so the webhooks are
 * the ones a checkout would have produced.
 */
type Ctx = ProviderContext<RazorpayState>

function order(
  ctx: Ctx,
  params: Record<string, unknown>,
  capture: 'automatic' | 'manual' = 'automatic',
): Order {
  const amount =
    typeof params.amount === 'number' && Number.isInteger(params.amount) && params.amount >= 100
      ? params.amount
      : 50_000
  const created = ctx.state.orders.insert({
    id: ctx.ids.mint('order_', 14),
    entity: 'order',
    amount,
    amount_paid: 0,
    amount_due: amount,
    currency: 'INR',
    receipt: typeof params.receipt === 'string' ? params.receipt : null,
    offer_id: null,
    status: 'created',
    attempts: 0,
    notes: [],
    created_at: ctx.clock.unix(),
  })
  ctx.state.captureMode.set(created.id, capture)
  return created
}

const upi = (ctx: Ctx, o: Order, vpa: string): Payment =>
  startPayment(ctx, o, { method: 'upi', vpa, email: 'gaurav.kumar@example.com', contact: '+919999999999' })

export const triggers: Record<string, TriggerSpec<RazorpayState>> = {
  'order.paid': {
    summary:
      'creates an order (params.amount, default 50000) and pays it by UPI: payment.authorized, payment.captured, order.paid',
    run: (ctx, params) => {
      const o = order(ctx, params)
      const payment = upi(ctx, o, 'success@razorpay')
      authorizePayment(ctx, payment)
      return { order: o, payment }
    },
  },
  'payment.authorized': {
    summary: 'creates an order with manual capture and authorizes a payment on it (no capture)',
    run: (ctx, params) => {
      const o = order(ctx, params, 'manual')
      const payment = upi(ctx, o, 'success@razorpay')
      authorizePayment(ctx, payment)
      return { order: o, payment }
    },
  },
  'payment.failed': {
    summary: 'creates an order and fails a UPI payment on it (reason params.reason, default payment_failed)',
    run: (ctx, params) => {
      const o = order(ctx, params)
      const payment = upi(ctx, o, 'failure@razorpay')
      const reason =
        typeof params.reason === 'string' && params.reason in paymentFailures
          ? params.reason
          : 'payment_failed'
      failPaymentWith(ctx, payment, paymentFailures[reason as keyof typeof paymentFailures])
      return { order: o, payment }
    },
  },
  'payment.late_authorized': {
    summary: 'a failed payment (params.payment_id) turns authorized: payment.authorized after payment.failed',
    run: (ctx, params) => {
      const payment = ctx.state.payments.get(String(params.payment_id ?? ''))
      if (!payment) fail({ description: MESSAGES.idNotFound, field: 'payment_id' })
      authorizePayment(ctx, payment)
      return { payment }
    },
  },
  'refund.processed': {
    summary: 'pays an order, then refunds it in full: refund.created, refund.processed',
    run: (ctx, params) => {
      const o = order(ctx, params)
      const payment = upi(ctx, o, 'success@razorpay')
      authorizePayment(ctx, payment)
      return { order: o, payment, refund: refund(ctx, payment, {}) }
    },
  },
  'refund.failed': {
    summary:
      'refunds a captured payment (params.payment_id, or a new paid order) with a refund that stays pending for an hour (virtual) and then fails: refund.created, refund.failed',
    run: (ctx, params) => {
      let payment =
        typeof params.payment_id === 'string' ? ctx.state.payments.get(params.payment_id) : undefined
      if (typeof params.payment_id === 'string' && !payment)
        fail({ description: MESSAGES.idNotFound, field: 'payment_id' })
      if (!payment) {
        payment = upi(ctx, order(ctx, params), 'success@razorpay')
        authorizePayment(ctx, payment)
      }
      const amount = typeof params.refund_amount === 'number' ? params.refund_amount : undefined
      return { payment, refund: refundThatFails(ctx, payment, { amount }) }
    },
  },
}
