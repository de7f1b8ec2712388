import { z } from 'zod'
import { type Coupon, refreshValidity } from '../discounts.ts'
import { fail, invalidRequest } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { emitEvent } from '../webhooks.ts'
import { find, list, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

/**
 * Coupons: a percentage or an amount off, once, for some months or forever.
 * Deleting one stops new redemptions; discounts already made from it keep
 * applying, as Stripe documents.
 */
export const coupons = [
  route({
    operation: 'coupons.create',
    method: 'POST',
    path: '/v1/coupons',
    input: params('POST', '/v1/coupons', {
      ...expandShape,
      ...metadataShape,
      id: z.string().optional(),
      amount_off: z.number().optional(),
      percent_off: z.number().optional(),
      currency: z.string().optional(),
      duration: z.enum(['forever', 'once', 'repeating']).optional(),
      duration_in_months: z.number().optional(),
      max_redemptions: z.number().optional(),
      redeem_by: z.number().optional(),
      name: z.string().optional(),
      applies_to: z.looseObject({ products: z.array(z.string()).optional() }).optional(),
    }),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      if (input.percent_off === undefined && input.amount_off === undefined)
        invalidRequest('You must pass either `percent_off` or `amount_off`.', 'percent_off')
      if (input.percent_off !== undefined && input.amount_off !== undefined)
        invalidRequest('You may only specify one of these parameters: amount_off, percent_off.', 'amount_off')
      if (input.percent_off !== undefined && (input.percent_off <= 0 || input.percent_off > 100))
        invalidRequest('Invalid percent_off: must be greater than 0 and at most 100.', 'percent_off')
      if (input.amount_off !== undefined && !input.currency)
        invalidRequest('You must pass currency when passing amount_off.', 'currency')
      const duration = input.duration ?? 'once'
      if (duration === 'repeating' && !input.duration_in_months)
        invalidRequest('You must pass duration_in_months when duration is repeating.', 'duration_in_months')
      if (duration !== 'repeating' && input.duration_in_months !== undefined)
        invalidRequest(
          'You may only pass duration_in_months when duration is repeating.',
          'duration_in_months',
        )
      if (input.id && ctx.state.coupons.has(input.id))
        fail(400, {
          type: 'invalid_request_error',
          code: 'resource_already_exists',
          message: 'Coupon already exists.',
          param: 'id',
        })
      const coupon: Coupon = {
        id: input.id ?? ctx.ids.mint('', 8),
        object: 'coupon',
        amount_off: input.amount_off ?? null,
        created: src.at,
        currency: input.currency?.toLowerCase() ?? null,
        duration,
        duration_in_months: input.duration_in_months ?? null,
        livemode: false,
        max_redemptions: input.max_redemptions ?? null,
        metadata: mergeMetadata({}, input.metadata),
        name: input.name ?? null,
        percent_off: input.percent_off ?? null,
        redeem_by: input.redeem_by ?? null,
        times_redeemed: 0,
        valid: true,
        ...(input.applies_to?.products ? { applies_to: { products: input.applies_to.products } } : {}),
      }
      ctx.state.coupons.insert(coupon)
      emitEvent(src, 'coupon.created', coupon)
      return respond(req, ctx, coupon, input.expand)
    },
  }),
  route({
    operation: 'coupons.retrieve',
    method: 'GET',
    path: '/v1/coupons/:coupon',
    input: params('GET', '/v1/coupons/{coupon}', expandShape),
    handler: (req, ctx, input) => {
      const coupon = find(ctx.state.coupons, req.params.coupon!, 'coupon', 'coupon')
      return respond(req, ctx, refreshValidity(coupon, ctx.clock.unix()), input.expand)
    },
  }),
  route({
    operation: 'coupons.update',
    method: 'POST',
    path: '/v1/coupons/:coupon',
    input: params('POST', '/v1/coupons/{coupon}', {
      ...expandShape,
      ...metadataShape,
      name: z.union([z.string(), z.literal('')]).optional(),
    }),
    handler: (req, ctx, input) => {
      const coupon = find(ctx.state.coupons, req.params.coupon!, 'coupon', 'coupon')
      const before = structuredClone(coupon)
      if (input.name !== undefined) coupon.name = input.name || null
      coupon.metadata = mergeMetadata(coupon.metadata, input.metadata)
      const previous = previousOf(before as never, coupon as never)
      if (Object.keys(previous).length > 0) emitEvent(source(req, ctx), 'coupon.updated', coupon, previous)
      return respond(req, ctx, coupon, input.expand)
    },
  }),
  route({
    operation: 'coupons.delete',
    method: 'DELETE',
    path: '/v1/coupons/:coupon',
    handler: (req, ctx) => {
      const coupon = find(ctx.state.coupons, req.params.coupon!, 'coupon', 'coupon')
      ctx.state.coupons.delete(coupon.id)
      coupon._deleted = true
      coupon.valid = false
      emitEvent(source(req, ctx), 'coupon.deleted', coupon)
      return { status: 200, body: { id: coupon.id, object: 'coupon', deleted: true } }
    },
  }),
  route({
    operation: 'coupons.list',
    method: 'GET',
    path: '/v1/coupons',
    input: params('GET', '/v1/coupons', listShape),
    handler: (req, ctx, input) => {
      for (const c of ctx.state.coupons.all()) refreshValidity(c, ctx.clock.unix())
      return list(req, ctx, ctx.state.coupons, input, '/v1/coupons')
    },
  }),
]
