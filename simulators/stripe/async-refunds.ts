import { bookRefund } from './balance.ts'
import { cardOf } from './charges.ts'
import type { Charge, Refund } from './models.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Card 4000 0000 0000 7726: "the refund starts pending, then succeeds"
 * (docs.stripe.com/testing#refunds). standin settles it one minute of virtual
 * time later, with the events a status change sends (refund.updated,
 * charge.refund.updated, each with previous_attributes).
 */
export const REFUND_SETTLES_AFTER_MS = 60_000

export function refundStartsPending(ctx: StripeContext, charge: Charge): boolean {
  const pm = charge.payment_method ? ctx.state.paymentMethods.get(charge.payment_method as string) : undefined
  return Boolean(pm && cardOf(pm)?.refundPending)
}

/** After every refund: its balance transaction is booked, and a pending one settles later. */
export function afterRefund(src: EventSource, charge: Charge, refund: Refund): void {
  const { ctx } = src
  bookRefund(ctx, refund)
  if (!refundStartsPending(ctx, charge)) return
  ctx.later(REFUND_SETTLES_AFTER_MS, () => {
    if (refund.status !== 'pending') return
    const at: EventSource = { ctx, at: ctx.clock.unix(), request: null }
    refund.status = 'succeeded'
    emitEvent(at, 'refund.updated', refund, { status: 'pending' })
    emitEvent(at, 'charge.refund.updated', refund, { status: 'pending' })
  })
}
