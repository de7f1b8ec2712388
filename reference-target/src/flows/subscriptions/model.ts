import type Stripe from 'stripe'
import { z } from 'zod'
import type { Ctx } from '../context.ts'
import type { Queryable } from '../db/database.ts'
import { ApiError, conflict, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { newId } from '../ids.ts'
import { RetryLater } from '../jobs/worker.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { currencyOf, PREMIUM } from './packages.ts'

const DAY = 24 * 3600_000

export interface SubscriptionRow {
  id: string
  user_id: string
  provider: 'stripe' | 'toss'
  status: 'incomplete' | 'active' | 'past_due' | 'canceled' | 'expired'
  provider_subscription_id: string | null
  provider_customer_id: string | null
  billing_key: string | null
  customer_key: string | null
  amount: number
  currency: string
  current_period_end: Date | null
  grace_until: Date | null
}

/**
 * Premium is the subscription's state, not a stored flag: active and
 * past_due (the grace period) are premium; a canceled one stays premium until
 * the period it paid for ends.
 */
export function isPremium(s: SubscriptionRow | undefined, nowMs: number): boolean {
  if (!s) return false
  if (s.status === 'active' || s.status === 'past_due') return true
  return s.status === 'canceled' && !!s.current_period_end && s.current_period_end.getTime() > nowMs
}

export async function currentSubscription(
  db: Queryable,
  userId: string,
): Promise<SubscriptionRow | undefined> {
  return (
    await db.query<SubscriptionRow>(
      `SELECT * FROM subscriptions WHERE user_id = $1 AND status <> 'incomplete' ORDER BY created_at DESC LIMIT 1`,
      [userId],
    )
  )[0]
}

export function presentSubscription(ctx: Ctx, s: SubscriptionRow | undefined) {
  if (!s) return { premium: false, subscription: null }
  return {
    premium: isPremium(s, ctx.clock.nowMs()),
    subscription: {
      id: s.id,
      provider: s.provider,
      status: s.status,
      amount: s.amount,
      currency: s.currency,
      currentPeriodEnd: s.current_period_end?.toISOString() ?? null,
      graceUntil: s.grace_until?.toISOString() ?? null,
      stripeSubscriptionId: s.provider_subscription_id,
    },
  }
}

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

async function startStripe(ctx: Ctx, userId: string, id: string, paymentMethodId: string | undefined) {
  const currency = currencyOf('stripe', ctx.config.stripe.currency)
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
     VALUES ($1, $2, 'stripe', 'incomplete', $3, $4, $5, $6, $7, $7)`,
    [id, userId, sub.id, customer.id, PREMIUM.prices[currency], currency, ctx.clock.now()],
  )
  // Premium starts with the verified invoice.paid webhook, not with this answer.
}

/** Premium through a hosted Stripe Checkout page (mode subscription); the webhooks link and activate it. */
async function startStripeCheckout(ctx: Ctx, userId: string, id: string): Promise<string | null> {
  const currency = currencyOf('stripe', ctx.config.stripe.currency)
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
     VALUES ($1, $2, 'stripe', 'incomplete', $3, $4, $5, $5)`,
    [id, userId, PREMIUM.prices[currency], currency, ctx.clock.now()],
  )
  return session.url ?? null
}

async function startToss(
  ctx: Ctx,
  userId: string,
  id: string,
  input: { authKey: string; customerKey: string },
) {
  const billing = await ctx.providers.toss.issueBillingKey(input, `${id}:issue`)
  await ctx.db.query(
    `INSERT INTO subscriptions (id, user_id, provider, status, billing_key, customer_key, amount, currency, created_at, updated_at)
     VALUES ($1, $2, 'toss', 'incomplete', $3, $4, $5, 'krw', $6, $6)`,
    [id, userId, billing.billingKey, input.customerKey, PREMIUM.prices.krw, ctx.clock.now()],
  )
  const ok = await chargeToss(ctx, id, 1, 1)
  if (!ok) throw new ApiError(402, 'payment_failed', 'The first monthly charge was declined.')
}

/**
 * Charges one Toss billing period. The orderId and Idempotency-Key are per
 * period and attempt, so a retried request never charges twice and a new
 * attempt after a decline is a new order (Toss refuses reused orderIds).
 */
