import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { getPayment, idemKey, paymentByOrder } from './payment-row.ts'
import { fulfil, markFailed, presentPayment, providerFailure } from './payments.ts'

/**
 * The return of Toss's payment window. Toss has no server-side order: the
 * browser comes back with paymentKey, orderId and amount, and the app
 * confirms — so this flow belongs to Toss alone and talks to its client.
 */
const PROVIDER = 'toss'

const TossConfirm = z.object({
  paymentKey: z.string().min(1).max(200),
  orderId: z.string().min(6).max(64),
  amount: z.coerce.number().int().positive(),
})

/**
 * Toss confirm: the redirect's amount comes from the browser, so it is
 * checked against the stored order before confirming, and the confirmed
 * amount is checked again. A timeout leaves the payment pending for the
 * reconciliation job (the Idempotency-Key makes the retry safe).
 */
async function confirmToss(ctx: Ctx, input: z.output<typeof TossConfirm>, userId?: string) {
  const p = await paymentByOrder(ctx.db, PROVIDER, input.orderId)
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
  const toss = ctx.providers.toss
  let confirmed: Awaited<ReturnType<typeof toss.confirm>>
  try {
    confirmed = await toss.confirm(
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
      confirmed = await toss.getPayment(input.paymentKey)
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

export function tossWindowRoutes(ctx: Ctx) {
  return [
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
          const p = await paymentByOrder(ctx.db, PROVIDER, query.orderId)
          if (p) await markFailed(ctx, p.id, query.code, query.message ?? query.code)
        }
        return { status: 'failed', code: query.code }
      },
    }),
  ]
}
