import type Stripe from 'stripe'
import type { Ctx } from '../context.ts'
import { fulfil, getPayment, markFailed, type PaymentRow } from '../flows/payments.ts'
import { markEmailUndeliverable } from '../flows/profile.ts'
import {
  invoiceSubscriptionId,
  stripeCheckoutCompleted,
  stripeInvoiceFailed,
  stripeInvoicePaid,
  stripeSubscriptionEnded,
} from '../flows/subscriptions.ts'
import type { TossPayment } from '../providers/toss.ts'

interface StoredEvent {
  id: number
  provider: string
  type: string
  payload: Record<string, unknown>
  processed_at: Date | null
}

/**
 * The job that processes one stored webhook event. It runs after the 2xx
 * went out, may run more than once (retries, restarts), and so only ever
 * calls idempotent operations (fulfil, markFailed, status updates).
 */
export function webhookJobs(ctx: Ctx) {
  return {
    'webhook.process': async (payload: Record<string, unknown>) => {
      const [event] = await ctx.db.query<StoredEvent>('SELECT * FROM webhook_events WHERE id = $1', [
        payload.webhookEventId,
      ])
      if (!event || event.processed_at) return
      if (event.provider === 'stripe') await stripeEvent(ctx, event.payload as unknown as Stripe.Event)
      else if (event.provider === 'razorpay') await razorpayEvent(ctx, event.payload)
      else if (event.provider === 'toss') await tossEvent(ctx, event.type, event.payload)
      else if (event.provider === 'twilio') await twilioEvent(ctx, event.payload)
      else if (event.provider === 'sendgrid') await sendgridEvent(ctx, event.type, event.payload)
      await ctx.db.query('UPDATE webhook_events SET processed_at = $2 WHERE id = $1', [
        event.id,
        ctx.clock.now(),
      ])
    },
  }
}

async function paymentFor(
  ctx: Ctx,
  metadata: Record<string, string> | null | undefined,
): Promise<PaymentRow | undefined> {
  const id = metadata?.payment_id
  return id ? getPayment(ctx.db, id) : undefined
}

async function stripeEvent(ctx: Ctx, event: Stripe.Event): Promise<void> {
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const pi = event.data.object
      const p = await paymentFor(ctx, pi.metadata)
      // The amount is checked against our order, not taken from the event.
      if (p && pi.amount_received >= p.amount && pi.currency === p.currency)
        await fulfil(ctx, p.id, {
          source: 'stripe-webhook',
          providerRef: p.method === 'payment_intent' ? pi.id : undefined,
          details: { stripePaymentIntent: pi.id },
        })
      return
    }
    case 'payment_intent.payment_failed': {
      const pi = event.data.object
      const p = await paymentFor(ctx, pi.metadata)
      if (p && p.method === 'payment_intent')
        await markFailed(
          ctx,
          p.id,
          pi.last_payment_error?.code ?? 'payment_failed',
          pi.last_payment_error?.message ?? 'The payment failed.',
        )
      return
    }
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object
      if (session.mode === 'subscription') {
        const sub = typeof session.subscription === 'string' ? session.subscription : session.subscription?.id
        if (sub) await stripeCheckoutCompleted(ctx, sub)
        return
      }
      const p = await paymentFor(ctx, session.metadata)
      if (p && session.payment_status === 'paid' && (session.amount_total ?? 0) >= p.amount) {
        const pi =
          typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id
        await fulfil(ctx, p.id, { source: 'stripe-webhook', details: { stripePaymentIntent: pi } })
      }
      return
    }
    case 'checkout.session.expired': {
      const p = await paymentFor(ctx, event.data.object.metadata)
      if (p) await markFailed(ctx, p.id, 'expired', 'The checkout session expired.')
      return
    }
    case 'invoice.paid':
    case 'invoice.payment_succeeded': {
      const sub = invoiceSubscriptionId(event.data.object)
      if (sub) await stripeInvoicePaid(ctx, sub)
      return
    }
    case 'invoice.payment_failed': {
      const sub = invoiceSubscriptionId(event.data.object)
      if (sub) await stripeInvoiceFailed(ctx, sub, 'card declined')
      return
    }
    case 'customer.subscription.deleted':
      return stripeSubscriptionEnded(ctx, event.data.object.id)
    case 'customer.subscription.updated': {
      const s = event.data.object
      if (s.status === 'unpaid' || s.status === 'incomplete_expired' || s.status === 'canceled')
        await stripeSubscriptionEnded(ctx, s.id)
      else if (s.status === 'past_due') await stripeInvoiceFailed(ctx, s.id, 'renewal failed')
      return
    }
    default:
      return
  }
}