async function chargeToss(
  ctx: Ctx,
  subscriptionId: string,
  period: number,
  attempt: number,
): Promise<boolean> {
  const [s] = await ctx.db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [
    subscriptionId,
  ])
  if (!s?.billing_key || !s.customer_key) return false
  const orderId = `${s.id}-p${period}-a${attempt}`.replace(/[^A-Za-z0-9_-]/g, '')
  try {
    const payment = await ctx.providers.toss.chargeBilling(
      s.billing_key,
      { customerKey: s.customer_key, amount: s.amount, orderId, orderName: PREMIUM.name },
      orderId,
    )
    if (payment.status !== 'DONE') return false
  } catch (error) {
    if (error instanceof ProviderCallError && error.retryable) throw error
    return false
  }
  const now = ctx.clock.now()
  const start =
    s.current_period_end && s.current_period_end.getTime() > now.getTime() ? s.current_period_end : now
  const periodEnd = new Date(start.getTime() + PREMIUM.periodMs)
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE subscriptions SET status = 'active', current_period_end = $2, grace_until = NULL, updated_at = $3 WHERE id = $1`,
      [s.id, periodEnd, now],
    )
    await ctx.enqueue(
      tx,
      'subscription.toss-renew',
      { subscriptionId: s.id, period: period + 1 },
      { runAt: periodEnd, dedupeKey: `toss-renew:${s.id}:${period + 1}`, maxAttempts: 20 },
    )
  })
  return true
}

/** A renewal failed: premium continues for the grace period, then the grace check downgrades. */
async function enterGrace(ctx: Ctx, s: SubscriptionRow, reason: string) {
  if (s.status === 'past_due' || s.status === 'expired' || s.status === 'canceled') return
  const graceUntil = new Date(ctx.clock.nowMs() + ctx.config.graceMs)
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE subscriptions SET status = 'past_due', grace_until = $2, updated_at = $3 WHERE id = $1`,
      [s.id, graceUntil, ctx.clock.now()],
    )
    await tx.query(
      'INSERT INTO notifications (id, user_id, kind, message, created_at) VALUES ($1, $2, $3, $4, $5)',
      [
        newId('ntf'),
        s.user_id,
        'renewal_failed',
        `Your Premium renewal failed (${reason}). Update your payment method before ${graceUntil.toISOString().slice(0, 10)} to keep Premium.`,
        ctx.clock.now(),
      ],
    )
    await ctx.enqueue(
      tx,
      'subscription.grace-check',
      { subscriptionId: s.id },
      { runAt: graceUntil, dedupeKey: `grace:${s.id}:${graceUntil.getTime()}` },
    )
  })
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
    `SELECT * FROM subscriptions WHERE provider = 'stripe' AND provider_subscription_id = $1`,
    [stripeSubscriptionId],
  )
  if (s) return s
  const ours = (sub ?? (await ctx.providers.stripe.retrieveSubscription(stripeSubscriptionId))).metadata
    ?.subscription_id
  if (!ours) return undefined
  const customer = typeof sub?.customer === 'string' ? sub.customer : (sub?.customer?.id ?? null)
  const [linked] = await ctx.db.query<SubscriptionRow>(
    `UPDATE subscriptions SET provider_subscription_id = $2, provider_customer_id = COALESCE(provider_customer_id, $3)
     WHERE id = $1 AND provider = 'stripe' AND provider_subscription_id IS NULL RETURNING *`,
    [ours, stripeSubscriptionId, customer],
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
    `SELECT * FROM subscriptions WHERE provider = 'stripe' AND provider_subscription_id = $1`,
    [stripeSubscriptionId],
  )
  if (s?.status === 'active') await enterGrace(ctx, s, reason)
}

export async function stripeSubscriptionEnded(ctx: Ctx, stripeSubscriptionId: string) {
  if (ctx.defects.has('failed-renewal-never-downgrades')) return
  await ctx.db.query(
    `UPDATE subscriptions SET status = 'expired', current_period_end = LEAST(current_period_end, $2), updated_at = $2
     WHERE provider = 'stripe' AND provider_subscription_id = $1 AND status <> 'canceled'`,
    [stripeSubscriptionId, ctx.clock.now()],
  )
}

/** The invoice's subscription id, wherever the API version puts it. */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | undefined {
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription
  const fromParent = invoice.parent?.subscription_details?.subscription
  const ref = legacy ?? fromParent
  return typeof ref === 'string' ? ref : ref?.id
}

