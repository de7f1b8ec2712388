import { newSubscriptionItem } from './billing.ts'
import type { Customer, Price, Subscription } from './models.ts'
import { blank } from './spec.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/** A new Subscription object for a customer and its prices (trialing, or incomplete until its first invoice is paid). */
export function newSubscription(
  src: EventSource,
  customer: Customer,
  prices: { price: Price; quantity: number }[],
  options: {
    default_payment_method?: string | null
    metadata?: Record<string, string>
    trial_period_days?: number | undefined
    cancel_at_period_end?: boolean | undefined
    /** Sets what else the request asked for (discounts, tax rates) before customer.subscription.created. */
    prepare?: ((sub: Subscription) => void) | undefined
  },
): Subscription {
  const { ctx } = src
  const start = src.at
  const id = ctx.ids.mint('sub_', 24)
  const items = prices.map(({ price, quantity }) => newSubscriptionItem(ctx, { id }, price, quantity, start))
  const trialEnd = options.trial_period_days ? start + options.trial_period_days * 86_400 : null
  if (trialEnd) for (const item of items) item.current_period_end = trialEnd
  const sub = {
    ...blank('subscription'),
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false },
    billing_cycle_anchor: start,
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: options.cancel_at_period_end ?? false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    created: start,
    currency: prices[0]!.price.currency,
    current_period_end: items[0]!.current_period_end,
    current_period_start: start,
    customer: customer.id,
    days_until_due: null,
    default_payment_method: options.default_payment_method ?? null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discount: null,
    discounts: [],
    ended_at: null,
    items: {
      object: 'list',
      data: items,
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    metadata: options.metadata ?? {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: start,
    status: trialEnd ? 'trialing' : 'incomplete',
    test_clock: customer.test_clock,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: trialEnd ? start : null,
  } as unknown as Subscription
  ctx.state.subscriptions.insert(sub)
  options.prepare?.(sub)
  emitEvent(src, 'customer.subscription.created', sub)
  return sub
}