async function razorpayEvent(ctx: Ctx, body: Record<string, unknown>): Promise<void> {
  const event = body.event as string
  const entity = (body.payload as { payment?: { entity?: Record<string, unknown> } } | undefined)?.payment
    ?.entity
  if (!entity || !['payment.captured', 'order.paid'].includes(event)) return
  const orderId = entity.order_id as string | undefined
  const [p] = orderId
    ? await ctx.db.query<PaymentRow>(
        `SELECT * FROM payments WHERE provider = 'razorpay' AND provider_order_id = $1`,
        [orderId],
      )
    : []
  if (p && Number(entity.amount) >= p.amount)
    await fulfil(ctx, p.id, { source: 'razorpay-webhook', providerRef: String(entity.id) })
}

async function tossEvent(ctx: Ctx, type: string, body: Record<string, unknown>): Promise<void> {
  if (type !== 'PAYMENT_STATUS_CHANGED' && type !== 'DEPOSIT_CALLBACK') return
  const claimed = (type === 'PAYMENT_STATUS_CHANGED' ? body.data : body) as Partial<TossPayment> & {
    secret?: string
  }
  const orderId = claimed.orderId
  if (!orderId) return
  const [p] = await ctx.db.query<PaymentRow>(
    `SELECT * FROM payments WHERE provider = 'toss' AND provider_order_id = $1`,
    [orderId],
  )
  if (!p) return
  // Toss does not sign payment webhooks: believe the API, not the body (the defect believes the body).
  const truth: Partial<TossPayment> = ctx.defects.has('skip-webhook-signature')
    ? claimed
    : await ctx.providers.toss.getPaymentByOrder(orderId)
  if (truth.status === 'DONE' && (truth.totalAmount ?? 0) >= p.amount)
    await fulfil(ctx, p.id, { source: 'toss-webhook', providerRef: truth.paymentKey })
  else if (truth.status === 'ABORTED' || truth.status === 'EXPIRED')
    await markFailed(ctx, p.id, truth.status, 'The payment did not complete.')
  else if (truth.status === 'CANCELED' && p.status === 'refunding')
    await ctx.db.query(
      `UPDATE payments SET status = 'refunded', refunded_at = $2, updated_at = $2 WHERE id = $1`,
      [p.id, ctx.clock.now()],
    )
}

async function twilioEvent(ctx: Ctx, params: Record<string, unknown>): Promise<void> {
  await ctx.db.query(
    `UPDATE sms_messages SET status = $3, error = COALESCE($4, error), updated_at = $5 WHERE provider = $1 AND provider_message_id = $2`,
    [
      'twilio',
      params.MessageSid,
      params.MessageStatus,
      params.ErrorCode ? `Twilio error ${params.ErrorCode}` : null,
      ctx.clock.now(),
    ],
  )
}

async function sendgridEvent(ctx: Ctx, type: string, event: Record<string, unknown>): Promise<void> {
  if (type !== 'bounce' && type !== 'dropped') return
  await markEmailUndeliverable(ctx, {
    email: String(event.email ?? ''),
    verificationId: typeof event.verification_id === 'string' ? event.verification_id : undefined,
    reason: String(event.reason ?? type),
  })
}
