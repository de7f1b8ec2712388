import { z } from 'zod'
import type { TaxRate } from '../invoicing.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { emitEvent } from '../webhooks.ts'
import { find, list, matchesGiven, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

/**
 * Tax rates: a percentage, inclusive or exclusive, applied to invoice lines
 * (`tax_rates` on an item, `default_tax_rates` on an invoice or a
 * subscription). Percentage and inclusiveness are fixed once created.
 */
const str = z.union([z.string(), z.literal('')]).optional()

export const taxRates = [
  route({
    operation: 'tax_rates.create',
    method: 'POST',
    path: '/v1/tax_rates',
    input: params('POST', '/v1/tax_rates', {
      ...expandShape,
      ...metadataShape,
      display_name: z.string(),
      inclusive: z.boolean(),
      percentage: z.number(),
      active: z.boolean().optional(),
      country: z.string().optional(),
      description: z.string().optional(),
      jurisdiction: z.string().optional(),
      state: z.string().optional(),
      tax_type: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      const rate: TaxRate = {
        id: ctx.ids.mint('txr_', 24),
        object: 'tax_rate',
        active: input.active ?? true,
        country: input.country ?? null,
        created: src.at,
        description: input.description ?? null,
        display_name: input.display_name,
        effective_percentage: input.percentage,
        inclusive: input.inclusive,
        jurisdiction: input.jurisdiction ?? null,
        jurisdiction_level: null,
        livemode: false,
        metadata: mergeMetadata({}, input.metadata),
        percentage: input.percentage,
        state: input.state ?? null,
        tax_type: input.tax_type ?? null,
      }
      ctx.state.taxRates.insert(rate)
      emitEvent(src, 'tax_rate.created', rate)
      return respond(req, ctx, rate, input.expand)
    },
  }),
  route({
    operation: 'tax_rates.retrieve',
    method: 'GET',
    path: '/v1/tax_rates/:tax_rate',
    input: params('GET', '/v1/tax_rates/{tax_rate}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.taxRates, req.params.tax_rate!, 'tax rate', 'tax_rate'), input.expand),
  }),
  route({
    operation: 'tax_rates.update',
    method: 'POST',
    path: '/v1/tax_rates/:tax_rate',
    input: params('POST', '/v1/tax_rates/{tax_rate}', {
      ...expandShape,
      ...metadataShape,
      active: z.boolean().optional(),
      display_name: z.string().optional(),
      description: str,
      country: str,
      jurisdiction: str,
      state: str,
    }),
    handler: (req, ctx, input) => {
      const rate = find(ctx.state.taxRates, req.params.tax_rate!, 'tax rate', 'tax_rate')
      const before = structuredClone(rate)
      if (input.active !== undefined) rate.active = input.active
      if (input.display_name !== undefined) rate.display_name = input.display_name
      for (const key of ['description', 'country', 'jurisdiction', 'state'] as const)
        if (input[key] !== undefined) rate[key] = input[key] || null
      rate.metadata = mergeMetadata(rate.metadata, input.metadata)
      const previous = previousOf(before as never, rate as never)
      if (Object.keys(previous).length > 0) emitEvent(source(req, ctx), 'tax_rate.updated', rate, previous)
      return respond(req, ctx, rate, input.expand)
    },
  }),
  route({
    operation: 'tax_rates.list',
    method: 'GET',
    path: '/v1/tax_rates',
    input: params('GET', '/v1/tax_rates', {
      ...listShape,
      active: z.boolean().optional(),
      inclusive: z.boolean().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.taxRates, input, '/v1/tax_rates', (r) =>
        matchesGiven(input, r, ['active', 'inclusive']),
      ),
  }),
]
