// Connect's application fee and fee refund routes: one resource per file.
import { z } from 'zod'
import { refundApplicationFee } from '../connect-fees.ts'
import { resourceMissing } from '../errors.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { meta } from './connect-accounts.ts'
import { find, list, matchesGiven, respond, route, source } from './shared.ts'

export const applicationFeeRoutes = [
  route({
    operation: 'application_fees.retrieve',
    method: 'GET',
    path: '/v1/application_fees/:id',
    input: params('GET', '/v1/application_fees/{id}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.applicationFees, req.params.id!, 'application fee', 'id'),
        input.expand,
      ),
  }),
  route({
    operation: 'application_fee_refunds.create',
    method: 'POST',
    path: '/v1/application_fees/:id/refunds',
    input: params('POST', '/v1/application_fees/{id}/refunds', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
    }),
    handler: (req, ctx, input) => {
      const fee = find(ctx.state.applicationFees, req.params.id!, 'application fee', 'id')
      const refund = refundApplicationFee(source(req, ctx), fee as never, {
        amount: input.amount,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, refund, input.expand)
    },
  }),
  route({
    operation: 'application_fee_refunds.list',
    method: 'GET',
    path: '/v1/application_fees/:id/refunds',
    input: params('GET', '/v1/application_fees/{id}/refunds', listShape),
    handler: (req, ctx, input) => {
      const fee = find(ctx.state.applicationFees, req.params.id!, 'application fee', 'id')
      const data = (fee.refunds as { data: { id: string }[] }).data
      const limit = input.limit ?? 10
      return respond(req, ctx, {
        object: 'list',
        data: data.slice(0, limit),
        has_more: data.length > limit,
        url: `/v1/application_fees/${fee.id}/refunds`,
      })
    },
  }),
  route({
    operation: 'application_fee_refunds.retrieve',
    method: 'GET',
    path: '/v1/application_fees/:fee/refunds/:id',
    input: params('GET', '/v1/application_fees/{fee}/refunds/{id}', expandShape),
    handler: (req, ctx, input) => {
      const fee = find(ctx.state.applicationFees, req.params.fee!, 'application fee', 'fee')
      const refund = (fee.refunds as { data: { id: string }[] }).data.find((r) => r.id === req.params.id)
      if (!refund) resourceMissing('fee refund', req.params.id!, 'id')
      return respond(req, ctx, refund!, input.expand)
    },
  }),
  route({
    operation: 'application_fees.list',
    method: 'GET',
    path: '/v1/application_fees',
    input: params('GET', '/v1/application_fees', { ...listShape, charge: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.applicationFees, input, '/v1/application_fees', (f) =>
        matchesGiven(input, f, ['charge'] as never),
      ),
  }),
]
