// A subscription's authorisation and the API's actions (cancel, pause, resume, start); see subscription-*.ts.
import type { ProviderContext } from '../core/provider.ts'
import { emitBilling } from './billing-events.ts'
import {
  checkCancellable,
  checkPausable,
  checkResumable,
  cycleEnd,
  type Subscription,
} from './billing-models.ts'
import { type FailureReason, fail } from './errors.ts'
import { type Payment, type RazorpayState, refundPayment } from './models.ts'
import {
  attemptCharge,
  cancelNow,
  mandatePayment,
  recordCharge,
  scheduleCycleEnd,
  startCycle,
} from './subscription-cycles.ts'
import {
  AUTH_AMOUNT,
  at,
  clearTimer,
  cycleAmount,
  endOf,
  type Mandate,
  planOf,
} from './subscription-timing.ts'

/**
 * The subscription life cycle on the virtual clock (Razorpay's "Subscriptions
 * States" and "Payment Retries" pages):
 *
 * created → (customer authorises at short_url) → authenticated → active, charged
 * each cycle (`subscription.charged`); a failed auto-charge → pending
 * (`subscription.pending`), retried the following day; after the last retry →
 * halted (`subscription.halted`, later cycles are not charged); the last cycle
 * ends → completed. Cancel (now or at cycle end), pause / resume, and updates
 * (now or at cycle end) from the API. Each charge is a captured payment with
 * `payment.authorized` / `payment.captured` (or `payment.failed`).
 */
type Ctx = ProviderContext<RazorpayState>

// ------------------------------------------------------------ authorisation (hosted page)

export type AuthResult =
  | { ok: true; payment: Payment }
  | { ok: false; payment: Payment; reason: FailureReason }

/**
 * The customer completes the authentication transaction at short_url. With an
 * immediate start the first cycle is charged in it: authenticated → active
 * and charged (`subscription.authenticated`, `.activated`, `.charged`). With a
 * later `start_at`, a small authorisation payment is refunded, the
 * subscription is `authenticated` and its first charge waits for start_at.
 * A failed attempt leaves it `created` (`auth_attempts` counts attempts).
 */
export function authorizeSubscription(
  ctx: Ctx,
  sub: Subscription,
  mandate: Mandate,
  failure: FailureReason | undefined,
): AuthResult {
  if (sub.status !== 'created')
    fail({ description: `Subscription is not authorisable in ${sub.status} status.`, field: 'status' })
  sub.auth_attempts += 1
  const now = ctx.clock.unix()
  const immediate = sub.start_at === null || sub.start_at <= now
  const firstAmount = immediate
    ? cycleAmount(ctx, sub) + (ctx.state.billing.addons.get(sub.id) ?? 0)
    : AUTH_AMOUNT
  const payment = mandatePayment(ctx, sub, mandate, firstAmount, failure)
  if (failure) return { ok: false, payment, reason: failure }
  ctx.state.billing.mandates.set(sub.id, mandate)
  ctx.state.billing.addons.delete(sub.id)
  if (sub.customer_id === null) sub.customer_id = customerFor(ctx, mandate)
  sub.status = 'authenticated'
  clearTimer(ctx, sub)
  if (immediate) {
    sub.start_at = now
    emitBilling(ctx, 'subscription.authenticated', { subscription: sub })
    startCycle(ctx, sub, now)
    recordCharge(ctx, sub, payment)
    return { ok: true, payment }
  }
  refundPayment(payment, payment.amount)
  sub.charge_at = sub.start_at
  sub.end_at = endOf(ctx, sub, sub.start_at!)
  emitBilling(ctx, 'subscription.authenticated', { subscription: sub })
  at(ctx, sub, sub.start_at!, (c, s) => {
    if (s.status !== 'authenticated') return
    startCycle(c, s, s.start_at!)
    attemptCharge(c, s)
  })
  return { ok: true, payment }
}

