import { z } from 'zod'
import type { Ctx } from '../../context.ts'
import { ApiError } from '../../errors.ts'
import { ProviderCallError } from '../../providers/retry.ts'
import { PREMIUM } from '../packages.ts'
import { enterGrace, getSubscription, type PremiumBilling } from './model.ts'

/**
 * Premium through a Toss billing key: Toss does not renew by itself, so the
 * app charges each period (`subscription.toss-renew` jobs) and retries a
 * declined renewal daily during the grace period.
 */
const PROVIDER = 'toss'
const DAY = 24 * 3600_000

export const TossSubscribe = z.object({
  provider: z.literal(PROVIDER),
  authKey: z.string().min(1).max(300),
  customerKey: z.string().min(2).max(300),
})

/**
 * Charges one Toss billing period. The orderId and Idempotency-Key are per
 * period and attempt, so a retried request never charges twice and a new
 * attempt after a decline is a new order (Toss refuses reused orderIds).
 */
async function chargeToss(
  ctx: Ctx,
  subscriptionId: string,
  period: number,
  attempt: number,
): Promise<boolean> {
  const s = await getSubscription(ctx.db, subscriptionId)
  if (!s?.billing_key || !s.customer_key) return false
  const orderId = `${s.id}-p${period}-a${attempt}`.replace(/[^A-Za-z0-9_-]/g, '')
  try {
    const payment = await ctx.providers.toss.chargeBilling(
      s.billing_key,
      { customerKey: s.customer_key, amount: s.amount, orderId, orderName: PREMIUM.name },
      orderId,
    )
    if (payment.status !== 'DONE') return false
  } catch (error) {
    if (error instanceof ProviderCallError && error.retryable) throw error
    return false
  }
  const now = ctx.clock.now()
  const start =
    s.current_period_end && s.current_period_end.getTime() > now.getTime() ? s.current_period_end : now
  const periodEnd = new Date(start.getTime() + PREMIUM.periodMs)
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE subscriptions SET status = 'active', current_period_end = $2, grace_until = NULL, updated_at = $3 WHERE id = $1`,
      [s.id, periodEnd, now],
    )
    await ctx.enqueue(
      tx,
      'subscription.toss-renew',
      { subscriptionId: s.id, period: period + 1 },
      { runAt: periodEnd, dedupeKey: `toss-renew:${s.id}:${period + 1}`, maxAttempts: 20 },
    )
  })
  return true
}

export const tossBilling: PremiumBilling<z.output<typeof TossSubscribe>> = {
  async start(ctx, { userId, subscriptionId: id, body }) {
    const billing = await ctx.providers.toss.issueBillingKey(
      { authKey: body.authKey, customerKey: body.customerKey },
      `${id}:issue`,
    )
    await ctx.db.query(
      `INSERT INTO subscriptions (id, user_id, provider, status, billing_key, customer_key, amount, currency, created_at, updated_at)
       VALUES ($1, $2, $3, 'incomplete', $4, $5, $6, 'krw', $7, $7)`,
      [id, userId, PROVIDER, billing.billingKey, body.customerKey, PREMIUM.prices.krw, ctx.clock.now()],
    )
    const ok = await chargeToss(ctx, id, 1, 1)
    if (!ok) throw new ApiError(402, 'payment_failed', 'The first monthly charge was declined.')
    return null
  },
  // Nothing runs at Toss between charges: a canceled or expired row is simply not renewed.
  async cancelAtProvider() {},
  jobs: (ctx) => ({
    'subscription.toss-renew': async (payload) => {
      const s = await getSubscription(ctx.db, payload.subscriptionId)
      if (!s || !['active', 'past_due'].includes(s.status)) return
      const period = Number(payload.period)
      const attempt = Number(payload.attempt ?? 1)
      if (await chargeToss(ctx, s.id, period, attempt)) return
      await enterGrace(ctx, s, 'card declined')
      // Try again daily while the grace period lasts; each try is a new order.
      const now = await getSubscription(ctx.db, s.id)
      if (
        now?.status === 'past_due' &&
        now.grace_until &&
        now.grace_until.getTime() > ctx.clock.nowMs() + DAY
      )
        await ctx.enqueue(
          ctx.db,
          'subscription.toss-renew',
          { subscriptionId: s.id, period, attempt: attempt + 1 },
          {
            runAt: new Date(ctx.clock.nowMs() + DAY),
            dedupeKey: `toss-renew:${s.id}:${period}:${attempt + 1}`,
          },
        )
    },
  }),
}
