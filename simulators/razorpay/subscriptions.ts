import type { ProviderContext } from '../core/provider.ts'
import { emitBilling } from './billing-events.ts'
import {
  checkCancellable,
  checkPausable,
  checkResumable,
  cycleEnd,
  type Plan,
  type ScheduledChange,
  type Subscription,
} from './billing-models.ts'
import { type FailureReason, fail, paymentFailures } from './errors.ts'
import { authorize, capture, failPayment, type Payment, type RazorpayState, refundPayment } from './models.ts'
import { lookupCard } from './test-values.ts'
import { emit } from './webhooks.ts'

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

function clearTimer(ctx: Ctx, sub: Subscription): void {
  ctx.state.billing.timers.get(sub.id)?.cancel()
  ctx.state.billing.timers.delete(sub.id)
}

/** Runs `fn` at unix second `at` (virtual time); one timer per subscription. */
function at(ctx: Ctx, sub: Subscription, when: number, fn: (ctx: Ctx, sub: Subscription) => void): void {
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

// ------------------------------------------------------------ payments of a subscription

/** A payment made with the mandate: created, then authorized and captured, or failed with `failure`. */
function mandatePayment(
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
    ctx.state.cards.set(cardId, {
      id: cardId,
      entity: 'card',
      name: '',
      last4: mandate.card.slice(-4),
      network: known?.network ?? 'Visa',
      type: known?.type ?? 'credit',
      issuer: null,
      international: known?.international ?? false,
      emi: false,
      sub_type: 'consumer',
      token_iin: null,
    })
  }
  const payment = ctx.state.payments.insert({
    id: ctx.ids.mint('pay_', 14),
    entity: 'payment',
    amount,
    currency: plan.item.currency,
    status: 'created',
    order_id: null,
    invoice_id: null,
    international: known?.international ?? false,
    method: mandate.method,
    amount_refunded: 0,
    refund_status: null,
    captured: false,
    description: plan.item.name,
    card_id: cardId,
    bank: null,
    wallet: null,
    vpa: mandate.vpa ?? null,
    email: mandate.email,
    contact: mandate.contact,
    notes: Array.isArray(sub.notes) ? [] : { ...sub.notes },
    fee: null,
    tax: null,
    error_code: null,
    error_description: null,
    error_source: null,
    error_step: null,
    error_reason: null,
    acquirer_data: {},
    created_at: ctx.clock.unix(),
  })
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

function endOf(ctx: Ctx, sub: Subscription, start: number): number {
  const plan = planOf(ctx, sub)
  let end = start
  for (let i = 0; i < sub.total_count; i++) end = cycleEnd(end, plan.period, plan.interval)
  return end
}

/** Opens a billing cycle at `from`: current_start/end move, charge_at is the cycle's end (the next invoice). */
function startCycle(ctx: Ctx, sub: Subscription, from: number): void {
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
function recordCharge(ctx: Ctx, sub: Subscription, payment: Payment): void {
  const wasActive = sub.status === 'active'
  sub.paid_count += 1
  sub.status = 'active'
  ctx.state.billing.retries.delete(sub.id)
  if (!wasActive) emitBilling(ctx, 'subscription.activated', { subscription: sub })
  emitBilling(ctx, 'subscription.charged', { subscription: sub, payment })
  scheduleCycleEnd(ctx, sub)
}

/** What happens when the current cycle ends: the next cycle's charge, a scheduled cancel, or completion. */
function scheduleCycleEnd(ctx: Ctx, sub: Subscription): void {
  if (sub.current_end === null) return
  at(ctx, sub, sub.current_end, (c, s) => cycleEnded(c, s))
}

function cycleEnded(ctx: Ctx, sub: Subscription): void {
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
function attemptCharge(ctx: Ctx, sub: Subscription): void {
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

export function cancelNow(ctx: Ctx, sub: Subscription): void {
  clearTimer(ctx, sub)
  ctx.state.billing.cancelAtCycleEnd.delete(sub.id)
  ctx.state.billing.retries.delete(sub.id)
  sub.status = 'cancelled'
  sub.ended_at = ctx.clock.unix()
  sub.charge_at = null
  emitBilling(ctx, 'subscription.cancelled', { subscription: sub })
}

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

function applyScheduledChange(ctx: Ctx, sub: Subscription): void {
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
