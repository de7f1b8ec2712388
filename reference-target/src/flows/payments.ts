import type { Ctx, Fulfilment } from '../context.ts'
import { ApiError } from '../errors.ts'
import { newId } from '../ids.ts'
import { ProviderCallError } from '../providers/retry.ts'
import { applyCredits } from './credits.ts'
import { findPackage } from './packages.ts'
import { getPayment, type PaymentRow, type ProviderFields } from './payment-row.ts'
import type { PaymentProvider } from './schemas.ts'

export function presentPayment(ctx: Ctx, p: PaymentRow) {
  return {
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
    ...ctx.gateways.payment[p.provider].present(p, ctx.publicUrl()),
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
  const gateway = ctx.gateways.payment[input.provider]
  const currency = gateway.currency
  const method = gateway.method(input.method)
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
    const started = await gateway.start(payment, {
      orderName,
      paymentMethodId: input.paymentMethodId,
      publicUrl: ctx.publicUrl(),
    })
    await setPending(ctx, id, started.fields)
    if (started.declined) await markFailed(ctx, id, started.declined.code, started.declined.message)
  } catch (error) {
    await providerFailure(ctx, id, error)
  }
  return (await getPayment(ctx.db, id))!
}

async function setPending(ctx: Ctx, id: string, fields: ProviderFields) {
  const keys = Object.keys(fields) as (keyof typeof fields)[]
  const sets = keys.map((k, i) => `${k} = $${i + 3}`).join(', ')
  await ctx.db.query(
    `UPDATE payments SET status = CASE WHEN status = 'created' THEN 'pending' ELSE status END, updated_at = $2${sets ? `, ${sets}` : ''} WHERE id = $1`,
    [id, ctx.clock.now(), ...keys.map((k) => fields[k])],
  )
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

/** A refund the provider confirmed by itself (a webhook) before the refund job recorded it. */
export async function markRefunded(ctx: Ctx, paymentId: string): Promise<void> {
  await ctx.db.query(
    `UPDATE payments SET status = 'refunded', refunded_at = $2, updated_at = $2 WHERE id = $1`,
    [paymentId, ctx.clock.now()],
  )
}

/**
 * The one place a payment is fulfilled, after server-side proof (verified
 * webhook, verified checkout signature, Toss confirm, or a provider fetch).
 * Locks the row, flips it to succeeded once, and delivers what its purpose
 * buys (ctx.purposes): duplicates, retries and restarts deliver nothing more.
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
    const deliver = ctx.purposes[p.purpose]
    if (!deliver) throw new Error(`No fulfilment registered for payment purpose '${p.purpose}'.`)
    await deliver(tx, p, now)
    return true
  })
}

/** The purpose `credits`: the package's credits, granted by a unique ledger ref. */
export function creditPurchase(ctx: Ctx): Fulfilment {
  return (tx, p, at) =>
    applyCredits(tx, {
      userId: p.user_id,
      delta: p.credits,
      reason: `purchase:${p.package_id}`,
      // The ref is what makes the grant exactly-once; the defect drops it.
      ref: ctx.defects.has('double-credit-on-duplicate') ? null : `payment:${p.id}`,
      at,
    }).then(() => undefined)
}
