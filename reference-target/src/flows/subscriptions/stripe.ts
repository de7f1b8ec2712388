import type Stripe from 'stripe'
import { z } from 'zod'
import type { Ctx } from '../../context.ts'
import { PREMIUM } from '../packages.ts'
import { enterGrace, type PremiumBilling, type SubscriptionRow } from './model.ts'

/**
 * Premium through Stripe Billing: a customer and a subscription on a monthly
 * price (server-side with the card Stripe.js collected, or a hosted Checkout
 * page). Stripe renews; its webhooks (webhooks/stripe.ts) call the functions
 * below, which find our row by the Stripe subscription id.
 */
const PROVIDER = 'stripe'

export const StripeSubscribe = z.object({
  provider: z.literal(PROVIDER),
  /** subscription (default): server-side with paymentMethodId; checkout: a hosted Stripe Checkout page. */
  method: z.enum(['subscription', 'checkout']).optional(),
  paymentMethodId: z.string().min(3).max(255).optional(),
})

async function setting(ctx: Ctx, key: string, make: () => Promise<string>): Promise<string> {
  const [row] = await ctx.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])
  if (row) return row.value
  const value = await make()
  await ctx.db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
    key,
    JSON.stringify(value),
  ])
  return value
}

/** The Premium price, created once per Stripe account (idempotency keys make concurrent first calls safe). */
async function premiumPrice(ctx: Ctx, currency: 'usd' | 'inr' | 'krw'): Promise<string> {
  const product = await setting(
    ctx,
    'stripe.premium.product',
    async () => (await ctx.providers.stripe.createProduct({ name: PREMIUM.name }, 'premium-product-v1')).id,
  )
  return setting(ctx, `stripe.premium.price.${currency}`, async () => {
    const price = await ctx.providers.stripe.createPrice(
      { product, currency, unit_amount: PREMIUM.prices[currency], recurring: { interval: 'month' } },
      `premium-price-v1-${currency}`,
    )
    return price.id
  })
}

async function startServerSide(ctx: Ctx, userId: string, id: string, paymentMethodId: string | undefined) {
  const currency = ctx.gateways.payment[PROVIDER].currency
  const price = await premiumPrice(ctx, currency)
  const customer = await ctx.providers.stripe.createCustomer(
    { metadata: { user_id: userId } },
    `${id}:customer`,
  )
  // The card the browser collected (Stripe.js) becomes the customer's default for renewals.
  let defaultPaymentMethod: string | undefined
  if (paymentMethodId) {
    const pm = await ctx.providers.stripe.attachPaymentMethod(paymentMethodId, customer.id, `${id}:attach`)
    defaultPaymentMethod = pm.id
    await ctx.providers.stripe.updateCustomer(
      customer.id,
      { invoice_settings: { default_payment_method: pm.id } },
      `${id}:default-pm`,
    )
  }
  const sub = await ctx.providers.stripe.createSubscription(
    {
      customer: customer.id,
      items: [{ price }],
      metadata: { subscription_id: id, user_id: userId },
      ...(defaultPaymentMethod ? { default_payment_method: defaultPaymentMethod } : {}),
      payment_behavior: paymentMethodId ? 'error_if_incomplete' : 'default_incomplete',
    },
    `${id}:create`,
  )
  await ctx.db.query(
    `INSERT INTO subscriptions (id, user_id, provider, status, provider_subscription_id, provider_customer_id, amount, currency, created_at, updated_at)
     VALUES ($1, $2, $3, 'incomplete', $4, $5, $6, $7, $8, $8)`,
    [id, userId, PROVIDER, sub.id, customer.id, PREMIUM.prices[currency], currency, ctx.clock.now()],
  )
  // Premium starts with the verified invoice.paid webhook, not with this answer.
}

/** Premium through a hosted Stripe Checkout page (mode subscription); the webhooks link and activate it. */
async function startCheckout(ctx: Ctx, userId: string, id: string): Promise<string | null> {
  const currency = ctx.gateways.payment[PROVIDER].currency
  const price = await premiumPrice(ctx, currency)
  const metadata = { subscription_id: id, user_id: userId }
  const session = await ctx.providers.stripe.createCheckoutSession(
    {
      mode: 'subscription',
      client_reference_id: id,
      line_items: [{ price, quantity: 1 }],
      success_url: `${ctx.publicUrl()}/v1/subscriptions/current?checkout=success`,
      cancel_url: `${ctx.publicUrl()}/v1/subscriptions/current?checkout=canceled`,
      metadata,
      subscription_data: { metadata },
    },
    `${id}:checkout`,
  )
  await ctx.db.query(
    `INSERT INTO subscriptions (id, user_id, provider, status, amount, currency, created_at, updated_at)
     VALUES ($1, $2, $3, 'incomplete', $4, $5, $6, $6)`,
    [id, userId, PROVIDER, PREMIUM.prices[currency], currency, ctx.clock.now()],
  )
  return session.url ?? null
}

