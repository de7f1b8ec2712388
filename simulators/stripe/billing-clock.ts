import {
  afterFailedRenewal,
  afterPaid,
  cancelSubscription,
  changeSubscription,
  newInvoice,
} from './billing.ts'
import { attemptInvoice, finalizeInvoice, markPaid } from './invoice-transitions.ts'
import type { Invoice, Subscription } from './models.ts'
import { endTrialWithoutPaymentMethod } from './pause.ts'
import { addInterval, DAY, HOUR } from './periods.ts'
import { advanceSchedule, dueSchedules } from './schedules.ts'
import { patchNested } from './snapshots.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Billing over time: renewals at period end, the hour a draft waits before it
 * is finalized, dunning retries, trial ends, incomplete subscriptions
 * expiring, schedules starting. Everything due is computed from state, so a
 * test clock advance and the virtual clock run the very same steps in order of
 * simulated time.
 */
/** An incomplete subscription whose first invoice stays unpaid this long expires (Stripe: 23 hours). */
const INCOMPLETE_EXPIRY = 23 * HOUR

/** Stripe sends customer.subscription.trial_will_end three days before a trial ends. */
const TRIAL_WILL_END = 3 * DAY

type DueAction = { at: number; order: number; run: (src: EventSource) => void }

/** Everything due for these customers' subscriptions and invoices at or before `until`. */
function dueActions(ctx: StripeContext, customers: Set<string>, until: number): DueAction[] {
  const actions: DueAction[] = []
  for (const sub of ctx.state.subscriptions.all()) {
    if (!customers.has(sub.customer)) continue
    if (['active', 'trialing', 'past_due'].includes(sub.status) && sub.current_period_end <= until)
      actions.push({ at: sub.current_period_end, order: 0, run: (src) => renew(src, sub) })
    const willEnd = sub.trial_end === null ? undefined : sub.trial_end - TRIAL_WILL_END
    if (sub.status === 'trialing' && willEnd !== undefined && willEnd <= until && !sub._trialWillEndSent)
      actions.push({
        at: Math.max(willEnd, sub.created),
        order: 4,
        run: (src) => {
          sub._trialWillEndSent = true
          emitEvent(src, 'customer.subscription.trial_will_end', sub)
        },
      })
    if (sub.status === 'incomplete' && sub.created + INCOMPLETE_EXPIRY <= until)
      actions.push({
        at: sub.created + INCOMPLETE_EXPIRY,
        order: 3,
        run: (src) => expireIncomplete(src, sub),
      })
  }
  // Subscription schedules that start later begin on the clock.
  for (const s of dueSchedules(ctx, customers, until)) actions.push({ at: s.at, order: 5, run: s.run })
  for (const invoice of ctx.state.invoices.all()) {
    if (!customers.has(invoice.customer)) continue
    const finalizeAt = invoice._finalizeAt
    if (invoice.status === 'draft' && typeof finalizeAt === 'number' && finalizeAt <= until)
      actions.push({ at: finalizeAt, order: 1, run: (src) => finalizeAndCharge(src, invoice) })
    if (
      invoice.status === 'open' &&
      invoice.next_payment_attempt !== null &&
      invoice.next_payment_attempt <= until
    )
      actions.push({ at: invoice.next_payment_attempt, order: 2, run: (src) => retryInvoice(src, invoice) })
  }
  return actions.sort((a, b) => a.at - b.at || a.order - b.order)
}

function renew(src: EventSource, sub: Subscription): void {
  // A trial ending without a payment method may pause or cancel instead (trial_settings).
  if (endTrialWithoutPaymentMethod(src, sub)) return
  if (sub.cancel_at_period_end) {
    cancelSubscription(src, sub, 'cancellation_requested')
    return
  }
  // A scheduled subscription moves to its next phase (or its schedule ends) first.
  if (advanceSchedule(src, sub)) return
  const start = sub.current_period_end
  const item0 = sub.items.data[0]!
  const rec = item0.price.recurring!
  const end = addInterval(start, rec.interval, rec.interval_count)
  changeSubscription(src, sub, (s) => {
    s.current_period_start = start
    s.current_period_end = end
    for (const item of s.items.data) {
      item.current_period_start = start
      item.current_period_end = end
    }
    if (s.status === 'trialing') s.status = 'active'
  })
  const invoice = newInvoice(src, sub, 'subscription_cycle', start, end)
  // Stripe leaves a renewal invoice in draft for about an hour before finalizing and charging it.
  invoice._finalizeAt = src.at + HOUR
}

function finalizeAndCharge(src: EventSource, invoice: Invoice): void {
  finalizeInvoice(src, invoice)
  // An invoice sent for manual payment is emailed, not charged; a zero total is paid on the spot.
  if (invoice.collection_method !== 'send_invoice') charge(src, invoice)
  else if (invoice.amount_due === 0) markPaid(src, invoice, null)
  else emitEvent(src, 'invoice.sent', invoice)
}

function retryInvoice(src: EventSource, invoice: Invoice): void {
  charge(src, invoice)
}

function charge(src: EventSource, invoice: Invoice): void {
  const sub = invoice.subscription ? src.ctx.state.subscriptions.get(invoice.subscription) : undefined
  const outcome = attemptInvoice(src, invoice, { offSession: true, retry: true })
  if (!sub || sub.status === 'canceled' || outcome.kind === 'processing') return
  if (outcome.kind === 'succeeded') afterPaid(src, sub)
  else afterFailedRenewal(src, sub, invoice)
}

function expireIncomplete(src: EventSource, sub: Subscription): void {
  changeSubscription(src, sub, (s) => {
    s.status = 'incomplete_expired'
  })
  const invoice = sub.latest_invoice ? src.ctx.state.invoices.get(sub.latest_invoice) : undefined
  if (invoice && invoice.status === 'open') {
    invoice.status = 'void'
    patchNested(invoice, 'status_transitions', { voided_at: src.at })
    emitEvent(src, 'invoice.voided', invoice)
  }
}

/**
 * Runs what falls due up to `until`, oldest first; `setNow` moves the clock the
 * customers live on (a test clock's frozen time) so each event is stamped with
 * the simulated time it happened at.
 */
export function runBilling(
  ctx: StripeContext,
  customers: Set<string>,
  until: number,
  setNow: (at: number) => void,
): number {
  let steps = 0
  for (; steps < 1000; steps++) {
    const next = dueActions(ctx, customers, until)[0]
    if (!next) break
    setNow(next.at)
    next.run({ ctx, at: next.at, request: null })
  }
  return steps
}

/** Subscriptions not on a test clock follow the virtual clock: one timer for the next thing due. */
export function scheduleRealtime(ctx: StripeContext): void {
  const state = ctx.state
  state._timer?.cancel()
  const customers = new Set(ctx.state.customers.filter((c) => !c.test_clock).map((c) => c.id))
  const next = dueActions(ctx, customers, Number.MAX_SAFE_INTEGER)[0]
  if (!next) return
  state._timer = ctx.later(Math.max(0, next.at * 1000 - ctx.clock.now()), () => {
    runBilling(ctx, customers, ctx.clock.unix(), () => {})
    scheduleRealtime(ctx)
  })
}