/** The customer the authorisation creates (or the existing one with the same email and contact). */
function customerFor(ctx: Ctx, mandate: Mandate): string {
  const existing = ctx.state.billing.customers.find(
    (c) => c.email === mandate.email && c.contact === mandate.contact,
  )
  if (existing) return existing.id
  return ctx.state.billing.customers.insert({
    id: ctx.ids.mint('cust_', 14),
    entity: 'customer',
    name: null,
    email: mandate.email,
    contact: mandate.contact,
    gstin: null,
    notes: [],
    created_at: ctx.clock.unix(),
  }).id
}

/**
 * The customer changed the card (trigger `subscription.card_changed`): a
 * pending subscription's last invoice is charged at once; a halted one
 * becomes active without charging the missed invoices ("you will have to
 * charge them manually").
 */
export function changeCard(ctx: Ctx, sub: Subscription, mandate: Mandate): void {
  if (sub.status !== 'pending' && sub.status !== 'halted')
    fail({ description: `Subscription card cannot be changed in ${sub.status} status.`, field: 'status' })
  ctx.state.billing.mandates.set(sub.id, mandate)
  ctx.state.billing.failNext.delete(sub.id)
  if (sub.status === 'pending') {
    ctx.state.billing.retries.delete(sub.id)
    const payment = mandatePayment(ctx, sub, mandate, cycleAmount(ctx, sub), undefined)
    recordCharge(ctx, sub, payment)
    return
  }
  sub.status = 'active'
  emitBilling(ctx, 'subscription.activated', { subscription: sub })
  scheduleCycleEnd(ctx, sub)
}

// ------------------------------------------------------------ API actions

/** Cancel now, or (active ones) when the current cycle ends; the status stays until then. */
export function cancel(ctx: Ctx, sub: Subscription, atCycleEnd: boolean): void {
  checkCancellable(sub)
  if (atCycleEnd && sub.status === 'active' && sub.current_end !== null) {
    ctx.state.billing.cancelAtCycleEnd.add(sub.id)
    sub.charge_at = null
    return
  }
  cancelNow(ctx, sub)
}

/** `pause_at: now`: an active subscription stops charging; an authenticated one is cancelled (the docs' warning). */
export function pause(ctx: Ctx, sub: Subscription): void {
  checkPausable(sub)
  if (sub.status === 'authenticated') {
    cancelNow(ctx, sub)
    return
  }
  clearTimer(ctx, sub)
  sub.status = 'paused'
  emitBilling(ctx, 'subscription.paused', { subscription: sub })
}

/**
 * `resume_at: now`: active again; cycles whose end passed while paused are
 * skipped (not charged, not counted), the next charge is at the next cycle
 * boundary (UNVERIFIED: Razorpay does not say how paused cycles count).
 */
export function resume(ctx: Ctx, sub: Subscription): void {
  checkResumable(sub)
  sub.status = 'active'
  const plan = planOf(ctx, sub)
  const now = ctx.clock.unix()
  while (sub.current_end !== null && sub.current_end <= now) {
    sub.current_start = sub.current_end
    sub.current_end = cycleEnd(sub.current_end, plan.period, plan.interval)
  }
  const cycles = ctx.state.billing.cycles.get(sub.id) ?? 0
  sub.charge_at = cycles < sub.total_count ? sub.current_end : null
  emitBilling(ctx, 'subscription.resumed', { subscription: sub })
  scheduleCycleEnd(ctx, sub)
}

/** An authenticated subscription waiting for its start moves its first charge to `startAt`. */
export function moveStart(ctx: Ctx, sub: Subscription, startAt: number): void {
  sub.start_at = startAt
  sub.charge_at = startAt
  sub.end_at = endOf(ctx, sub, startAt)
  at(ctx, sub, startAt, (c, s) => {
    if (s.status !== 'authenticated') return
    startCycle(c, s, s.start_at!)
    attemptCharge(c, s)
  })
}
