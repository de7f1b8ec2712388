import type { TriggerSpec } from '../core/provider.ts'
import { startSubscription } from './billing.ts'
import { scheduleRealtime } from './billing-clock.ts'
import { billingTriggers } from './billing-triggers.ts'
import { connectTriggers } from './connect-triggers.ts'
import { disputeTriggers } from './dispute-triggers.ts'
import { attach, createCardPaymentMethod, refundCharge } from './payments.ts'
import { newPrice } from './routes/products.ts'
import type { StripeContext, StripeState } from './state.ts'
import { newSubscription } from './subscriptions.ts'
import { payment, sourceOf, triggeredCustomer } from './trigger-support.ts'

/**
 * Events on demand, named like `stripe trigger <event>`: each creates the real
 * objects the event needs through the same code the API uses, so the event
 * and everything around it can be fetched afterwards.
 */

function subscription(ctx: StripeContext, number: string) {
  const src = sourceOf(ctx)
  const c = triggeredCustomer(src)
  const pm = createCardPaymentMethod(src, { number })
  attach(src, pm, c)
  const price = newPrice(ctx, src.at, {
    currency: 'usd',
    unit_amount: 2000,
    recurring: { interval: 'month' },
    product_data: { name: 'myproduct' },
  })
  const sub = newSubscription(src, c, [{ price, quantity: 1 }], { default_payment_method: pm.id })
  startSubscription(src, sub, { attempt: true })
  scheduleRealtime(ctx)
  return sub
}

export const triggers: Record<string, TriggerSpec<StripeState>> = {
  ...billingTriggers,
  ...disputeTriggers,
  ...connectTriggers,
  'customer.created': { summary: 'creates a customer', run: (ctx) => triggeredCustomer(sourceOf(ctx)) },
  'payment_intent.succeeded': {
    summary: 'a card payment that succeeds (4242)',
    run: (ctx) => payment(ctx, '4242424242424242'),
  },
  'payment_intent.payment_failed': {
    summary: 'a card payment that is declined (0002)',
    run: (ctx) => payment(ctx, '4000000000000002'),
  },
  'charge.succeeded': {
    summary: 'a card payment that succeeds',
    run: (ctx) => payment(ctx, '4242424242424242'),
  },
  'charge.failed': {
    summary: 'a card payment that is declined',
    run: (ctx) => payment(ctx, '4000000000000002'),
  },
  'charge.refunded': {
    summary: 'a card payment, refunded in full',
    run: (ctx) => {
      const pi = payment(ctx, '4242424242424242')
      return refundCharge(sourceOf(ctx), ctx.state.charges.get(pi.latest_charge!)!, {})
    },
  },
  'customer.subscription.created': {
    summary: 'a monthly subscription paid by card',
    run: (ctx) => subscription(ctx, '4242424242424242'),
  },
  'invoice.paid': {
    summary: 'a subscription whose first invoice is paid',
    run: (ctx) => subscription(ctx, '4242424242424242'),
  },
  'invoice.payment_failed': {
    summary: 'a subscription whose first invoice fails (card 0341)',
    run: (ctx) => subscription(ctx, '4000000000000341'),
  },
}
