import type { Ctx } from '../context.ts'
import { RetryLater } from '../jobs/worker.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { applyCredits } from './credits.ts'
import { getPayment, type ProviderFields } from './payment-row.ts'
import { fulfil, markFailed } from './payments.ts'

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
  const remember = async (fields: ProviderFields) => {
    const keys = Object.keys(fields) as (keyof ProviderFields)[]
    await ctx.db.query(
      `UPDATE payments SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE id = $1`,
      [p.id, ...keys.map((k) => fields[k])],
    )
  }
  const outcome = await ctx.gateways.payment[p.provider].fetch(p, remember).catch((error) => {
    if (error instanceof ProviderCallError && error.status === 404) return { state: 'open' as const }
    throw error
  })
  if (outcome.state === 'paid')
    await fulfil(ctx, p.id, {
      source: 'reconcile',
      providerRef: outcome.providerRef,
      details: outcome.details,
    })
  else if (outcome.state === 'failed') await markFailed(ctx, p.id, outcome.code, outcome.message)
  else if (ctx.clock.nowMs() - p.created_at.getTime() > GIVE_UP_MS)
    return markFailed(ctx, p.id, 'abandoned', 'No payment was completed in time.')
  else throw new RetryLater(new Date(ctx.clock.nowMs() + ctx.config.reconcileAfterMs))
}

/**
 * The refund job: credits were already taken back in the request's
 * transaction; this makes the provider refund (with an idempotency key) and
 * gives the credits back if the provider refuses for good.
 */
export async function refundPayment(ctx: Ctx, paymentId: string): Promise<void> {
  const p = await getPayment(ctx.db, paymentId)
  if (p?.status !== 'refunding') return
  try {
    await ctx.gateways.payment[p.provider].refund(p)
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
