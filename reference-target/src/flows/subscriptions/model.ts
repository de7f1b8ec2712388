import type { Ctx } from '../../context.ts'
import type { Queryable } from '../../db/database.ts'
import { newId } from '../../ids.ts'

/** One row of `subscriptions`: Premium bought through one provider. */
export interface SubscriptionRow {
  id: string
  user_id: string
  provider: string
  status: 'incomplete' | 'active' | 'past_due' | 'canceled' | 'expired'
  provider_subscription_id: string | null
  provider_customer_id: string | null
  billing_key: string | null
  customer_key: string | null
  amount: number
  currency: string
  current_period_end: Date | null
  grace_until: Date | null
}

/**
 * Premium is the subscription's state, not a stored flag: active and
 * past_due (the grace period) are premium; a canceled one stays premium until
 * the period it paid for ends.
 */
export function isPremium(s: SubscriptionRow | undefined, nowMs: number): boolean {
  if (!s) return false
  if (s.status === 'active' || s.status === 'past_due') return true
  return s.status === 'canceled' && !!s.current_period_end && s.current_period_end.getTime() > nowMs
}

export async function getSubscription(db: Queryable, id: unknown): Promise<SubscriptionRow | undefined> {
  return (await db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [id]))[0]
}

export async function currentSubscription(
  db: Queryable,
  userId: string,
): Promise<SubscriptionRow | undefined> {
  return (
    await db.query<SubscriptionRow>(
      `SELECT * FROM subscriptions WHERE user_id = $1 AND status <> 'incomplete' ORDER BY created_at DESC LIMIT 1`,
      [userId],
    )
  )[0]
}

export function presentSubscription(ctx: Ctx, s: SubscriptionRow | undefined) {
  if (!s) return { premium: false, subscription: null }
  return {
    premium: isPremium(s, ctx.clock.nowMs()),
    subscription: {
      id: s.id,
      provider: s.provider,
      status: s.status,
      amount: s.amount,
      currency: s.currency,
      currentPeriodEnd: s.current_period_end?.toISOString() ?? null,
      graceUntil: s.grace_until?.toISOString() ?? null,
      stripeSubscriptionId: s.provider_subscription_id,
    },
  }
}

/** A renewal failed: premium continues for the grace period, then the grace check downgrades. */
export async function enterGrace(ctx: Ctx, s: SubscriptionRow, reason: string) {
  if (s.status === 'past_due' || s.status === 'expired' || s.status === 'canceled') return
  const graceUntil = new Date(ctx.clock.nowMs() + ctx.config.graceMs)
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE subscriptions SET status = 'past_due', grace_until = $2, updated_at = $3 WHERE id = $1`,
      [s.id, graceUntil, ctx.clock.now()],
    )
    await tx.query(
      'INSERT INTO notifications (id, user_id, kind, message, created_at) VALUES ($1, $2, $3, $4, $5)',
      [
        newId('ntf'),
        s.user_id,
        'renewal_failed',
        `Your Premium renewal failed (${reason}). Update your payment method before ${graceUntil.toISOString().slice(0, 10)} to keep Premium.`,
        ctx.clock.now(),
      ],
    )
    await ctx.enqueue(
      tx,
      'subscription.grace-check',
      { subscriptionId: s.id },
      { runAt: graceUntil, dedupeKey: `grace:${s.id}:${graceUntil.getTime()}` },
    )
  })
}

/** How Premium is billed through one provider (billing.ts registers one per provider). */
export interface PremiumBilling<Body> {
  /** Creates the provider-side subscription and our row (`incomplete` until paid); may answer a hosted page URL. */
  start(ctx: Ctx, input: { userId: string; subscriptionId: string; body: Body }): Promise<string | null>
  /** Stops billing at the provider (the user canceled, or the grace period ran out). */
  cancelAtProvider(ctx: Ctx, s: SubscriptionRow, key: string): Promise<void>
  /** This provider's jobs (renewals the app drives itself). */
  jobs?(ctx: Ctx): Record<string, (payload: Record<string, unknown>) => Promise<void>>
}
