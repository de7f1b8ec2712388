import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, conflict, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { applyCredits } from './credits.ts'
import { PACKAGES } from './packages.ts'
import {
  createPayment,
  fulfil,
  getPayment,
  idemKey,
  markFailed,
  type PaymentRow,
  presentPayment,
  providerFailure,
} from './payments.ts'
import { IdParams, PaymentProvider } from './schemas.ts'

export const CreatePaymentBody = z.object({
  packageId: z.enum(PACKAGES.map((p) => p.id) as [string, ...string[]]),
  provider: PaymentProvider,
  /** Stripe: PaymentIntent (default) or a hosted Checkout Session. */
  method: z.enum(['payment_intent', 'checkout']).optional(),
  /** Stripe PaymentIntent: confirm server-side with this PaymentMethod (pm_card_visa in test mode). */
  paymentMethodId: z.string().min(3).max(255).optional(),
})

const TossConfirm = z.object({
  paymentKey: z.string().min(1).max(200),
  orderId: z.string().min(6).max(64),
  amount: z.coerce.number().int().positive(),
})

async function ownPayment(ctx: Ctx, userId: string, id: string): Promise<PaymentRow> {
  const p = await getPayment(ctx.db, id)
  if (!p || p.user_id !== userId) throw notFound('Payment', 'id')
  return p
}

/**
 * Toss confirm: the redirect's amount comes from the browser, so it is
 * checked against the stored order before confirming, and the confirmed
 * amount is checked again. A timeout leaves the payment pending for the
 * reconciliation job (the Idempotency-Key makes the retry safe).
 */
async function confirmToss(ctx: Ctx, input: z.output<typeof TossConfirm>, userId?: string) {
  const [p] = await ctx.db.query<PaymentRow>(
    `SELECT * FROM payments WHERE provider = 'toss' AND provider_order_id = $1`,
    [input.orderId],
  )
  if (!p || (userId && p.user_id !== userId)) throw notFound('Order', 'orderId')
  if (p.status === 'succeeded') return presentPayment(ctx, p)
  const trustRedirect = ctx.defects.has('toss-trust-redirect-amount')
  if (!trustRedirect && input.amount !== p.amount)
    throw new ApiError(
      400,
      'amount_mismatch',
      `amount ${input.amount} does not match the order amount ${p.amount}.`,
      'amount',
    )
  await ctx.db.query('UPDATE payments SET provider_ref = $2, updated_at = $3 WHERE id = $1', [
    p.id,
    input.paymentKey,
    ctx.clock.now(),
  ])
  let confirmed: Awaited<ReturnType<typeof ctx.providers.toss.confirm>>
  try {
    confirmed = await ctx.providers.toss.confirm(
      {
        paymentKey: input.paymentKey,
        orderId: input.orderId,
        amount: trustRedirect ? input.amount : p.amount,
      },
      idemKey(p.id, 'confirm'),
    )
  } catch (error) {
    // The first confirm went through but its answer was lost: look the payment up instead of failing it.
    if (error instanceof ProviderCallError && error.code === 'ALREADY_PROCESSED_PAYMENT')
      confirmed = await ctx.providers.toss.getPayment(input.paymentKey)
    else return providerFailure(ctx, p.id, error)
  }
  if (confirmed.status === 'DONE' && (trustRedirect || confirmed.totalAmount === p.amount))
    await fulfil(ctx, p.id, { source: 'toss-confirm', providerRef: confirmed.paymentKey })
  else if (confirmed.status !== 'DONE')
    await markFailed(
      ctx,
      p.id,
      confirmed.failure?.code ?? confirmed.status,
      confirmed.failure?.message ?? 'not approved',
    )
  return presentPayment(ctx, (await getPayment(ctx.db, p.id))!)
}

