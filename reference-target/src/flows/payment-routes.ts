import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, conflict, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { applyCredits } from './credits.ts'
import type { FlowModule } from './module.ts'
import { PACKAGES } from './packages.ts'
import { getPayment, type PaymentRow } from './payment-row.ts'
import { createPayment, creditPurchase, presentPayment } from './payments.ts'
import { razorpayCheckoutRoutes } from './razorpay-checkout.ts'
import { reconcilePayment, refundPayment } from './reconcile.ts'
import { IdParams, PaymentProvider } from './schemas.ts'
import { tossWindowRoutes } from './toss-window.ts'

export const CreatePaymentBody = z.object({
  packageId: z.enum(PACKAGES.map((p) => p.id) as [string, ...string[]]),
  provider: PaymentProvider,
  /** Stripe: PaymentIntent (default) or a hosted Checkout Session. */
  method: z.enum(['payment_intent', 'checkout']).optional(),
  /** Stripe PaymentIntent: confirm server-side with this PaymentMethod (pm_card_visa in test mode). */
  paymentMethodId: z.string().min(3).max(255).optional(),
})

async function ownPayment(ctx: Ctx, userId: string, id: string): Promise<PaymentRow> {
  const p = await getPayment(ctx.db, id)
  if (!p || p.user_id !== userId) throw notFound('Payment', 'id')
  return p
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
    // The provider-specific proofs of payment, where the client hands one back.
    ...razorpayCheckoutRoutes(ctx),
    ...tossWindowRoutes(ctx),
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

/** Credit purchases through any payment gateway: create, prove, reconcile, refund. */
export const payments: FlowModule = {
  routes: paymentRoutes,
  jobs: (ctx) => ({
    'payment.reconcile': (p) => reconcilePayment(ctx, String(p.paymentId)),
    'payment.refund': (p) => refundPayment(ctx, String(p.paymentId)),
  }),
  purposes: (ctx) => ({ credits: creditPurchase(ctx) }),
}
