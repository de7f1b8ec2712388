/**
 * The Stripe side of a subscription, as the journeys need to see and steer it:
 * the card a subscriber enters (a PaymentMethod made as Stripe.js makes one),
 * the customer and subscription the app created with it, and a card on file
 * that starts declining, which is how Stripe's own docs test a failed renewal
 * (attach 4000 0000 0000 0341, make it the default, let the period end).
 * Everything goes through Stripe's public API on standin with the app's
 * account key (the profile's `providers.stripe.account`).
 */

export interface StripeSubscriptionView {
  id: string
  status: string
  customer: string
  current_period_end?: number
  items: { data: { current_period_end?: number }[] }
}

export class StripeBilling {
  constructor(
    private readonly baseUrl: string,
    private readonly secretKey: string,
  ) {}

  /** A card PaymentMethod from a test token, as Stripe.js hands the app one (`pm_…`). */
  async cardPaymentMethod(token = 'tok_visa'): Promise<string> {
    const pm = await this.call<{ id: string }>('POST', '/v1/payment_methods', {
      type: 'card',
      'card[token]': token,
    })
    return pm.id
  }

  /** The customer a PaymentMethod was attached to (by the app), if any. */
  async customerOf(paymentMethod: string): Promise<string | undefined> {
    const pm = await this.call<{ customer: string | null }>('GET', `/v1/payment_methods/${paymentMethod}`)
    return pm.customer ?? undefined
  }

  async subscriptionsOf(customer: string): Promise<StripeSubscriptionView[]> {
    const list = await this.call<{ data: StripeSubscriptionView[] }>(
      'GET',
      `/v1/subscriptions?customer=${encodeURIComponent(customer)}&status=all`,
    )
    return list.data
  }

  /** When the subscription's current period ends (epoch ms), wherever the API version puts it. */
  static periodEnd(sub: StripeSubscriptionView): number {
    const seconds = sub.current_period_end ?? sub.items.data[0]?.current_period_end
    if (seconds === undefined) throw new Error(`Stripe subscription ${sub.id} has no current_period_end.`)
    return seconds * 1000
  }

  /**
   * The subscriber's card starts declining: a card that attaches but fails
   * every charge (`pm_card_chargeCustomerFail`) becomes the customer's and the
   * subscription's default, so the next renewal charge fails.
   */
  async cardStartsDeclining(customer: string, subscription: string): Promise<string> {
    const pm = await this.call<{ id: string }>(
      'POST',
      '/v1/payment_methods/pm_card_chargeCustomerFail/attach',
      {
        customer,
      },
    )
    await this.call('POST', `/v1/customers/${customer}`, {
      'invoice_settings[default_payment_method]': pm.id,
    })
    await this.call('POST', `/v1/subscriptions/${subscription}`, { default_payment_method: pm.id })
    return pm.id
  }

  private async call<T>(method: string, path: string, form?: Record<string, string>): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.secretKey}`,
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    })
    const body = (await response.json()) as T & { error?: { message?: string } }
    if (!response.ok)
      throw new Error(
        `Failed to ${method} ${path} at Stripe (standin): HTTP ${response.status} ${body.error?.message ?? ''}`,
      )
    return body
  }
}
