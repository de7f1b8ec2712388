import { z } from 'zod'
import type { Plan } from '../billing-objects.ts'
import { fail, invalidRequest } from '../errors.ts'
import type { Price } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import type { StripeContext } from '../state.ts'
import { emitEvent } from '../webhooks.ts'
import { newPrice } from './products.ts'
import { find, list, matchesGiven, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

export type { Plan }

function syncPrice(ctx: StripeContext, plan: Plan): void {
  const price = ctx.state.prices.get(plan.id)
  if (!price) return
  price.active = plan.active
  ;(price as Price & { nickname: string | null }).nickname = plan.nickname
  price.metadata = { ...plan.metadata }
}

export const plans = [
  route({
    operation: 'plans.create',
    method: 'POST',
    path: '/v1/plans',
    input: params('POST', '/v1/plans', {
      ...expandShape,
      ...metadataShape,
      id: z.string().optional(),
      active: z.boolean().optional(),
      amount: z.number().optional(),
      currency: z.string(),
      interval: z.enum(['day', 'week', 'month', 'year']),
      interval_count: z.number().optional(),
      nickname: z.string().optional(),
      product: z.union([z.string(), z.looseObject({ name: z.string() })]).optional(),
      trial_period_days: z.number().optional(),
      usage_type: z.enum(['licensed', 'metered']).optional(),
      billing_scheme: z.enum(['per_unit', 'tiered']).optional(),
    }),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      if (input.billing_scheme === 'tiered')
        invalidRequest('standin does not simulate tiered plans.', 'billing_scheme')
      if (input.amount === undefined)
        invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing')
      if (!input.product) invalidRequest('Missing required param: product.', 'product', 'parameter_missing')
      if (input.id && (ctx.state.plans.has(input.id) || ctx.state.prices.has(input.id)))
        fail(400, {
          type: 'invalid_request_error',
          code: 'resource_already_exists',
          message: 'Plan already exists.',
          param: 'id',
        })
      const metadata = mergeMetadata({}, input.metadata)
      const price = newPrice(ctx, src.at, {
        currency: input.currency,
        unit_amount: input.amount,
        ...(typeof input.product === 'string' ? { product: input.product } : { product_data: input.product }),
        recurring: {
          interval: input.interval,
          interval_count: input.interval_count,
          usage_type: input.usage_type,
        },
        nickname: input.nickname,
        metadata,
      })
      if (input.id) {
        ctx.state.prices.delete(price.id)
        price.id = input.id
        ctx.state.prices.insert(price)
      }
      const plan: Plan = {
        id: price.id,
        object: 'plan',
        active: input.active ?? true,
        aggregate_usage: null,
        amount: input.amount!,
        amount_decimal: String(input.amount),
        billing_scheme: 'per_unit',
        created: src.at,
        currency: price.currency,
        interval: input.interval,
        interval_count: input.interval_count ?? 1,
        livemode: false,
        metadata,
        nickname: input.nickname ?? null,
        product: price.product,
        tiers_mode: null,
        transform_usage: null,
        trial_period_days: input.trial_period_days ?? null,
        usage_type: input.usage_type ?? 'licensed',
      }
      ctx.state.plans.insert(plan)
      syncPrice(ctx, plan)
      emitEvent(src, 'plan.created', plan)
      emitEvent(src, 'price.created', price)
      return respond(req, ctx, plan, input.expand)
    },
  }),
  route({
    operation: 'plans.retrieve',
    method: 'GET',
    path: '/v1/plans/:plan',
    input: params('GET', '/v1/plans/{plan}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.plans, req.params.plan!, 'plan', 'plan'), input.expand),
  }),
  route({
    operation: 'plans.update',
    method: 'POST',
    path: '/v1/plans/:plan',
    input: params('POST', '/v1/plans/{plan}', {
      ...expandShape,
      ...metadataShape,
      active: z.boolean().optional(),
      nickname: z.string().optional(),
      product: z.string().optional(),
      trial_period_days: z.number().optional(),
    }),
    handler: (req, ctx, input) => {
      const plan = find(ctx.state.plans, req.params.plan!, 'plan', 'plan')
      const before = structuredClone(plan)
      if (input.product !== undefined) {
        find(ctx.state.products, input.product, 'product', 'product')
        plan.product = input.product
        const price = ctx.state.prices.get(plan.id)
        if (price) price.product = input.product
      }
      if (input.active !== undefined) plan.active = input.active
      if (input.nickname !== undefined) plan.nickname = input.nickname || null
      if (input.trial_period_days !== undefined) plan.trial_period_days = input.trial_period_days
      plan.metadata = mergeMetadata(plan.metadata, input.metadata)
      syncPrice(ctx, plan)
      const previous = previousOf(before as never, plan as never)
      if (Object.keys(previous).length > 0) emitEvent(source(req, ctx), 'plan.updated', plan, previous)
      return respond(req, ctx, plan, input.expand)
    },
  }),
  route({
    operation: 'plans.delete',
    method: 'DELETE',
    path: '/v1/plans/:plan',
    handler: (req, ctx) => {
      const plan = find(ctx.state.plans, req.params.plan!, 'plan', 'plan')
      ctx.state.plans.delete(plan.id)
      // The price behind it stays (subscriptions on it keep renewing) but can no longer be used for new ones.
      const price = ctx.state.prices.get(plan.id)
      if (price) price.active = false
      emitEvent(source(req, ctx), 'plan.deleted', plan)
      return { status: 200, body: { id: plan.id, object: 'plan', deleted: true } }
    },
  }),
  route({
    operation: 'plans.list',
    method: 'GET',
    path: '/v1/plans',
    input: params('GET', '/v1/plans', {
      ...listShape,
      active: z.boolean().optional(),
      product: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.plans, input, '/v1/plans', (p) =>
        matchesGiven(input, p, ['active', 'product']),
      ),
  }),
]
