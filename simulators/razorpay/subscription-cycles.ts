// The cycle engine: each cycle's mandate charge, its retries, and what happens when a cycle ends.
import type { ProviderContext } from '../core/provider.ts'
import { emitBilling } from './billing-events.ts'
import { cycleEnd, type Subscription } from './billing-models.ts'
import { type FailureReason, paymentFailures } from './errors.ts'
import {
  authorize,
  capture,
  failPayment,
  newCard,
  newPayment,
  type Payment,
  type RazorpayState,
} from './models.ts'
import { applyScheduledChange } from './subscription-changes.ts'
import {
  at,
  clearTimer,
  cycleAmount,
  endOf,
  MAX_RETRIES,
  type Mandate,
  planOf,
  RETRY_DELAY_MS,
} from './subscription-timing.ts'
import { lookupCard } from './test-values.ts'
import { emit } from './webhooks.ts'

type Ctx = ProviderContext<RazorpayState>

// ------------------------------------------------------------ payments of a subscription

/** A payment made with the mandate: created, then authorized and captured, or failed with `failure`. */
export function mandatePayment(
  ctx: Ctx,
  sub: Subscription,
  mandate: Mandate,
  amount: number,
  failure: FailureReason | undefined,
): Payment {
  const plan = planOf(ctx, sub)
  let cardId: string | null = null
  const known = mandate.card ? lookupCard(mandate.card) : undefined
  if (mandate.method === 'card' && mandate.card) {
    cardId = ctx.ids.mint('card_', 14)
    ctx.state.cards.set(
      cardId,
      newCard({
        id: cardId,
        name: '',
        last4: mandate.card.slice(-4),
        network: known?.network ?? 'Visa',
        type: known?.type ?? 'credit',
        issuer: null,
        international: known?.international ?? false,
      }),
    )
  }
  const payment = ctx.state.payments.insert(
    newPayment({
      id: ctx.ids.mint('pay_', 14),
      amount,
      currency: plan.item.currency,
      order_id: null,
      international: known?.international ?? false,
      method: mandate.method,
      description: plan.item.name,
      card_id: cardId,
      bank: null,
      wallet: null,
      vpa: mandate.vpa ?? null,
      email: mandate.email,
      contact: mandate.contact,
      notes: Array.isArray(sub.notes) ? [] : { ...sub.notes },
      created_at: ctx.clock.unix(),
    }),
  )
  if (failure) {
    failPayment(payment, paymentFailures[failure])
    emit(ctx, 'payment.failed', { payment })
    return payment
  }
  authorize(payment)
  emit(ctx, 'payment.authorized', { payment })
  capture(payment, payment.amount, undefined)
  emit(ctx, 'payment.captured', { payment })
  return payment
}

/** Opens a billing cycle at `from`: current_start/end move, charge_at is the cycle's end (the next invoice). */
export function startCycle(ctx: Ctx, sub: Subscription, from: number): void {
  const plan = planOf(ctx, sub)
  const cycles = (ctx.state.billing.cycles.get(sub.id) ?? 0) + 1
  ctx.state.billing.cycles.set(sub.id, cycles)
  sub.current_start = from
  sub.current_end = cycleEnd(from, plan.period, plan.interval)
  if (sub.end_at === null) sub.end_at = endOf(ctx, sub, from)
  sub.charge_at = cycles < sub.total_count ? sub.current_end : null
  sub.remaining_count = sub.total_count - cycles
}

/** A successful charge of the current cycle. */
export function recordCharge(ctx: Ctx, sub: Subscription, payment: Payment): void {
  const wasActive = sub.status === 'active'
  sub.paid_count += 1
  sub.status = 'active'
  ctx.state.billing.retries.delete(sub.id)
  if (!wasActive) emitBilling(ctx, 'subscription.activated', { subscription: sub })
  emitBilling(ctx, 'subscription.charged', { subscription: sub, payment })
  scheduleCycleEnd(ctx, sub)
}

/** What happens when the current cycle ends: the next cycle's charge, a scheduled cancel, or completion. */
export function scheduleCycleEnd(ctx: Ctx, sub: Subscription): void {
  if (sub.current_end === null) return
  at(ctx, sub, sub.current_end, (c, s) => cycleEnded(c, s))
}

export function cycleEnded(ctx: Ctx, sub: Subscription): void {
  if (sub.status === 'cancelled' || sub.status === 'completed' || sub.status === 'paused') return
  if (ctx.state.billing.cancelAtCycleEnd.has(sub.id)) {
    cancelNow(ctx, sub)
    return
  }
  const cycles = ctx.state.billing.cycles.get(sub.id) ?? 0
  if (cycles >= sub.total_count) {
    sub.status = 'completed'
    sub.ended_at = ctx.clock.unix()
    sub.charge_at = null
    emitBilling(ctx, 'subscription.completed', { subscription: sub })
    return
  }
  applyScheduledChange(ctx, sub)
  startCycle(ctx, sub, sub.current_end!)
  if (sub.status === 'halted') {
    // Halted: invoices keep coming but are not charged.
    scheduleCycleEnd(ctx, sub)
    return
  }
  attemptCharge(ctx, sub)
}

/** One auto-charge of the current cycle with the mandate; a failure moves to pending (or halted after the retries). */
export function attemptCharge(ctx: Ctx, sub: Subscription): void {
  const mandate = ctx.state.billing.mandates.get(sub.id)
  if (!mandate) return
  const failing = ctx.state.billing.failNext.get(sub.id)
  const failure = failing && failing.remaining > 0 ? (failing.reason as FailureReason) : undefined
  if (failing && failure) {
    failing.remaining -= 1
    if (failing.remaining <= 0) ctx.state.billing.failNext.delete(sub.id)
  }
  const payment = mandatePayment(ctx, sub, mandate, cycleAmount(ctx, sub), failure)
  if (!failure) {
    recordCharge(ctx, sub, payment)
    return
  }
  const retries = ctx.state.billing.retries.get(sub.id)
  if (retries === undefined) {
    ctx.state.billing.retries.set(sub.id, 0)
    sub.status = 'pending'
    emitBilling(ctx, 'subscription.pending', { subscription: sub })
  } else if (retries + 1 >= MAX_RETRIES) {
    // The last retry failed.
    ctx.state.billing.retries.delete(sub.id)
    sub.status = 'halted'
    emitBilling(ctx, 'subscription.halted', { subscription: sub })
    scheduleCycleEnd(ctx, sub)
    return
  } else {
    ctx.state.billing.retries.set(sub.id, retries + 1)
  }
  at(ctx, sub, ctx.clock.unix() + RETRY_DELAY_MS / 1000, (c, s) => {
    if (s.status === 'pending') attemptCharge(c, s)
  })
}

export function cancelNow(ctx: Ctx, sub: Subscription): void {
  clearTimer(ctx, sub)
  ctx.state.billing.cancelAtCycleEnd.delete(sub.id)
  ctx.state.billing.retries.delete(sub.id)
  sub.status = 'cancelled'
  sub.ended_at = ctx.clock.unix()
  sub.charge_at = null
  emitBilling(ctx, 'subscription.cancelled', { subscription: sub })
}
