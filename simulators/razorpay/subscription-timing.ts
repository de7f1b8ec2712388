// A subscription's timers and cycle arithmetic on the virtual clock: the base the others build on.
import type { ProviderContext } from '../core/provider.ts'
import { cycleEnd, type Plan, type Subscription } from './billing-models.ts'
import type { RazorpayState } from './models.ts'

type Ctx = ProviderContext<RazorpayState>

const DAY_MS = 86_400_000
/** Failed auto-charges are retried "on the following day"; how many times is not published (UNVERIFIED): 3. */
export const RETRY_DELAY_MS = DAY_MS
export const MAX_RETRIES = 3
/** What a subscription with a later start_at charges to authenticate the card, refunded at once (UNVERIFIED amount). */
export const AUTH_AMOUNT = 500

export interface Mandate {
  method: 'card' | 'upi'
  card?: string
  vpa?: string
  email: string
  contact: string
}

export function planOf(ctx: Ctx, sub: Subscription): Plan {
  const plan = ctx.state.billing.plans.get(sub.plan_id)
  if (!plan) throw new Error(`standin: subscription ${sub.id} names an unknown plan`)
  return plan
}

/** The amount of one cycle: the plan's item amount times the quantity. */
export function cycleAmount(ctx: Ctx, sub: Subscription): number {
  return planOf(ctx, sub).item.amount * sub.quantity
}

export function clearTimer(ctx: Ctx, sub: Subscription): void {
  ctx.state.billing.timers.get(sub.id)?.cancel()
  ctx.state.billing.timers.delete(sub.id)
}

/** Runs `fn` at unix second `at` (virtual time); one timer per subscription. */
export function at(
  ctx: Ctx,
  sub: Subscription,
  when: number,
  fn: (ctx: Ctx, sub: Subscription) => void,
): void {
  clearTimer(ctx, sub)
  const id = sub.id
  const timer = ctx.later(Math.max(0, when * 1000 - ctx.clock.now()), () => {
    ctx.state.billing.timers.delete(id)
    const current = ctx.state.billing.subscriptions.get(id)
    if (current) fn(ctx, current)
  })
  ctx.state.billing.timers.set(id, timer)
}

/** A created subscription expires at `expire_by` unless authorised by then. */
export function scheduleExpiry(ctx: Ctx, sub: Subscription): void {
  if (sub.expire_by === null) return
  at(ctx, sub, sub.expire_by, (c, s) => {
    if (s.status !== 'created') return
    s.status = 'expired'
    s.ended_at = c.clock.unix()
  })
}

export function endOf(ctx: Ctx, sub: Subscription, start: number): number {
  const plan = planOf(ctx, sub)
  let end = start
  for (let i = 0; i < sub.total_count; i++) end = cycleEnd(end, plan.period, plan.interval)
  return end
}
