import { z } from 'zod'
import type { PromotionCode } from '../discounts.ts'
import { fail, invalidRequest } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { emitEvent } from '../webhooks.ts'
import { find, list, matchesGiven, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

/**
 * Promotion codes: customer-facing codes for a coupon. From
 * 2025-09-30.clover a code names its coupon in `promotion[coupon]`
 * (`promotion.coupon` on the object); before, in `coupon`. Both are accepted.
 */
const promotionToCoupon = (value: unknown) => {
  if (!value || typeof value !== 'object' || !('promotion' in value)) return value
  const { promotion, ...rest } = value as { promotion?: { type?: string; coupon?: string } }
  if (promotion?.type !== undefined && promotion.type !== 'coupon')
    invalidRequest('Invalid promotion[type]: must be coupon', 'promotion[type]')
  return promotion?.coupon === undefined ? rest : { ...rest, coupon: promotion.coupon }
}

export const promotionCodes = [
  route({
    operation: 'promotion_codes.create',
    method: 'POST',
    path: '/v1/promotion_codes',
    input: z.preprocess(
      promotionToCoupon,
      params('POST', '/v1/promotion_codes', {
        ...expandShape,
        ...metadataShape,
        coupon: z.string(),
        code: z.string().optional(),
        active: z.boolean().optional(),
        customer: z.string().optional(),
        expires_at: z.number().optional(),
        max_redemptions: z.number().optional(),
        restrictions: z
          .looseObject({
            first_time_transaction: z.boolean().optional(),
            minimum_amount: z.number().optional(),
            minimum_amount_currency: z.string().optional(),
          })
          .optional(),
      }),
    ),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      const coupon = ctx.state.coupons.get(input.coupon)
      if (!coupon)
        fail(400, {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such coupon: '${input.coupon}'`,
          param: 'coupon',
        })
      if (input.customer) find(ctx.state.customers, input.customer, 'customer', 'customer')
      const code = input.code ?? ctx.ids.mint('', 8).toUpperCase()
      if (
        ctx.state.promotionCodes.filter((p) => p.active && p.code.toLowerCase() === code.toLowerCase())
          .length > 0
      )
        invalidRequest(`An active promotion code with \`code: ${code}\` already exists.`, 'code')
      const promo: PromotionCode = {
        id: ctx.ids.mint('promo_', 24),
        object: 'promotion_code',
        active: input.active ?? true,
        code,
        coupon: structuredClone(coupon!),
        promotion: { coupon: coupon!.id, type: 'coupon' },
        created: src.at,
        customer: input.customer ?? null,
        expires_at: input.expires_at ?? null,
        livemode: false,
        max_redemptions: input.max_redemptions ?? null,
        metadata: mergeMetadata({}, input.metadata),
        restrictions: {
          first_time_transaction: input.restrictions?.first_time_transaction ?? false,
          minimum_amount: input.restrictions?.minimum_amount ?? null,
          minimum_amount_currency: input.restrictions?.minimum_amount_currency ?? null,
        },
        times_redeemed: 0,
      }
      ctx.state.promotionCodes.insert(promo)
      emitEvent(src, 'promotion_code.created', promo)
      return respond(req, ctx, promo, input.expand)
    },
  }),
  route({
    operation: 'promotion_codes.retrieve',
    method: 'GET',
    path: '/v1/promotion_codes/:promotion_code',
    input: params('GET', '/v1/promotion_codes/{promotion_code}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.promotionCodes, req.params.promotion_code!, 'promotion code', 'promotion_code'),
        input.expand,
      ),
  }),
  route({
    operation: 'promotion_codes.update',
    method: 'POST',
    path: '/v1/promotion_codes/:promotion_code',
    input: params('POST', '/v1/promotion_codes/{promotion_code}', {
      ...expandShape,
      ...metadataShape,
      active: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const promo = find(
        ctx.state.promotionCodes,
        req.params.promotion_code!,
        'promotion code',
        'promotion_code',
      )
      const before = structuredClone(promo)
      if (input.active !== undefined) promo.active = input.active
      promo.metadata = mergeMetadata(promo.metadata, input.metadata)
      const previous = previousOf(before as never, promo as never)
      if (Object.keys(previous).length > 0)
        emitEvent(source(req, ctx), 'promotion_code.updated', promo, previous)
      return respond(req, ctx, promo, input.expand)
    },
  }),
  route({
    operation: 'promotion_codes.list',
    method: 'GET',
    path: '/v1/promotion_codes',
    input: params('GET', '/v1/promotion_codes', {
      ...listShape,
      active: z.boolean().optional(),
      code: z.string().optional(),
      coupon: z.string().optional(),
      customer: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.promotionCodes,
        input,
        '/v1/promotion_codes',
        (p) =>
          matchesGiven(input, p, ['active', 'code', 'customer']) &&
          (input.coupon === undefined || p.promotion.coupon === input.coupon),
      ),
  }),
]
