// The subscription-side chains billing triggers build (pauses, plans, portal, links, schedules).
import { startSubscription } from './billing.ts'
import { payingCustomer } from './billing-trigger-invoices.ts'
import { endTrialWithoutPaymentMethod } from './pause.ts'
import { newConfiguration } from './routes/billing-portal.ts'
import { newPaymentLink } from './routes/payment-links.ts'
import { newPrice } from './routes/products.ts'
import { activate, buildPhases, newSchedule, type Schedule } from './schedules.ts'
import { patchNested } from './snapshots.ts'
import type { StripeContext } from './state.ts'
import { newSubscription } from './subscriptions.ts'
import { sourceOf } from './trigger-support.ts'
import { emitEvent } from './webhooks.ts'

/** A trial without a payment method whose end pauses it (trial_settings), run to its end now. */
export function paused(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const c = payingCustomer(src)
  patchNested(c, 'invoice_settings', { default_payment_method: null })
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    product_data: { name: 'myproduct' },
  })
  const sub = newSubscription(src, c, [{ price, quantity: 1 }], {
    trial_period_days: 7,
    prepare: (s) => {
      s.trial_settings = { end_behavior: { missing_payment_method: 'pause' } }
    },
  })
  startSubscription(src, sub, { attempt: true })
  endTrialWithoutPaymentMethod(sourceOf(ctx), sub)
  return { customer: c, sub }
}

export function plan(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    product_data: { name: 'myproduct' },
  })
  const p = {
    id: price.id,
    object: 'plan' as const,
    active: true,
    aggregate_usage: null,
    amount: 2000,
    amount_decimal: '2000',
    billing_scheme: 'per_unit' as const,
    created: src.at,
    currency: 'usd',
    interval: 'month' as const,
    interval_count: 1,
    livemode: false,
    metadata: {},
    nickname: null,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed' as const,
  }
  ctx.state.plans.insert(p)
  emitEvent(src, 'plan.created', p)
  return p
}

export function portalConfiguration(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const config = newConfiguration(
    ctx,
    src.at,
    { business_profile: { headline: 'standin' }, features: { subscription_cancel: { enabled: true } } },
    ctx.state.portalConfigurations.size === 0,
  )
  emitEvent(src, 'billing_portal.configuration.created', config)
  return config
}

export function paymentLink(ctx: StripeContext) {
  const src = sourceOf(ctx)
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    product_data: { name: 'myproduct' },
  })
  return newPaymentLink(ctx, src.at, [{ price, quantity: 1 }])
}

/** customer → two monthly prices → a schedule of two phases, started now. */
export function schedule(ctx: StripeContext): Schedule {
  const src = sourceOf(ctx)
  const c = payingCustomer(src)
  const monthly = (amount: number) =>
    newPrice(ctx, src.at, {
      currency: 'usd',
      unit_amount: amount,
      recurring: { interval: 'month' },
      product_data: { name: 'myproduct' },
    })
  const phases = buildPhases(ctx, src.at, [
    { items: [{ price: monthly(1000).id }], iterations: 1 },
    { items: [{ price: monthly(2000).id }], iterations: 1 },
  ])
  const sched = newSchedule(src, {
    customer: c.id,
    phases,
    end_behavior: 'release',
    metadata: {},
    test_clock: null,
  })
  activate(src, sched)
  return sched
}
