import { z } from 'zod'
import { balanceOf, syncLedger } from '../balance.ts'
import { expandShape, listShape, params } from '../params.ts'
import { find, list, matchesGiven, respond, route } from './shared.ts'

/** `/v1/balance` and `/v1/balance_transactions`: the ledger of balance.ts, read in the request's account. */
export const balance = [
  route({
    operation: 'balance.retrieve',
    method: 'GET',
    path: '/v1/balance',
    input: params('GET', '/v1/balance', expandShape),
    handler: (req, ctx, input) => respond(req, ctx, balanceOf(ctx), input.expand),
  }),
  route({
    operation: 'balance_transactions.retrieve',
    method: 'GET',
    path: '/v1/balance_transactions/:id',
    input: params('GET', '/v1/balance_transactions/{id}', expandShape),
    handler: (req, ctx, input) => {
      syncLedger(ctx)
      return respond(
        req,
        ctx,
        find(ctx.state.balanceTransactions, req.params.id!, 'balance transaction', 'id'),
        input.expand,
      )
    },
  }),
  route({
    operation: 'balance_transactions.list',
    method: 'GET',
    path: '/v1/balance_transactions',
    input: params('GET', '/v1/balance_transactions', {
      ...listShape,
      currency: z.string().optional(),
      payout: z.string().optional(),
      source: z.string().optional(),
      type: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      syncLedger(ctx)
      return list(
        req,
        ctx,
        ctx.state.balanceTransactions,
        input,
        '/v1/balance_transactions',
        (t) =>
          matchesGiven(input, t, ['currency', 'source', 'type'] as never) &&
          (input.payout === undefined || t._payout === input.payout),
      )
    },
  }),
]
