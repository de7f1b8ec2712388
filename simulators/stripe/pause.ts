import { cancelSubscription, changeSubscription, newInvoice } from './billing.ts'
import { invalidRequest } from './errors.ts'
import { attemptInvoice, finalizeInvoice } from './invoice-transitions.ts'
import type { Subscription } from './models.ts'
import { addInterval } from './periods.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * A trial that ends without a payment method, under
 * `trial_settings.end_behavior.missing_payment_method`: `pause` pauses the
 * subscription (status `paused`, customer.subscription.paused) until it is
 * resumed; `cancel` cancels it; `create_invoice` (the default) bills as usual.
 */
function hasPaymentMethod(ctx: StripeContext, sub: Subscription): boolean {
  const customer = ctx.state.customers.get(sub.customer)
  return !!(sub.default_payment_method ?? customer?.invoice_settings.default_payment_method)
}

/** Called at a trial's end; true when the end behaviour took over from a normal renewal. */
export function endTrialWithoutPaymentMethod(src: EventSource, sub: Subscription): boolean {
  if (sub.status !== 'trialing' || hasPaymentMethod(src.ctx, sub)) return false
  const behaviour = (sub.trial_settings as { end_behavior?: { missing_payment_method?: string } } | null)
    ?.end_behavior?.missing_payment_method
  if (behaviour === 'cancel') {
    cancelSubscription(src, sub, 'cancellation_requested')
    return true
  }
  if (behaviour !== 'pause') return false
  changeSubscription(src, sub, (s) => {
    s.status = 'paused'
  })
  emitEvent(src, 'customer.subscription.paused', sub)
  return true
}

/**
 * Resumes a paused subscription: a new period from now (`billing_cycle_anchor=now`,
 * the only anchor standin models), invoiced at once; paid → active, else past_due.
 */
export function resumeSubscription(src: EventSource, sub: Subscription): void {
  if (sub.status !== 'paused')
    invalidRequest(
      `Subscription ${sub.id} cannot be resumed because it has a status of ${sub.status}. Only a subscription with a status of paused can be resumed.`,
    )
  const start = src.at
  const rec = sub.items.data[0]!.price.recurring!
  const end = addInterval(start, rec.interval, rec.interval_count)
  changeSubscription(src, sub, (s) => {
    s.status = 'active'
    s.current_period_start = start
    s.current_period_end = end
    s.billing_cycle_anchor = start
    for (const item of s.items.data) {
      item.current_period_start = start
      item.current_period_end = end
    }
  })
  emitEvent(src, 'customer.subscription.resumed', sub)
  const invoice = newInvoice(src, sub, 'subscription_update', start, end)
  finalizeInvoice(src, invoice)
  const outcome = attemptInvoice(src, invoice, { offSession: true, retry: true })
  if (outcome.kind !== 'succeeded' && outcome.kind !== 'processing')
    changeSubscription(src, sub, (s) => {
      s.status = 'past_due'
    })
}