export const stripeBilling: PremiumBilling<z.output<typeof StripeSubscribe>> = {
  async start(ctx, { userId, subscriptionId, body }) {
    if (body.method === 'checkout') return startCheckout(ctx, userId, subscriptionId)
    await startServerSide(ctx, userId, subscriptionId, body.paymentMethodId)
    return null
  },
  async cancelAtProvider(ctx, s, key) {
    if (s.provider_subscription_id)
      await ctx.providers.stripe.cancelSubscription(s.provider_subscription_id, key)
  },
}

/**
 * Our row for a Stripe subscription: by its id, or (a Checkout-created
 * subscription whose invoice.paid beat checkout.session.completed) by the
 * subscription_id we put in its metadata, which then links the two.
 */
async function rowForStripe(
  ctx: Ctx,
  stripeSubscriptionId: string,
  sub?: Stripe.Subscription,
): Promise<SubscriptionRow | undefined> {
  const [s] = await ctx.db.query<SubscriptionRow>(
    'SELECT * FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2',
    [PROVIDER, stripeSubscriptionId],
  )
  if (s) return s
  const ours = (sub ?? (await ctx.providers.stripe.retrieveSubscription(stripeSubscriptionId))).metadata
    ?.subscription_id
  if (!ours) return undefined
  const customer = typeof sub?.customer === 'string' ? sub.customer : (sub?.customer?.id ?? null)
  const [linked] = await ctx.db.query<SubscriptionRow>(
    `UPDATE subscriptions SET provider_subscription_id = $2, provider_customer_id = COALESCE(provider_customer_id, $3)
     WHERE id = $1 AND provider = $4 AND provider_subscription_id IS NULL RETURNING *`,
    [ours, stripeSubscriptionId, customer, PROVIDER],
  )
  return linked
}

export async function stripeCheckoutCompleted(ctx: Ctx, stripeSubscriptionId: string) {
  await rowForStripe(ctx, stripeSubscriptionId)
}

export async function stripeInvoicePaid(ctx: Ctx, stripeSubscriptionId: string) {
  const sub = await ctx.providers.stripe.retrieveSubscription(stripeSubscriptionId)
  const s = await rowForStripe(ctx, stripeSubscriptionId, sub)
  if (!s) return
  // API versions since 2025 carry the period on the item, older ones on the subscription.
  const legacy = sub as unknown as { current_period_end?: number }
  const end =
    legacy.current_period_end ??
    (sub.items.data[0] as unknown as { current_period_end?: number } | undefined)?.current_period_end
  await ctx.db.query(
    `UPDATE subscriptions SET status = 'active', grace_until = NULL, current_period_end = $2, updated_at = $3 WHERE id = $1`,
    [s.id, end ? new Date(end * 1000) : new Date(ctx.clock.nowMs() + PREMIUM.periodMs), ctx.clock.now()],
  )
}

export async function stripeInvoiceFailed(ctx: Ctx, stripeSubscriptionId: string, reason: string) {
  const [s] = await ctx.db.query<SubscriptionRow>(
    'SELECT * FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2',
    [PROVIDER, stripeSubscriptionId],
  )
  if (s?.status === 'active') await enterGrace(ctx, s, reason)
}

export async function stripeSubscriptionEnded(ctx: Ctx, stripeSubscriptionId: string) {
  if (ctx.defects.has('failed-renewal-never-downgrades')) return
  await ctx.db.query(
    `UPDATE subscriptions SET status = 'expired', current_period_end = LEAST(current_period_end, $2), updated_at = $2
     WHERE provider = $3 AND provider_subscription_id = $1 AND status <> 'canceled'`,
    [stripeSubscriptionId, ctx.clock.now(), PROVIDER],
  )
}

/** The invoice's subscription id, wherever the API version puts it. */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | undefined {
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription
  const fromParent = invoice.parent?.subscription_details?.subscription
  const ref = legacy ?? fromParent
  return typeof ref === 'string' ? ref : ref?.id
}
