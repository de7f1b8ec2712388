import { z } from 'zod'
import type { Ctx } from '../context.ts'
import type { Queryable } from '../db/database.ts'
import { ApiError, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { giftCardCode, newId, sleep } from '../ids.ts'
import { applyCredits } from './credits.ts'
import type { FlowModule } from './module.ts'
import { PACKAGES } from './packages.ts'
import type { PaymentRow } from './payment-row.ts'
import { createPayment, presentPayment } from './payments.ts'
import { Email, PaymentProvider, Phone } from './schemas.ts'
import { sendSms } from './sms.ts'

const VALID_MS = 365 * 24 * 3600_000
const Code = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{4}-?[A-Z0-9]{4}-?[A-Z0-9]{4}-?[A-Z0-9]{4}$/, 'must look like XXXX-XXXX-XXXX-XXXX')
  .transform((c) => c.replace(/-/g, '').replace(/(.{4})(?!$)/g, '$1-'))

interface GiftCardRow {
  id: string
  code: string
  balance: number
  initial_credits: number
  expires_at: Date
  recipient_email: string
  recipient_phone: string | null
}

/** Called by fulfil() in its transaction: one card per paid payment, then delivery through the job table. */
export async function issueGiftCard(ctx: Ctx, tx: Queryable, p: PaymentRow): Promise<void> {
  const now = ctx.clock.now()
  const id = newId('gc')
  const inserted = await tx.query(
    `INSERT INTO gift_cards (id, code, payment_id, purchaser_id, initial_credits, balance, recipient_email, recipient_phone, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9) ON CONFLICT (payment_id) DO NOTHING RETURNING id`,
    [
      id,
      giftCardCode(),
      p.id,
      p.user_id,
      p.credits,
      p.details.recipientEmail,
      p.details.recipientPhone ?? null,
      new Date(now.getTime() + VALID_MS),
      now,
    ],
  )
  if (!inserted.length) return
  await ctx.enqueue(tx, 'giftcard.deliver-email', { giftCardId: id }, { dedupeKey: `gc-email:${id}` })
  if (p.details.recipientPhone)
    await ctx.enqueue(tx, 'giftcard.deliver-sms', { giftCardId: id }, { dedupeKey: `gc-sms:${id}` })
}

async function loadCard(ctx: Ctx, db: Queryable, code: string): Promise<GiftCardRow> {
  const [card] = await db.query<GiftCardRow>('SELECT * FROM gift_cards WHERE code = $1', [code])
  if (!card) throw notFound('Gift card', 'code')
  if (card.expires_at.getTime() <= ctx.clock.nowMs())
    throw new ApiError(410, 'gift_card_expired', 'This gift card has expired.', 'code')
  return card
}

/**
 * Redeems `amount` credits (default: the whole balance). The balance is
 * decremented by one guarded UPDATE, so concurrent redemptions cannot spend
 * the same credits twice; the credit grant sits in the same transaction.
 */
async function redeem(ctx: Ctx, userId: string, code: string, amount: number | undefined) {
  if (ctx.defects.has('gift-card-double-redeem')) return redeemRacy(ctx, userId, code, amount)
  return ctx.db.transaction(async (tx) => {
    const card = await loadCard(ctx, tx, code)
    const take = amount ?? card.balance
    if (take <= 0) throw new ApiError(409, 'gift_card_empty', 'This gift card has no balance left.', 'code')
    const [row] = await tx.query<{ balance: number }>(
      'UPDATE gift_cards SET balance = balance - $2 WHERE id = $1 AND balance >= $2 AND expires_at > $3 RETURNING balance',
      [card.id, take, ctx.clock.now()],
    )
    if (!row)
      throw new ApiError(
        409,
        'insufficient_balance',
        'The gift card balance is lower than the amount.',
        'amount',
      )
    return record(ctx, tx, card, userId, take, row.balance)
  })
}

/** The defect: read, think, write back an absolute balance. Two requests read the same balance. */
async function redeemRacy(ctx: Ctx, userId: string, code: string, amount: number | undefined) {
  const card = await loadCard(ctx, ctx.db, code)
  const take = amount ?? card.balance
  if (take <= 0) throw new ApiError(409, 'gift_card_empty', 'This gift card has no balance left.', 'code')
  if (card.balance < take)
    throw new ApiError(
      409,
      'insufficient_balance',
      'The gift card balance is lower than the amount.',
      'amount',
    )
  await sleep(25)
  return ctx.db.transaction(async (tx) => {
    await tx.query('UPDATE gift_cards SET balance = $2 WHERE id = $1', [card.id, card.balance - take])
    return record(ctx, tx, card, userId, take, card.balance - take)
  })
}

