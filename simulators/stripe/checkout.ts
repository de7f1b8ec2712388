import { changeSubscription, payInvoice, startSubscription } from './billing.ts'
import { scheduleRealtime } from './billing-clock.ts'
import { newCustomer } from './customers.ts'
import type { InvoiceOutcome } from './invoice-transitions.ts'
import type { CheckoutSession, Customer, Price } from './models.ts'
import {
  attach,
  completeAuthentication,
  confirmIntent,
  createCardPaymentMethod,
  newPaymentIntent,
} from './payments.ts'
import type { StripeContext } from './state.ts'
import { newSubscription } from './subscriptions.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * What the hosted Checkout page does when the buyer pays: the same objects
 * and events a real Checkout Session produces (customer, PaymentIntent and
 * charge, or subscription and first invoice), then checkout.session.completed.
 */
export type CheckoutResult =
  | { kind: 'complete' }
  | { kind: 'authenticate' }
  | { kind: 'declined'; message: string }

export function expireSession(src: EventSource, session: CheckoutSession): void {
  session.status = 'expired'
  session.url = null
  emitEvent(src, 'checkout.session.expired', session)
}

/** Expires an open session at its expires_at on the virtual clock. */
export function scheduleExpiry(ctx: StripeContext, session: CheckoutSession): void {
  ctx.later(Math.max(0, session.expires_at * 1000 - ctx.clock.now()), () => {
    if (session.status === 'open') expireSession({ ctx, at: ctx.clock.unix(), request: null }, session)
  })
}

function buyer(
  src: EventSource,
  session: CheckoutSession,
  email: string,
  name: string,
): Customer | undefined {
  const { ctx } = src
  if (session.customer) return ctx.state.customers.get(session.customer)
  // Payment mode creates a customer only when asked (customer_creation=always); subscriptions always need one.
  if (session.mode === 'payment' && session.customer_creation !== 'always') return undefined
  const customer = newCustomer(ctx, { created: src.at, email, name: name || null })
  ctx.state.customers.insert(customer)
  session.customer = customer.id
  emitEvent(src, 'customer.created', customer)
  return customer
}

export function payCheckout(
  src: EventSource,
  session: CheckoutSession,
  form: { email: string; name: string; number: string; exp_month: number; exp_year: number; cvc: string },
): CheckoutResult {
  const { ctx } = src
  session.customer_details = {
    address: null,
    email: form.email || session.customer_email,
    name: form.name || null,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  }
  const customer = buyer(src, session, form.email || (session.customer_email ?? ''), form.name)
  const pm = createCardPaymentMethod(
    src,
    { number: form.number, exp_month: form.exp_month, exp_year: form.exp_year, cvc: form.cvc },
    {
      billing_details: { email: form.email || null, name: form.name || null },
    },
  )
  if (session.mode === 'subscription') return paySubscription(src, session, customer!, pm.id)
  let pi = session.payment_intent ? ctx.state.paymentIntents.get(session.payment_intent) : undefined
  if (pi?.status !== 'requires_payment_method') {
    pi = newPaymentIntent(src, {
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      customer: customer?.id ?? null,
      capture_method: (session._piData.capture_method as 'automatic' | 'manual' | undefined) ?? 'automatic',
      metadata: session._piData.metadata,
    })
    session.payment_intent = pi.id
  }
  if (customer) attach(src, pm, customer)
  pi.payment_method = pm.id
  const outcome = confirmIntent(src, pi)
  if (outcome.kind === 'requires_action') return { kind: 'authenticate' }
  if (outcome.kind === 'declined') return { kind: 'declined', message: String(outcome.error.message) }
  return complete(src, session)
}

function paySubscription(
  src: EventSource,
  session: CheckoutSession,
  customer: Customer,
  pmId: string,
): CheckoutResult {
  const { ctx } = src
  const pm = ctx.state.paymentMethods.get(pmId)!
  try {
    attach(src, pm, customer)
  } catch {
    // A card that cannot even be attached is declined on the page like any other.
    return { kind: 'declined', message: 'Your card was declined.' }
  }
  let sub = session.subscription ? ctx.state.subscriptions.get(session.subscription) : undefined
  let outcome: InvoiceOutcome | undefined
  if (!sub) {
    const prices = session._lineItems.map((l) => ({
      price: ctx.state.prices.get(l.price)!,
      quantity: l.quantity,
    }))
    sub = newSubscription(src, customer, prices as { price: Price; quantity: number }[], {
      default_payment_method: pmId,
      metadata: session._subData.metadata ?? {},
      trial_period_days: session._subData.trial_period_days,
    })
    session.subscription = sub.id
    outcome = startSubscription(src, sub, { attempt: true })
    session.invoice = sub.latest_invoice
    scheduleRealtime(ctx)
  } else {
    changeSubscription(src, sub, (s) => {
      s.default_payment_method = pmId
    })
    outcome = payInvoice(src, ctx.state.invoices.get(sub.latest_invoice!)!, pmId)
  }
  if (outcome?.kind === 'requires_action') return { kind: 'authenticate' }
  if (outcome?.kind === 'declined') return { kind: 'declined', message: String(outcome.error.message) }
  if (outcome?.kind === 'no_payment_method') return { kind: 'declined', message: 'Your card was declined.' }
  return complete(src, session)
}

/** The 3-D Secure page of a session: pass completes the payment, fail returns to the payment form. */
export function authenticateCheckout(
  src: EventSource,
  session: CheckoutSession,
  pass: boolean,
): CheckoutResult {
  const { ctx } = src
  const invoice = session.invoice ? ctx.state.invoices.get(session.invoice) : undefined
  const piId = session.mode === 'subscription' ? invoice?.payment_intent : session.payment_intent
  const pi = piId ? ctx.state.paymentIntents.get(piId) : undefined
  if (!pi) return { kind: 'declined', message: 'Payment not found.' }
  const outcome = completeAuthentication(src, pi, pass)
  if (outcome.kind === 'declined')
    return {
      kind: 'declined',
      message:
        'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
    }
  return complete(src, session)
}

function complete(src: EventSource, session: CheckoutSession): CheckoutResult {
  const pi = session.payment_intent ? src.ctx.state.paymentIntents.get(session.payment_intent) : undefined
  session.status = 'complete'
  session.payment_status = session.mode === 'payment' && pi?.status === 'requires_capture' ? 'unpaid' : 'paid'
  session.url = null
  emitEvent(src, 'checkout.session.completed', session)
  return { kind: 'complete' }
}
