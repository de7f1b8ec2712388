// Connect's transfer and transfer-reversal routes: one resource per file.
import { z } from 'zod'
import { newTransfer, reverseTransfer } from '../connect-transfers.ts'
import { invalidRequest } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { emitEvent } from '../webhooks.ts'
import { meta } from './connect-accounts.ts'
import { find, list, matchesGiven, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

export const transferRoutes = [
  route({
    operation: 'transfers.create',
    method: 'POST',
    path: '/v1/transfers',
    input: params('POST', '/v1/transfers', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
      currency: z.string(),
      destination: z.string(),
      description: z.string().optional(),
      transfer_group: z.string().optional(),
      source_transaction: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      if (input.amount === undefined)
        invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing')
      const transfer = newTransfer(source(req, ctx), {
        amount: input.amount!,
        currency: input.currency.toLowerCase(),
        destination: input.destination,
        description: input.description,
        transfer_group: input.transfer_group,
        source_transaction: input.source_transaction,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, transfer, input.expand)
    },
  }),
  route({
    operation: 'transfers.retrieve',
    method: 'GET',
    path: '/v1/transfers/:transfer',
    input: params('GET', '/v1/transfers/{transfer}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.transfers, req.params.transfer!, 'transfer', 'transfer'),
        input.expand,
      ),
  }),
  route({
    operation: 'transfers.update',
    method: 'POST',
    path: '/v1/transfers/:transfer',
    input: params('POST', '/v1/transfers/{transfer}', {
      ...expandShape,
      ...metadataShape,
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.transfer!, 'transfer', 'transfer')
      const before = structuredClone(transfer) as Record<string, unknown>
      if (input.description !== undefined) transfer.description = input.description
      transfer.metadata = mergeMetadata(transfer.metadata, input.metadata)
      emitEvent(source(req, ctx), 'transfer.updated', transfer, previousOf(before, transfer))
      return respond(req, ctx, transfer, input.expand)
    },
  }),
  route({
    operation: 'transfers.list',
    method: 'GET',
    path: '/v1/transfers',
    input: params('GET', '/v1/transfers', {
      ...listShape,
      destination: z.string().optional(),
      transfer_group: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.transfers, input, '/v1/transfers', (t) =>
        matchesGiven(input, t, ['destination', 'transfer_group'] as never),
      ),
  }),
  route({
    operation: 'transfer_reversals.create',
    method: 'POST',
    path: '/v1/transfers/:id/reversals',
    input: params('POST', '/v1/transfers/{id}/reversals', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.id!, 'transfer', 'id')
      const reversal = reverseTransfer(source(req, ctx), transfer, {
        amount: input.amount,
        description: input.description,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, reversal, input.expand)
    },
  }),
  route({
    operation: 'transfer_reversals.list',
    method: 'GET',
    path: '/v1/transfers/:id/reversals',
    input: params('GET', '/v1/transfers/{id}/reversals', listShape),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.id!, 'transfer', 'id')
      const data = transfer.reversals.data as { id: string }[]
      return respond(req, ctx, {
        object: 'list',
        data: data.slice(0, input.limit ?? 10),
        has_more: data.length > (input.limit ?? 10),
        url: `/v1/transfers/${transfer.id}/reversals`,
      })
    },
  }),
  route({
    operation: 'transfer_reversals.retrieve',
    method: 'GET',
    path: '/v1/transfers/:transfer/reversals/:id',
    input: params('GET', '/v1/transfers/{transfer}/reversals/{id}', expandShape),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.transfer!, 'transfer', 'transfer')
      const reversal = (transfer.reversals.data as { id: string }[]).find((r) => r.id === req.params.id)
      if (!reversal) invalidRequest(`No such transfer reversal: '${req.params.id}'`, 'id', 'resource_missing')
      return respond(req, ctx, reversal!, input.expand)
    },
  }),
]