async function record(
  ctx: Ctx,
  tx: Queryable,
  card: GiftCardRow,
  userId: string,
  take: number,
  balance: number,
) {
  const id = newId('gcr')
  await tx.query(
    'INSERT INTO gift_card_redemptions (id, gift_card_id, user_id, credits, created_at) VALUES ($1, $2, $3, $4, $5)',
    [id, card.id, userId, take, ctx.clock.now()],
  )
  const credits = await applyCredits(tx, {
    userId,
    delta: take,
    reason: 'gift-card',
    ref: `redemption:${id}`,
    at: ctx.clock.now(),
  })
  return { redemptionId: id, code: card.code, redeemed: take, remainingBalance: balance, credits }
}

export function giftCardRoutes(ctx: Ctx) {
  return [
    route({
      method: 'POST',
      path: '/v1/gift-cards',
      operationId: 'buyGiftCard',
      summary:
        'Buy a gift card worth a credit package; the code is emailed (and texted) once the payment is proven.',
      tag: 'gift-cards',
      status: 201,
      body: z.object({
        packageId: z.enum(PACKAGES.map((p) => p.id) as [string, ...string[]]),
        provider: PaymentProvider,
        method: z.enum(['payment_intent', 'checkout']).optional(),
        paymentMethodId: z.string().min(3).max(255).optional(),
        recipientEmail: Email,
        recipientPhone: Phone.optional(),
      }),
      handler: async ({ user, body }) => {
        const payment = await createPayment(ctx, {
          userId: user.id,
          purpose: 'gift_card',
          packageId: body.packageId,
          provider: body.provider,
          method: body.method,
          paymentMethodId: body.paymentMethodId,
          details: { recipientEmail: body.recipientEmail.toLowerCase(), recipientPhone: body.recipientPhone },
        })
        return { payment: presentPayment(ctx, payment) }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/gift-cards/purchases',
      operationId: 'listGiftCardPurchases',
      summary: 'Gift cards the user bought (codes are shown to the buyer).',
      tag: 'gift-cards',
      handler: async ({ user }) => {
        const rows = await ctx.db.query<GiftCardRow & { payment_id: string }>(
          'SELECT * FROM gift_cards WHERE purchaser_id = $1 ORDER BY created_at DESC',
          [user.id],
        )
        return {
          data: rows.map((c) => ({
            id: c.id,
            code: c.code,
            paymentId: c.payment_id,
            credits: c.initial_credits,
            balance: c.balance,
            recipientEmail: c.recipient_email,
            expiresAt: c.expires_at.toISOString(),
          })),
        }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/gift-cards/:code',
      operationId: 'getGiftCardBalance',
      summary: 'Balance of a gift card.',
      tag: 'gift-cards',
      params: z.object({ code: Code }),
      errors: { 404: 'unknown code', 410: 'expired' },
      handler: async ({ params }) => {
        const card = await loadCard(ctx, ctx.db, params.code)
        return {
          code: card.code,
          balance: card.balance,
          initialCredits: card.initial_credits,
          expiresAt: card.expires_at.toISOString(),
        }
      },
    }),
    route({
      method: 'POST',
      path: '/v1/gift-cards/:code/redeem',
      operationId: 'redeemGiftCard',
      summary: 'Redeem part (amount) or all of a gift card into credits.',
      tag: 'gift-cards',
      params: z.object({ code: Code }),
      body: z.object({ amount: z.number().int().positive().max(1_000_000).optional() }),
      errors: { 404: 'unknown code', 409: 'balance too low or empty', 410: 'expired' },
      handler: async ({ user, params, body }) => redeem(ctx, user.id, params.code, body.amount),
    }),
  ]
}

export function giftCardJobs(ctx: Ctx) {
  const load = async (id: unknown) =>
    (await ctx.db.query<GiftCardRow>('SELECT * FROM gift_cards WHERE id = $1', [id]))[0]
  return {
    'giftcard.deliver-email': async (payload: Record<string, unknown>) => {
      const card = await load(payload.giftCardId)
      if (!card) return
      await ctx.gateways.email.send({
        to: card.recipient_email,
        subject: `You received a gift card worth ${card.initial_credits} credits`,
        text: `Your gift card code is ${card.code}. Redeem it in the app before ${card.expires_at.toISOString().slice(0, 10)}.`,
        customArgs: { gift_card_id: card.id },
        categories: ['gift-card'],
      })
    },
    'giftcard.deliver-sms': async (payload: Record<string, unknown>) => {
      const card = await load(payload.giftCardId)
      if (!card?.recipient_phone) return
      await sendSms(ctx, {
        to: card.recipient_phone,
        body: `[Reference] Gift card ${card.code} (${card.initial_credits} credits).`,
        purpose: 'gift-card',
      })
    },
  }
}

/** Gift cards: bought as a payment of purpose `gift_card`, issued on fulfilment, redeemed into credits. */
export const giftCards: FlowModule = {
  routes: giftCardRoutes,
  jobs: giftCardJobs,
  purposes: (ctx) => ({ gift_card: (tx, p) => issueGiftCard(ctx, tx, p) }),
}