export function paymentRoutes(ctx: Ctx) {
  return [
    route({
      method: 'GET',
      path: '/v1/credit-packages',
      operationId: 'listCreditPackages',
      summary: 'Credit packages and their price per provider currency (minor units).',
      tag: 'payments',
      auth: false,
      handler: async () => ({ data: PACKAGES }),
    }),
    route({
      method: 'POST',
      path: '/v1/payments',
      operationId: 'createPayment',
      summary:
        'Buy a credit package: creates the provider-side payment (Stripe PaymentIntent/Checkout, Razorpay order, Toss order).',
      tag: 'payments',
      status: 201,
      body: CreatePaymentBody,
      errors: {
        402: 'declined by the provider',
        502: 'provider unavailable after retries (payment stays pending)',
      },
      handler: async ({ user, body }) =>
        presentPayment(ctx, await createPayment(ctx, { ...body, userId: user.id, purpose: 'credits' })),
    }),
    route({
      method: 'GET',
      path: '/v1/payments',
      operationId: 'listPayments',
      summary: "The user's payments, newest first.",
      tag: 'payments',
      handler: async ({ user }) => {
        const rows = await ctx.db.query<PaymentRow>(
          'SELECT * FROM payments WHERE user_id = $1 ORDER BY created_at DESC LIMIT 100',
          [user.id],
        )
        return { data: rows.map((p) => presentPayment(ctx, p)) }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/payments/:id',
      operationId: 'getPayment',
      summary: 'One payment and its status.',
      tag: 'payments',
      params: IdParams,
      handler: async ({ user, params }) => presentPayment(ctx, await ownPayment(ctx, user.id, params.id)),
    }),
    route({
      method: 'POST',
      path: '/v1/payments/:id/razorpay/verify',
      operationId: 'verifyRazorpayPayment',
      summary:
        "Razorpay Checkout's handler result: verifies razorpay_signature (HMAC of order_id|payment_id), then grants credits.",
      tag: 'payments',
      params: IdParams,
      body: z.object({
        razorpay_payment_id: z.string().min(1).max(64),
        razorpay_order_id: z.string().min(1).max(64),
        razorpay_signature: z.string().min(1).max(256),
      }),
      errors: { 400: 'signature or order mismatch' },
      handler: async ({ user, params, body }) => {
        const p = await ownPayment(ctx, user.id, params.id)
        if (p.provider !== 'razorpay')
          throw new ApiError(400, 'invalid_request', 'Not a Razorpay payment.', 'id')
        if (body.razorpay_order_id !== p.provider_order_id)
          throw new ApiError(
            400,
            'order_mismatch',
            'razorpay_order_id is not the order of this payment.',
            'razorpay_order_id',
          )
        const valid =
          ctx.defects.has('skip-razorpay-signature') ||
          ctx.providers.razorpay.verifyCheckout(
            body.razorpay_order_id,
            body.razorpay_payment_id,
            body.razorpay_signature,
          )
        if (!valid)
          throw new ApiError(
            400,
            'invalid_signature',
            'razorpay_signature does not verify.',
            'razorpay_signature',
          )
        await fulfil(ctx, p.id, {
          source: 'razorpay-checkout-signature',
          providerRef: body.razorpay_payment_id,
        })
        return presentPayment(ctx, (await getPayment(ctx.db, p.id))!)
      },
    }),
    route({
      method: 'POST',
      path: '/v1/payments/toss/confirm',
      operationId: 'confirmTossPayment',
      summary: 'Confirm a Toss payment with the successUrl parameters (paymentKey, orderId, amount).',
      tag: 'payments',
      body: TossConfirm,
      errors: {
        400: 'amount does not match the order',
        402: 'declined',
        502: 'Toss unavailable (payment stays pending)',
      },
      handler: async ({ user, body }) => confirmToss(ctx, body, user.id),
    }),
    route({
      method: 'GET',
      path: '/v1/payments/toss/success',
      operationId: 'tossSuccessRedirect',
      summary: "Toss payment window's successUrl: confirms the payment (the browser lands here).",
      tag: 'payments',
      auth: false,
      query: TossConfirm.extend({ paymentType: z.string().optional() }),
      handler: async ({ query }) => confirmToss(ctx, query),
    }),
    route({
      method: 'GET',
      path: '/v1/payments/toss/fail',
      operationId: 'tossFailRedirect',
      summary: "Toss payment window's failUrl: records why the payment did not happen.",
      tag: 'payments',
      auth: false,
      query: z.object({
        code: z.string().max(100),
        message: z.string().max(500).optional(),
        orderId: z.string().max(64).optional(),
      }),
      handler: async ({ query }) => {
        if (query.orderId) {
          const [p] = await ctx.db.query<PaymentRow>(
            `SELECT * FROM payments WHERE provider = 'toss' AND provider_order_id = $1`,
            [query.orderId],
          )
          if (p) await markFailed(ctx, p.id, query.code, query.message ?? query.code)
        }
        return { status: 'failed', code: query.code }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/payments/:id/return',
      operationId: 'stripeCheckoutReturn',
      summary:
        'Stripe Checkout success/cancel URL. Shows the status only; credits come from the verified webhook.',
      tag: 'payments',
      auth: false,
      params: IdParams,
      query: z.object({ session_id: z.string().max(255).optional(), canceled: z.string().max(5).optional() }),
      handler: async ({ params }) => {
        const p = await getPayment(ctx.db, params.id)
        if (!p) throw notFound('Payment', 'id')
        return { id: p.id, status: p.status }
      },
    }),
    route({
      method: 'POST',
      path: '/v1/payments/:id/refund',
      operationId: 'refundPayment',
      summary:
        'Refund a credit purchase: takes its credits back now, refunds through the provider in the background.',
      tag: 'payments',
      status: 202,
      params: IdParams,
      errors: { 409: 'not refundable (not succeeded, already refunded, or credits already spent)' },
      handler: async ({ user, params }) => {
        const p = await ownPayment(ctx, user.id, params.id)
        if (p.purpose !== 'credits')
          throw conflict('not_refundable', 'Only credit purchases can be refunded here.', 'id')
        if (p.status !== 'succeeded' || p.failure_code === 'refund_failed')
          throw conflict('not_refundable', `A ${p.status} payment cannot be refunded.`, 'id')
        await ctx.db.transaction(async (tx) => {
          const moved = await tx.query(
            `UPDATE payments SET status = 'refunding', updated_at = $2 WHERE id = $1 AND status = 'succeeded' RETURNING id`,
            [p.id, ctx.clock.now()],
          )
          if (!moved.length) throw conflict('not_refundable', 'The payment is already being refunded.', 'id')
          if (!ctx.defects.has('refund-keeps-credits'))
            await applyCredits(tx, {
              userId: p.user_id,
              delta: -p.credits,
              reason: 'refund',
              ref: `refund:${p.id}`,
              at: ctx.clock.now(),
            }).catch((e) => {
              throw e instanceof ApiError && e.status === 402
                ? conflict('credits_spent', 'The credits of this purchase were already spent.', 'id')
                : e
            })
          await ctx.enqueue(tx, 'payment.refund', { paymentId: p.id }, { dedupeKey: `refund:${p.id}` })
        })
        return presentPayment(ctx, (await getPayment(ctx.db, p.id))!)
      },
    }),
    route({
      method: 'GET',
      path: '/v1/credits',
      operationId: 'getCredits',
      summary: 'Credit balance and the ledger (append-only; every grant and spend).',
      tag: 'payments',
      handler: async ({ user }) => {
        const [u] = await ctx.db.query<{ credits: number }>('SELECT credits FROM users WHERE id = $1', [
          user.id,
        ])
        const entries = await ctx.db.query<{
          id: number
          delta: number
          balance_after: number
          reason: string
          ref: string | null
          created_at: Date
        }>(
          'SELECT id, delta, balance_after, reason, ref, created_at FROM credit_ledger WHERE user_id = $1 ORDER BY id DESC LIMIT 200',
          [user.id],
        )
        return {
          balance: u?.credits ?? 0,
          entries: entries.map((e) => ({
            id: e.id,
            delta: e.delta,
            balanceAfter: e.balance_after,
            reason: e.reason,
            ref: e.ref,
            createdAt: e.created_at.toISOString(),
          })),
        }
      },
    }),
  ]
}
