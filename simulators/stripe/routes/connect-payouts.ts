// Connect's payout routes: one resource per file.
import { z } from 'zod'
import { cancelPayout, newPayout } from '../connect-payouts.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { emitEvent } from '../webhooks.ts'
import { meta } from './connect-accounts.ts'
import { find, list, matchesGiven, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

export const payoutRoutes = [
  route({
    operation: 'payouts.create',
    method: 'POST',
    path: '/v1/payouts',
    input: params('POST', '/v1/payouts', {
      ...expandShape,
      ...metadataShape,
      amount: z.number(),
      currency: z.string(),
      description: z.string().optional(),
      method: z.string().optional(),
      statement_descriptor: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const payout = newPayout(source(req, ctx), {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        description: input.description,
        method: input.method,
        statement_descriptor: input.statement_descriptor,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, payout, input.expand)
    },
  }),
  route({
    operation: 'payouts.retrieve',
    method: 'GET',
    path: '/v1/payouts/:payout',
    input: params('GET', '/v1/payouts/{payout}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.payouts, req.params.payout!, 'payout', 'payout'), input.expand),
  }),
  route({
    operation: 'payouts.update',
    method: 'POST',
    path: '/v1/payouts/:payout',
    input: params('POST', '/v1/payouts/{payout}', { ...expandShape, ...metadataShape }),
    handler: (req, ctx, input) => {
      const payout = find(ctx.state.payouts, req.params.payout!, 'payout', 'payout')
      const before = structuredClone(payout) as Record<string, unknown>
      payout.metadata = mergeMetadata(payout.metadata, input.metadata)
      emitEvent(source(req, ctx), 'payout.updated', payout, previousOf(before, payout))
      return respond(req, ctx, payout, input.expand)
    },
  }),
  route({
    operation: 'payouts.cancel',
    method: 'POST',
    path: '/v1/payouts/:payout/cancel',
    input: params('POST', '/v1/payouts/{payout}/cancel', expandShape),
    handler: (req, ctx, input) => {
      const payout = find(ctx.state.payouts, req.params.payout!, 'payout', 'payout')
      cancelPayout(source(req, ctx), payout)
      return respond(req, ctx, payout, input.expand)
    },
  }),
  route({
    operation: 'payouts.list',
    method: 'GET',
    path: '/v1/payouts',
    input: params('GET', '/v1/payouts', { ...listShape, status: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.payouts, input, '/v1/payouts', (p) =>
        matchesGiven(input, p, ['status'] as never),
      ),
  }),
]
