import type Stripe from 'stripe'
import type { Ctx } from '../context.ts'
import { ApiError } from '../errors.ts'
import { getPayment, type PaymentRow } from '../flows/payment-row.ts'
import { fulfil, markFailed } from '../flows/payments.ts'
import {
  invoiceSubscriptionId,
  stripeCheckoutCompleted,
  stripeInvoiceFailed,
  stripeInvoicePaid,
  stripeSubscriptionEnded,
} from '../flows/subscriptions/stripe.ts'
import { invalidSignature, parseJson, staleTimestamp, type WebhookSource } from './source.ts'

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

/** Stripe: Stripe-Signature (HMAC with a timestamp) over the raw body; payments and Billing events. */
export const stripeWebhooks: WebhookSource = {
  provider: 'stripe',
  path: '/webhooks/stripe',
  receive(ctx, req, checks) {
    const signature = req.header('stripe-signature')
    let event: { id: string; type: string }
    if (!checks.signature) event = parseJson(req.raw) as typeof event
    else {
      if (!signature) throw invalidSignature('stripe-signature', 'The Stripe-Signature header is missing.')
      try {
        event = ctx.providers.stripe.verifyWebhook(req.raw, signature, ctx.clock.nowMs(), checks.age)
      } catch (error) {
        const stale = String((error as Error).message).includes('tolerance')
        throw stale ? staleTimestamp('stripe-signature') : invalidSignature('stripe-signature')
      }
    }
    if (!event?.id || !event.type) throw new ApiError(400, 'invalid_request', 'Not a Stripe event.', 'body')
    return [{ eventId: event.id, type: event.type, payload: event }]
  },
  process: (ctx, event) => stripeEvent(ctx, event.payload as unknown as Stripe.Event),
}