export function subscriptionRoutes(ctx: Ctx) {
  return [
    route({
      method: 'POST',
      path: '/v1/subscriptions',
      operationId: 'subscribePremium',
      summary:
        'Subscribe to Premium: Stripe subscription, or a Toss billing key (authKey/customerKey from requestBillingAuth) charged monthly.',
      tag: 'subscriptions',
      status: 201,
      body: z.discriminatedUnion('provider', [
        z.object({
          provider: z.literal('stripe'),
          /** subscription (default): server-side with paymentMethodId; checkout: a hosted Stripe Checkout page. */
          method: z.enum(['subscription', 'checkout']).optional(),
          paymentMethodId: z.string().min(3).max(255).optional(),
        }),
        z.object({
          provider: z.literal('toss'),
          authKey: z.string().min(1).max(300),
          customerKey: z.string().min(2).max(300),
        }),
      ]),
      errors: { 402: 'first charge declined', 409: 'already subscribed', 502: 'provider unavailable' },
      handler: async ({ user, body }) => {
        const existing = await currentSubscription(ctx.db, user.id)
        if (existing && (existing.status === 'active' || existing.status === 'past_due'))
          throw conflict('already_subscribed', 'You already have Premium.', 'provider')
        const id = newId('sub')
        let checkoutUrl: string | null = null
        try {
          if (body.provider === 'stripe' && body.method === 'checkout')
            checkoutUrl = await startStripeCheckout(ctx, user.id, id)
          else if (body.provider === 'stripe') await startStripe(ctx, user.id, id, body.paymentMethodId)
          else await startToss(ctx, user.id, id, body)
        } catch (error) {
          if (error instanceof ProviderCallError)
            throw error.retryable
              ? new ApiError(502, 'provider_unavailable', `${error.provider} did not answer; try again.`)
              : new ApiError(402, 'payment_failed', error.message, undefined, { providerCode: error.code })
          throw error
        }
        const [s] = await ctx.db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [id])
        return { ...presentSubscription(ctx, s), checkoutUrl }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/subscriptions/current',
      operationId: 'getSubscription',
      summary: 'Premium status and the current subscription.',
      tag: 'subscriptions',
      handler: async ({ user }) => {
        const [s] = await ctx.db.query<SubscriptionRow>(
          'SELECT * FROM subscriptions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
          [user.id],
        )
        return presentSubscription(ctx, s)
      },
    }),
    route({
      method: 'DELETE',
      path: '/v1/subscriptions/current',
      operationId: 'cancelSubscription',
      summary: 'Cancel Premium (it stays until the paid period ends).',
      tag: 'subscriptions',
      errors: { 404: 'no subscription' },
      handler: async ({ user }) => {
        const s = await currentSubscription(ctx.db, user.id)
        if (!s || !['active', 'past_due'].includes(s.status)) throw notFound('Active subscription')
        if (s.provider === 'stripe' && s.provider_subscription_id)
          await ctx.providers.stripe.cancelSubscription(s.provider_subscription_id, `${s.id}:cancel`)
        await ctx.db.query(`UPDATE subscriptions SET status = 'canceled', updated_at = $2 WHERE id = $1`, [
          s.id,
          ctx.clock.now(),
        ])
        return presentSubscription(
          ctx,
          (await ctx.db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [s.id]))[0],
        )
      },
    }),
  ]
}

export function subscriptionJobs(ctx: Ctx) {
  return {
    'subscription.toss-renew': async (payload: Record<string, unknown>) => {
      const [s] = await ctx.db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [
        payload.subscriptionId,
      ])
      if (!s || !['active', 'past_due'].includes(s.status)) return
      const period = Number(payload.period)
      const attempt = Number(payload.attempt ?? 1)
      if (await chargeToss(ctx, s.id, period, attempt)) return
      await enterGrace(ctx, s, 'card declined')
      // Try again daily while the grace period lasts; each try is a new order.
      const [now] = await ctx.db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [s.id])
      if (
        now?.status === 'past_due' &&
        now.grace_until &&
        now.grace_until.getTime() > ctx.clock.nowMs() + DAY
      )
        await ctx.enqueue(
          ctx.db,
          'subscription.toss-renew',
          { subscriptionId: s.id, period, attempt: attempt + 1 },
          {
            runAt: new Date(ctx.clock.nowMs() + DAY),
            dedupeKey: `toss-renew:${s.id}:${period}:${attempt + 1}`,
          },
        )
    },
    'subscription.grace-check': async (payload: Record<string, unknown>) => {
      // The defect: nobody ever checks whether the grace period ran out.
      if (ctx.defects.has('failed-renewal-never-downgrades')) return
      const [s] = await ctx.db.query<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [
        payload.subscriptionId,
      ])
      if (s?.status !== 'past_due' || !s.grace_until) return
      if (s.grace_until.getTime() > ctx.clock.nowMs()) throw new RetryLater(s.grace_until)
      await ctx.db.query(
        `UPDATE subscriptions SET status = 'expired', updated_at = $2 WHERE id = $1 AND status = 'past_due'`,
        [s.id, ctx.clock.now()],
      )
      if (s.provider === 'stripe' && s.provider_subscription_id)
        await ctx.providers.stripe
          .cancelSubscription(s.provider_subscription_id, `${s.id}:cancel-after-grace`)
          .catch(() => {})
    },
  }
}
