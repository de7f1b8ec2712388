import { newCustomer } from './customers.ts'
import type { Customer } from './models.ts'
import { confirmIntent, createCardPaymentMethod, newPaymentIntent } from './payments.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/** What the `stripe trigger` builders share (triggers.ts and its per-area files). */

/** A triggered event's source: now on the account's clock, from no request. */
export const sourceOf = (ctx: StripeContext): EventSource => ({ ctx, at: ctx.clock.unix(), request: null })

/** A $20.00 PaymentIntent, captured automatically, confirmed with test card `number`. */
export function payment(ctx: StripeContext, number: string) {
  const src = sourceOf(ctx)
  const pm = createCardPaymentMethod(src, { number })
  const pi = newPaymentIntent(src, {
    amount: 2000,
    currency: 'usd',
    payment_method: pm.id,
    capture_method: 'automatic',
  })
  confirmIntent(src, pi)
  return pi
}

/** The customer a trigger makes (`triggered@example.com`), stored, with its `customer.created` event. */
export function triggeredCustomer(src: EventSource): Customer {
  const c = newCustomer(src.ctx, { created: src.at, email: 'triggered@example.com' })
  src.ctx.state.customers.insert(c)
  emitEvent(src, 'customer.created', c)
  return c
}
