import { z } from 'zod'
import { fail, invalidRequest } from '../errors.ts'
import type { Price, Product } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  orNull,
  previousOf,
  respond,
  route,
  source,
} from './shared.ts'

const str = z.union([z.string(), z.literal('')]).optional()
const recurring = z.looseObject({
  interval: z.enum(['day', 'week', 'month', 'year']),
  interval_count: z.number().optional(),
  usage_type: z.string().optional(),
})

export function newProduct(
  ctx: StripeContext,
  at: number,
  input: {
    name: string
    description?: string | null | undefined
    metadata?: Record<string, string> | undefined
  },
): Product {
  const product = {
    ...blank('product'),
    id: ctx.ids.mint('prod_', 14),
    object: 'product',
    active: true,
    created: at,
    default_price: null,
    description: input.description ?? null,
    features: [],
    images: [],
    livemode: false,
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    unit_label: null,
    updated: at,
    url: null,
  } as unknown as Product
  return ctx.state.products.insert(product)
}

export interface PriceInput {
  currency: string
  unit_amount?: number | undefined
  product?: string | undefined
  product_data?: { name: string; metadata?: Record<string, string> | undefined } | undefined
  recurring?:
    | {
        interval: 'day' | 'week' | 'month' | 'year'
        interval_count?: number | undefined
        usage_type?: string | undefined
      }
    | undefined
  lookup_key?: string | undefined
  nickname?: string | undefined
  metadata?: Record<string, string> | undefined
}

/** A Price, for the Prices API and for `price_data` in Checkout and Subscriptions. */
export function newPrice(ctx: StripeContext, at: number, input: PriceInput): Price {
  let productId = input.product
  if (productId) find(ctx.state.products, productId, 'product', 'product')
  else if (input.product_data) productId = newProduct(ctx, at, input.product_data).id
  else invalidRequest('Missing required param: product.', 'product', 'parameter_missing')
  if (input.unit_amount === undefined)
    invalidRequest('Missing required param: unit_amount.', 'unit_amount', 'parameter_missing')
  const price = {
    ...blank('price'),
    id: ctx.ids.mint('price_', 24),
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: at,
    currency: input.currency.toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookup_key ?? null,
    metadata: input.metadata ?? {},
    nickname: input.nickname ?? null,
    product: productId!,
    recurring: input.recurring
      ? {
          aggregate_usage: null,
          interval: input.recurring.interval,
          interval_count: input.recurring.interval_count ?? 1,
          usage_type: input.recurring.usage_type ?? 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring ? 'recurring' : 'one_time',
    unit_amount: input.unit_amount!,
    unit_amount_decimal: String(input.unit_amount),
  } as unknown as Price
  return ctx.state.prices.insert(price)
}

export const products = [
  route({
    operation: 'products.create',
    method: 'POST',
    path: '/v1/products',
    input: params('POST', '/v1/products', {
      ...expandShape,
      ...metadataShape,
      name: z.string(),
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const product = newProduct(ctx, ctx.clock.unix(), {
        ...input,
        metadata: input.metadata === '' ? {} : input.metadata,
      })
      emitEvent(source(req, ctx), 'product.created', product)
      return respond(req, ctx, product, input.expand)
    },
  }),
  route({
    operation: 'products.retrieve',
    method: 'GET',
    path: '/v1/products/:id',
    input: params('GET', '/v1/products/{id}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.products, req.params.id!, 'product', 'id'), input.expand),
  }),
  route({
    operation: 'products.update',
    method: 'POST',
    path: '/v1/products/:id',
    input: params('POST', '/v1/products/{id}', {
      ...expandShape,
      ...metadataShape,
      name: z.string().optional(),
      active: z.boolean().optional(),
      description: str,
    }),
    handler: (req, ctx, input) => {
      const product = find(ctx.state.products, req.params.id!, 'product', 'id')
      const before = structuredClone(product)
      if (input.name !== undefined) product.name = input.name
      if (input.active !== undefined) product.active = input.active
      if (input.description !== undefined) product.description = orNull(input.description, null)
      product.metadata = mergeMetadata(product.metadata as Record<string, string>, input.metadata)
      product.updated = ctx.clock.unix()
      emitEvent(source(req, ctx), 'product.updated', product, previousOf(before, product))
      return respond(req, ctx, product, input.expand)
    },
  }),
  route({
    operation: 'products.list',
    method: 'GET',
    path: '/v1/products',
    input: params('GET', '/v1/products', { ...listShape, active: z.boolean().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.products, input, '/v1/products', (p) => matchesGiven(input, p, ['active'])),
  }),
  route({
    operation: 'prices.create',
    method: 'POST',
    path: '/v1/prices',
    input: params('POST', '/v1/prices', {
      ...expandShape,
      ...metadataShape,
      currency: z.string(),
      unit_amount: z.number().optional(),
      product: z.string().optional(),
      product_data: z
        .looseObject({ name: z.string(), metadata: z.record(z.string(), z.string()).optional() })
        .optional(),
      recurring: recurring.optional(),
      lookup_key: z.string().optional(),
      nickname: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      if (input.lookup_key && ctx.state.prices.find((p) => p.lookup_key === input.lookup_key && p.active))
        fail(400, {
          type: 'invalid_request_error',
          message: `A price (\`${ctx.state.prices.find((p) => p.lookup_key === input.lookup_key)!.id}\`) already uses that lookup key.`,
          param: 'lookup_key',
        })
      const price = newPrice(ctx, ctx.clock.unix(), {
        ...input,
        metadata: input.metadata === '' ? {} : input.metadata,
      })
      emitEvent(source(req, ctx), 'price.created', price)
      return respond(req, ctx, price, input.expand)
    },
  }),
  route({
    operation: 'prices.retrieve',
    method: 'GET',
    path: '/v1/prices/:price',
    input: params('GET', '/v1/prices/{price}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.prices, req.params.price!, 'price', 'price'), input.expand),
  }),
  route({
    operation: 'prices.update',
    method: 'POST',
    path: '/v1/prices/:price',
    input: params('POST', '/v1/prices/{price}', {
      ...expandShape,
      ...metadataShape,
      active: z.boolean().optional(),
      lookup_key: z.string().optional(),
      nickname: str,
    }),
    handler: (req, ctx, input) => {
      const price = find(ctx.state.prices, req.params.price!, 'price', 'price')
      const before = structuredClone(price) as Record<string, unknown>
      if (input.active !== undefined) price.active = input.active
      if (input.lookup_key !== undefined) price.lookup_key = input.lookup_key
      if (input.nickname !== undefined) price.nickname = orNull(input.nickname, null)
      price.metadata = mergeMetadata(price.metadata as Record<string, string>, input.metadata)
      emitEvent(source(req, ctx), 'price.updated', price, previousOf(before, price))
      return respond(req, ctx, price, input.expand)
    },
  }),
  route({
    operation: 'prices.list',
    method: 'GET',
    path: '/v1/prices',
    input: params('GET', '/v1/prices', {
      ...listShape,
      product: z.string().optional(),
      active: z.boolean().optional(),
      lookup_keys: z.array(z.string()).optional(),
      type: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.prices,
        input,
        '/v1/prices',
        (p) =>
          matchesGiven(input, p, ['product', 'active', 'type']) &&
          (input.lookup_keys === undefined ||
            (p.lookup_key !== null && input.lookup_keys.includes(p.lookup_key))),
      ),
  }),
]
