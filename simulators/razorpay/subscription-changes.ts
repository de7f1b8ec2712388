// Plan and quantity changes, now or at the cycle's end: apart from the cycle engine that applies them.
import type { ProviderContext } from '../core/provider.ts'
import { emitBilling } from './billing-events.ts'
import { cycleEnd, type ScheduledChange, type Subscription } from './billing-models.ts'
import { fail } from './errors.ts'
import type { RazorpayState } from './models.ts'
import { planOf } from './subscription-timing.ts'

type Ctx = ProviderContext<RazorpayState>

/** Applies a change now (`schedule_change_at: now`) or keeps it for the end of the cycle. */
export function update(
  ctx: Ctx,
  sub: Subscription,
  change: ScheduledChange,
  when: 'now' | 'cycle_end',
): void {
  if (when === 'cycle_end') {
    ctx.state.billing.scheduled.set(sub.id, change)
    sub.has_scheduled_changes = true
    sub.change_scheduled_at = sub.current_end
    return
  }
  applyChange(ctx, sub, change)
  emitBilling(ctx, 'subscription.updated', { subscription: sub })
}

function applyChange(ctx: Ctx, sub: Subscription, change: ScheduledChange): void {
  if (change.plan_id !== undefined) sub.plan_id = change.plan_id
  if (change.quantity !== undefined) sub.quantity = change.quantity
  if (change.remaining_count !== undefined) {
    const cycles = ctx.state.billing.cycles.get(sub.id) ?? 0
    sub.total_count = cycles + change.remaining_count
    sub.remaining_count = change.remaining_count
    if (sub.current_start !== null && sub.current_end !== null) {
      sub.charge_at = change.remaining_count > 0 ? sub.current_end : null
      const plan = planOf(ctx, sub)
      let end = sub.current_end
      for (let i = 0; i < change.remaining_count; i++) end = cycleEnd(end, plan.period, plan.interval)
      sub.end_at = end
    }
  }
}

export function applyScheduledChange(ctx: Ctx, sub: Subscription): void {
  const change = ctx.state.billing.scheduled.get(sub.id)
  if (!change) return
  ctx.state.billing.scheduled.delete(sub.id)
  applyChange(ctx, sub, change)
  sub.has_scheduled_changes = false
  sub.change_scheduled_at = null
  emitBilling(ctx, 'subscription.updated', { subscription: sub })
}

/** The subscription as it will be once its scheduled change applies. */
export function withScheduledChange(ctx: Ctx, sub: Subscription): Subscription {
  const change = ctx.state.billing.scheduled.get(sub.id)
  if (!change) fail({ description: 'No scheduled changes found for this subscription.', field: null })
  const copy = structuredClone(sub)
  applyChange(ctx, copy, change)
  return copy
}

export function cancelScheduledChange(ctx: Ctx, sub: Subscription): void {
  if (!ctx.state.billing.scheduled.delete(sub.id))
    fail({ description: 'No scheduled changes found for this subscription.', field: null })
  sub.has_scheduled_changes = false
  sub.change_scheduled_at = null
}
