import type { PaymentRow } from '../flows/payment-row.ts'
import { idemKey } from '../flows/payment-row.ts'
import { ProviderCallError } from '../providers/retry.ts'
import type { StripeClient } from '../providers/stripe.ts'
import type { Currency, Outcome, PaymentGateway, Started, StartInput } from './types.ts'

/**
 * The PaymentIntent create of a payment. The reconcile job replays it with the
 * same idempotency key, so both must send exactly these parameters: Stripe
 * refuses a key reused with other parameters (idempotency_error).
 */
function paymentIntentParams(p: PaymentRow, orderName: string, paymentMethodId?: string) {
  return {
    amount: p.amount,
    currency: p.currency,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const },
    description: orderName,
    metadata: { payment_id: p.id, user_id: p.user_id, purpose: p.purpose },
    ...(paymentMethodId ? { payment_method: paymentMethodId, confirm: true } : {}),
  }
}

/** Stripe: a PaymentIntent (default, confirmed server-side when a PaymentMethod is given) or a Checkout Session. */
export class StripePaymentGateway implements PaymentGateway {
  readonly provider = 'stripe' as const
  readonly currency: Currency
  constructor(private readonly stripe: StripeClient) {
    const c = stripe.config.currency
    this.currency = c === 'krw' ? 'krw' : c === 'inr' ? 'inr' : 'usd'
  }

  method(requested: 'payment_intent' | 'checkout' | undefined): string {
    return requested ?? 'payment_intent'
  }

  async start(p: PaymentRow, input: StartInput): Promise<Started> {
    const metadata = { payment_id: p.id, user_id: p.user_id, purpose: p.purpose }
    if (p.method === 'checkout') {
      const session = await this.stripe.createCheckoutSession(
        {
          mode: 'payment',
          client_reference_id: p.id,
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: p.currency,
                unit_amount: p.amount,
                product_data: { name: input.orderName },
              },
            },
          ],
          success_url: `${input.publicUrl}/v1/payments/${p.id}/return?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${input.publicUrl}/v1/payments/${p.id}/return?canceled=1`,
          metadata,
          payment_intent_data: { metadata },
        },
        idemKey(p.id, 'create'),
      )
      return { fields: { provider_ref: session.id, checkout_url: session.url ?? null } }
    }
    const intent = await this.stripe.createPaymentIntent(
      paymentIntentParams(p, input.orderName, input.paymentMethodId),
      idemKey(p.id, 'create'),
    )
    const fields = { provider_ref: intent.id, client_secret: intent.client_secret }
    // A synchronous decline is final: the card said no.
    if (intent.status === 'requires_payment_method' && intent.last_payment_error)
      return {
        fields,
        declined: {
          code: intent.last_payment_error.code ?? 'card_declined',
          message: intent.last_payment_error.message ?? 'declined',
        },
      }
    return { fields }
  }

  present(p: PaymentRow) {
    return {
      stripe: {
        paymentIntentId: p.method === 'payment_intent' ? p.provider_ref : null,
        clientSecret: p.client_secret,
        checkoutSessionId: p.method === 'checkout' ? p.provider_ref : null,
        checkoutUrl: p.checkout_url,
      },
    }
  }

  async fetch(p: PaymentRow, remember: Parameters<PaymentGateway['fetch']>[1]): Promise<Outcome> {
    if (p.method === 'checkout') {
      if (!p.provider_ref) return { state: 'open' }
      const session = await this.stripe.retrieveCheckoutSession(p.provider_ref)
      if (session.payment_status === 'paid') {
        const pi =
          typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id
        return { state: 'paid', details: { stripePaymentIntent: pi } }
      }
      if (session.status === 'expired')
        return { state: 'failed', code: 'expired', message: 'The checkout session expired.' }
      return { state: 'open' }
    }
    let intentId = p.provider_ref
    // The create itself timed out: replaying it with the same idempotency key returns the intent Stripe made.
    if (!intentId) {
      const replay = await this.stripe.createPaymentIntent(
        paymentIntentParams(
          p,
          String(p.details.orderName ?? ''),
          p.details.paymentMethodId as string | undefined,
        ),
        idemKey(p.id, 'create'),
      )
      intentId = replay.id
      await remember({ provider_ref: replay.id, client_secret: replay.client_secret })
    }
    const intent = await this.stripe.retrievePaymentIntent(intentId)
    if (intent.status === 'succeeded' && intent.amount_received >= p.amount)
      return { state: 'paid', providerRef: intent.id }
    if (intent.status === 'canceled')
      return { state: 'failed', code: 'canceled', message: 'The payment was canceled.' }
    return { state: 'open' }
  }

  async refund(p: PaymentRow): Promise<void> {
    const pi =
      (p.method === 'checkout' ? (p.details.stripePaymentIntent as string | undefined) : p.provider_ref) ??
      undefined
    if (!pi)
      throw new ProviderCallError('stripe', 'no PaymentIntent recorded for this payment', { status: 400 })
    await this.stripe.createRefund(
      { payment_intent: pi, metadata: { payment_id: p.id } },
      idemKey(p.id, 'refund'),
    )
  }
}
