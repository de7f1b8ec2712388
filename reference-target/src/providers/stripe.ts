import Stripe from 'stripe'
import type { Config } from '../config.ts'
import { ProviderCallError, type ProviderCaller, parseRetryAfter } from './retry.ts'

/** stripe-node takes host/port/protocol, not a URL (see shared/providers/sdk-clients.md). */
export function stripeSdk(config: Config['stripe'], timeoutMs: number): Stripe {
  const url = new URL(config.baseUrl)
  const protocol = url.protocol === 'https:' ? 'https' : 'http'
  return new Stripe(config.secretKey, {
    host: url.hostname,
    port: Number(url.port || (protocol === 'https' ? 443 : 80)),
    protocol,
    // Our own policy retries (with our own idempotency key); the SDK must not retry underneath it.
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
  })
}

function toError(error: unknown): ProviderCallError {
  if (error instanceof Stripe.errors.StripeError) {
    const network = error.type === 'StripeConnectionError' || error.statusCode === undefined
    const headers = (error.headers ?? {}) as Record<string, string>
    return new ProviderCallError('stripe', error.message, {
      status: error.statusCode,
      code: error.code ?? error.type,
      retryAfterMs: parseRetryAfter(headers['retry-after'], Date.now()),
      body: error.raw,
      network,
    })
  }
  return new ProviderCallError('stripe', error instanceof Error ? error.message : String(error), {
    network: true,
  })
}

/** The Stripe calls the app makes, each through the shared retry/idempotency policy. */
export class StripeClient {
  readonly sdk: Stripe
  constructor(
    readonly config: Config['stripe'],
    private readonly caller: ProviderCaller,
  ) {
    this.sdk = stripeSdk(config, caller.timeoutMs)
  }

  private call<T>(
    operation: string,
    key: string | undefined,
    fn: (opts: Stripe.RequestOptions) => Promise<T>,
  ): Promise<T> {
    return this.caller.call(
      { provider: 'stripe', operation, idempotencyKey: key },
      ({ idempotencyKey }) => fn(idempotencyKey ? { idempotencyKey } : {}),
      toError,
    )
  }

  createPaymentIntent(params: Stripe.PaymentIntentCreateParams, key: string) {
    return this.call('payment_intents.create', key, (o) => this.sdk.paymentIntents.create(params, o))
  }
  retrievePaymentIntent(id: string) {
    return this.call('payment_intents.retrieve', undefined, () => this.sdk.paymentIntents.retrieve(id))
  }
  createCheckoutSession(params: Stripe.Checkout.SessionCreateParams, key: string) {
    return this.call('checkout.sessions.create', key, (o) => this.sdk.checkout.sessions.create(params, o))
  }
  retrieveCheckoutSession(id: string) {
    return this.call('checkout.sessions.retrieve', undefined, () => this.sdk.checkout.sessions.retrieve(id))
  }
  createRefund(params: Stripe.RefundCreateParams, key: string) {
    return this.call('refunds.create', key, (o) => this.sdk.refunds.create(params, o))
  }
  createCustomer(params: Stripe.CustomerCreateParams, key: string) {
    return this.call('customers.create', key, (o) => this.sdk.customers.create(params, o))
  }
  attachPaymentMethod(paymentMethodId: string, customer: string, key: string) {
    return this.call('payment_methods.attach', key, (o) =>
      this.sdk.paymentMethods.attach(paymentMethodId, { customer }, o),
    )
  }
  updateCustomer(id: string, params: Stripe.CustomerUpdateParams, key: string) {
    return this.call('customers.update', key, (o) => this.sdk.customers.update(id, params, o))
  }
  createProduct(params: Stripe.ProductCreateParams, key: string) {
    return this.call('products.create', key, (o) => this.sdk.products.create(params, o))
  }
  createPrice(params: Stripe.PriceCreateParams, key: string) {
    return this.call('prices.create', key, (o) => this.sdk.prices.create(params, o))
  }
  createSubscription(params: Stripe.SubscriptionCreateParams, key: string) {
    return this.call('subscriptions.create', key, (o) => this.sdk.subscriptions.create(params, o))
  }
  retrieveSubscription(id: string) {
    return this.call('subscriptions.retrieve', undefined, () => this.sdk.subscriptions.retrieve(id))
  }
  cancelSubscription(id: string, key: string) {
    return this.call('subscriptions.cancel', key, (o) => this.sdk.subscriptions.cancel(id, {}, o))
  }

  /** Verifies Stripe-Signature over the raw body; `nowMs` is the app clock (timestamps older than 5 min fail). */
  verifyWebhook(raw: Buffer, signature: string, nowMs: number, checkAge: boolean): Stripe.Event {
    return this.sdk.webhooks.constructEvent(
      raw,
      signature,
      this.config.webhookSecret,
      checkAge ? 300 : 0,
      undefined,
      nowMs,
    )
  }
}
