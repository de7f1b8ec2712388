import type { Ctx } from '../context.ts'
import { RetryLater } from '../jobs/worker.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { applyCredits } from './credits.ts'
import { fulfil, getPayment, idemKey, markFailed, type PaymentRow, paymentIntentParams } from './payments.ts'

/** After this long without an outcome, an unpaid order is abandoned. */
const GIVE_UP_MS = 24 * 3600_000

/**
 * Settles a payment nothing else settled: asks the provider what really
 * happened (the charge may have gone through while our request timed out)
 * and fulfils or fails it. Runs again later while the outcome is open.
 */
export async function reconcilePayment(ctx: Ctx, paymentId: string): Promise<void> {
  if (ctx.defects.has('reconciliation-missing')) return
  const p = await getPayment(ctx.db, paymentId)
  if (!p || !['created', 'pending'].includes(p.status)) return
  const outcome = await askProvider(ctx, p).catch((error) => {
    if (error instanceof ProviderCallError && error.status === 404) return 'open' as const
    throw error
  })
  if (outcome === 'open') {
    if (ctx.clock.nowMs() - p.created_at.getTime() > GIVE_UP_MS)
      return markFailed(ctx, p.id, 'abandoned', 'No payment was completed in time.')
    throw new RetryLater(new Date(ctx.clock.nowMs() + ctx.config.reconcileAfterMs))
  }
}

async function askProvider(ctx: Ctx, p: PaymentRow): Promise<'settled' | 'open'> {
  const { stripe, razorpay, toss } = ctx.providers
  if (p.provider === 'stripe' && p.method === 'checkout') {
    if (!p.provider_ref) return 'open'
    const session = await stripe.retrieveCheckoutSession(p.provider_ref)
    if (session.payment_status === 'paid') {
      const pi =
        typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id
      await fulfil(ctx, p.id, { source: 'reconcile', details: { stripePaymentIntent: pi } })
      return 'settled'
    }
    if (session.status === 'expired') {
      await markFailed(ctx, p.id, 'expired', 'The checkout session expired.')
      return 'settled'
    }
    return 'open'
  }
  if (p.provider === 'stripe') {
    let intentId = p.provider_ref
    // The create itself timed out: replaying it with the same idempotency key returns the intent Stripe made.
    if (!intentId) {
      const replay = await stripe.createPaymentIntent(
        paymentIntentParams(
          p,
          String(p.details.orderName ?? ''),
          p.details.paymentMethodId as string | undefined,
        ),
        idemKey(p.id, 'create'),
      )
      intentId = replay.id
      await ctx.db.query('UPDATE payments SET provider_ref = $2, client_secret = $3 WHERE id = $1', [
        p.id,
        replay.id,
        replay.client_secret,
      ])
    }
    const intent = await stripe.retrievePaymentIntent(intentId)
    if (intent.status === 'succeeded' && intent.amount_received >= p.amount) {
      await fulfil(ctx, p.id, { source: 'reconcile', providerRef: intent.id })
      return 'settled'
    }
    if (intent.status === 'canceled') {
      await markFailed(ctx, p.id, 'canceled', 'The payment was canceled.')
      return 'settled'
    }
    return 'open'
  }
  if (p.provider === 'razorpay') {
    if (!p.provider_order_id) return 'open'
    const { items } = await razorpay.fetchOrderPayments(p.provider_order_id)
    const paid = items.find((i) => i.status === 'captured' && i.amount >= p.amount)
    if (paid) {
      await fulfil(ctx, p.id, { source: 'reconcile', providerRef: paid.id })
      return 'settled'
    }
    return 'open'
  }
  const payment = await toss.getPaymentByOrder(p.provider_order_id ?? p.id)
  if (payment.status === 'DONE' && payment.totalAmount === p.amount) {
    await fulfil(ctx, p.id, { source: 'reconcile', providerRef: payment.paymentKey })
    return 'settled'
  }
  if (payment.status === 'ABORTED' || payment.status === 'EXPIRED') {
    await markFailed(
      ctx,
      p.id,
      payment.failure?.code ?? payment.status,
      payment.failure?.message ?? 'The payment did not complete.',
    )
    return 'settled'
  }
  return 'open'
}

/**
 * The refund job: credits were already taken back in the request's
 * transaction; this makes the provider refund (with an idempotency key) and
 * gives the credits back if the provider refuses for good.
 */
export async function refundPayment(ctx: Ctx, paymentId: string): Promise<void> {
  const p = await getPayment(ctx.db, paymentId)
  if (p?.status !== 'refunding') return
  const key = idemKey(p.id, 'refund')
  try {
    if (p.provider === 'stripe') {
      const pi =
        (p.method === 'checkout' ? (p.details.stripePaymentIntent as string | undefined) : p.provider_ref) ??
        undefined
      const params = pi ? { payment_intent: pi } : undefined
      if (!params)
        throw new ProviderCallError('stripe', 'no PaymentIntent recorded for this payment', { status: 400 })
      await ctx.providers.stripe.createRefund({ ...params, metadata: { payment_id: p.id } }, key)
    } else if (p.provider === 'razorpay') {
      await ctx.providers.razorpay.refund(p.provider_ref!, p.amount, p.id)
    } else {
      await ctx.providers.toss.cancel(p.provider_ref!, { cancelReason: 'Customer requested refund' }, key)
    }
  } catch (error) {
    if (error instanceof ProviderCallError && !error.retryable) {
      await ctx.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE payments SET status = 'succeeded', failure_code = $2, failure_message = $3, updated_at = $4 WHERE id = $1`,
          [p.id, 'refund_failed', error.message.slice(0, 300), ctx.clock.now()],
        )
        await applyCredits(tx, {
          userId: p.user_id,
          delta: p.credits,
          reason: 'refund-reversed',
          ref: `refund-reversal:${p.id}`,
          at: ctx.clock.now(),
        })
      })
      return
    }
    throw error
  }
  await ctx.db.query(
    `UPDATE payments SET status = 'refunded', refunded_at = $2, updated_at = $2 WHERE id = $1`,
    [p.id, ctx.clock.now()],
  )
}
