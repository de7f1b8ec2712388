import { z } from 'zod'
import { expandShape, listShape, params } from '../params.ts'
import { find, list, matchesGiven, respond, route } from './shared.ts'

export const charges = [
  route({
    operation: 'charges.retrieve',
    method: 'GET',
    path: '/v1/charges/:charge',
    input: params('GET', '/v1/charges/{charge}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.charges, req.params.charge!, 'charge', 'id'), input.expand),
  }),
  route({
    operation: 'charges.list',
    method: 'GET',
    path: '/v1/charges',
    input: params('GET', '/v1/charges', {
      ...listShape,
      customer: z.string().optional(),
      payment_intent: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.charges, input, '/v1/charges', (c) =>
        matchesGiven(input, c, ['customer', 'payment_intent']),
      ),
  }),
]
