import type { Ctx } from '../context.ts'
import type { Queryable } from '../db/database.ts'
import { ApiError } from '../errors.ts'
import { newId } from '../ids.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { applyCredits } from './credits.ts'
import { issueGiftCard } from './gift-cards.ts'
import { currencyOf, findPackage } from './packages.ts'
import type { PaymentProvider } from './schemas.ts'

export interface PaymentRow {
  id: string
  user_id: string
  purpose: 'credits' | 'gift_card'
  package_id: string
  credits: number
  amount: number
  currency: string
  provider: PaymentProvider
  method: string
  status: 'created' | 'pending' | 'succeeded' | 'failed' | 'refunding' | 'refunded'
  provider_ref: string | null
  provider_order_id: string | null
  checkout_url: string | null
  client_secret: string | null
  failure_code: string | null
  failure_message: string | null
  details: Record<string, unknown>
  created_at: Date
  updated_at: Date
}

/** The idempotency key of one provider operation on one payment: every retry and the reconcile job reuse it. */
export const idemKey = (paymentId: string, op: string) => `${paymentId}:${op}`

export async function getPayment(db: Queryable, id: string): Promise<PaymentRow | undefined> {
  return (await db.query<PaymentRow>('SELECT * FROM payments WHERE id = $1', [id]))[0]
}

export function presentPayment(ctx: Ctx, p: PaymentRow) {
  const base = {
    id: p.id,
    purpose: p.purpose,
    packageId: p.package_id,
    credits: p.credits,
    amount: p.amount,
    currency: p.currency,
    provider: p.provider,
    method: p.method,
    status: p.status,
    failure: p.failure_code ? { code: p.failure_code, message: p.failure_message } : null,
    createdAt: p.created_at.toISOString(),
  }
  if (p.provider === 'stripe')
    return {
      ...base,
      stripe: {
        paymentIntentId: p.method === 'payment_intent' ? p.provider_ref : null,
        clientSecret: p.client_secret,
        checkoutSessionId: p.method === 'checkout' ? p.provider_ref : null,
        checkoutUrl: p.checkout_url,
      },
    }
  if (p.provider === 'razorpay')
    return {
      ...base,
      razorpay: {
        keyId: ctx.config.razorpay.keyId,
        orderId: p.provider_order_id,
        paymentId: p.provider_ref,
        checkoutUrl: p.checkout_url,
      },
    }
  return {
    ...base,
    toss: {
      clientKey: ctx.config.toss.clientKey,
      orderId: p.provider_order_id,
      orderName: p.details.orderName ?? null,
      paymentKey: p.provider_ref,
      successUrl: `${ctx.publicUrl()}/v1/payments/toss/success`,
      failUrl: `${ctx.publicUrl()}/v1/payments/toss/fail`,
      checkoutUrl: p.checkout_url,
    },
  }
}

export interface CreatePaymentInput {
  userId: string
  purpose: 'credits' | 'gift_card'
  packageId: string
  provider: PaymentProvider
  method?: 'payment_intent' | 'checkout' | undefined
  /** Stripe only: confirm server-side with this PaymentMethod (e.g. pm_card_visa). */
  paymentMethodId?: string | undefined
  details?: Record<string, unknown>
}

/** Creates the payment row and the provider-side object (PaymentIntent/Checkout Session, Razorpay order, Toss order). */
export async function createPayment(ctx: Ctx, input: CreatePaymentInput): Promise<PaymentRow> {
  const pkg = findPackage(input.packageId)
  if (!pkg) throw new ApiError(400, 'invalid_request', `Unknown package '${input.packageId}'.`, 'packageId')
  const currency = currencyOf(input.provider, ctx.config.stripe.currency)
  const method =
    input.provider === 'stripe'
      ? (input.method ?? 'payment_intent')
      : input.provider === 'razorpay'
        ? 'order'
        : 'payment_window'
  const id = newId('pay')
  const now = ctx.clock.now()
  const orderName =
    input.purpose === 'gift_card'
      ? `Gift card: ${pkg.name} (${pkg.credits} credits)`
      : `${pkg.name}: ${pkg.credits} credits`
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO payments (id, user_id, purpose, package_id, credits, amount, currency, provider, method, status, details, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'created', $10, $11, $11)`,
      [
        id,
        input.userId,
        input.purpose,
        pkg.id,
        pkg.credits,
        pkg.prices[currency],
        currency,
        input.provider,
        method,
        JSON.stringify({
          ...input.details,
          orderName,
          // Kept so the reconcile job can replay the create with the very same parameters.
          ...(input.paymentMethodId ? { paymentMethodId: input.paymentMethodId } : {}),
        }),
        now,
      ],
    )
    // Whatever happens next, this job settles the payment if nothing else does.
    await ctx.enqueue(
      tx,
      'payment.reconcile',
      { paymentId: id },
      {
        runAt: new Date(now.getTime() + ctx.config.reconcileAfterMs),
        dedupeKey: `reconcile:${id}`,
        maxAttempts: 50,
      },
    )
  })
  const payment = (await getPayment(ctx.db, id))!
  try {
    if (input.provider === 'stripe') await startStripe(ctx, payment, orderName, input.paymentMethodId)
    else if (input.provider === 'razorpay') await startRazorpay(ctx, payment)
    else await setPending(ctx, id, { provider_order_id: id })
  } catch (error) {
    await providerFailure(ctx, id, error)
  }
  return (await getPayment(ctx.db, id))!
}

async function setPending(
  ctx: Ctx,
  id: string,
  fields: Partial<
    Record<'provider_ref' | 'provider_order_id' | 'checkout_url' | 'client_secret', string | null>
  >,
) {
  const keys = Object.keys(fields) as (keyof typeof fields)[]
  const sets = keys.map((k, i) => `${k} = $${i + 3}`).join(', ')
  await ctx.db.query(
    `UPDATE payments SET status = CASE WHEN status = 'created' THEN 'pending' ELSE status END, updated_at = $2${sets ? `, ${sets}` : ''} WHERE id = $1`,
    [id, ctx.clock.now(), ...keys.map((k) => fields[k])],
  )
}

async function startStripe(ctx: Ctx, p: PaymentRow, orderName: string, paymentMethodId?: string) {
  const metadata = { payment_id: p.id, user_id: p.user_id, purpose: p.purpose }
  if (p.method === 'checkout') {
    const session = await ctx.providers.stripe.createCheckoutSession(
      {
        mode: 'payment',
        client_reference_id: p.id,
        line_items: [
          {
            quantity: 1,
            price_data: { currency: p.currency, unit_amount: p.amount, product_data: { name: orderName } },
          },
        ],
        success_url: `${ctx.publicUrl()}/v1/payments/${p.id}/return?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${ctx.publicUrl()}/v1/payments/${p.id}/return?canceled=1`,
        metadata,
        payment_intent_data: { metadata },
      },
      idemKey(p.id, 'create'),
    )
    return setPending(ctx, p.id, { provider_ref: session.id, checkout_url: session.url ?? null })
  }
  const intent = await ctx.providers.stripe.createPaymentIntent(
    paymentIntentParams(p, orderName, paymentMethodId),
    idemKey(p.id, 'create'),
  )
  await setPending(ctx, p.id, { provider_ref: intent.id, client_secret: intent.client_secret })
  // A synchronous decline is final: the card said no.
  if (intent.status === 'requires_payment_method' && intent.last_payment_error)
    await markFailed(
      ctx,
      p.id,
      intent.last_payment_error.code ?? 'card_declined',
      intent.last_payment_error.message ?? 'declined',
    )
}

/**
 * The PaymentIntent create of a payment. The reconcile job replays it with the
 * same idempotency key, so both must send exactly these parameters: Stripe
 * refuses a key reused with other parameters (idempotency_error).
 */
export function paymentIntentParams(p: PaymentRow, orderName: string, paymentMethodId?: string) {
  return {
    amount: p.amount,
    currency: p.currency,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' as const },
    description: orderName,
    metadata: { payment_id: p.id, user_id: p.user_id, purpose: p.purpose },
    ...(paymentMethodId ? { payment_method: paymentMethodId, confirm: true } : {}),
  }
}

async function startRazorpay(ctx: Ctx, p: PaymentRow) {
  const order = await ctx.providers.razorpay.createOrder({
    amount: p.amount,
    currency: p.currency.toUpperCase(),
    receipt: p.id,
    notes: { payment_id: p.id, user_id: p.user_id },
  })
  await setPending(ctx, p.id, { provider_order_id: order.id })
}

/**
 * A provider call that failed after every retry: a definite refusal fails
 * the payment; an ambiguous outcome (timeout, 5xx) leaves it pending for the
 * reconciliation job, because the provider may have charged.
 */
export async function providerFailure(ctx: Ctx, paymentId: string, error: unknown): Promise<never> {
  const e = error instanceof ProviderCallError ? error : undefined
  if (!e) throw error
  if (e.ambiguous || e.status === 429) {
    await ctx.db.query(
      `UPDATE payments SET status = CASE WHEN status = 'created' THEN 'pending' ELSE status END, failure_code = $2, failure_message = $3, updated_at = $4 WHERE id = $1`,
      [paymentId, 'provider_unavailable', e.message.slice(0, 300), ctx.clock.now()],
    )
    await ctx.db.query(`UPDATE jobs SET run_at = $2 WHERE dedupe_key = $1 AND status = 'queued'`, [
      `reconcile:${paymentId}`,
      new Date(ctx.clock.nowMs() + 1000),
    ])
    throw new ApiError(
      502,
      'provider_unavailable',
      `${e.provider} did not answer; the payment stays pending and will be settled automatically.`,
      undefined,
      { paymentId },
    )
  }
  await markFailed(ctx, paymentId, e.code ?? 'provider_error', e.message)
  throw new ApiError(402, 'payment_failed', e.message, undefined, { paymentId, providerCode: e.code })
}

export async function markFailed(ctx: Ctx, paymentId: string, code: string, message: string): Promise<void> {
  await ctx.db.query(
    `UPDATE payments SET status = 'failed', failure_code = $2, failure_message = $3, updated_at = $4 WHERE id = $1 AND status IN ('created', 'pending')`,
    [paymentId, code, message.slice(0, 300), ctx.clock.now()],
  )
}

/**
 * The one place a payment is fulfilled, after server-side proof (verified
 * webhook, verified checkout signature, Toss confirm, or a provider fetch).
 * Locks the row, flips it to succeeded once, and applies the credit grant by
 * its unique ledger ref: duplicates, retries and restarts grant nothing more.
 */
export async function fulfil(
  ctx: Ctx,
  paymentId: string,
  proof: { source: string; providerRef?: string | undefined; details?: Record<string, unknown> },
): Promise<boolean> {
  const duplicateBug = ctx.defects.has('double-credit-on-duplicate')
  return ctx.db.transaction(async (tx) => {
    const [p] = await tx.query<PaymentRow>('SELECT * FROM payments WHERE id = $1 FOR UPDATE', [paymentId])
    if (!p) return false
    if (!duplicateBug && ['succeeded', 'refunding', 'refunded'].includes(p.status)) return false
    const now = ctx.clock.now()
    await tx.query(
      `UPDATE payments SET status = 'succeeded', succeeded_at = COALESCE(succeeded_at, $2), updated_at = $2,
         provider_ref = COALESCE($3, provider_ref), details = details || $4::jsonb, failure_code = NULL, failure_message = NULL WHERE id = $1`,
      [
        paymentId,
        now,
        proof.providerRef ?? null,
        JSON.stringify({ ...proof.details, fulfilledBy: proof.source }),
      ],
    )
    if (p.purpose === 'gift_card') {
      await issueGiftCard(ctx, tx, p)
      return true
    }
    await applyCredits(tx, {
      userId: p.user_id,
      delta: p.credits,
      reason: `purchase:${p.package_id}`,
      // The ref is what makes the grant exactly-once; the defect drops it.
      ref: duplicateBug ? null : `payment:${p.id}`,
      at: now,
    })
    return true
  })
}
