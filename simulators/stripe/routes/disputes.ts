import { z } from 'zod'
import { closeDispute, updateDispute } from '../disputes.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { find, list, matchesGiven, mergeMetadata, respond, route, source } from './shared.ts'

/** Disputes: retrieve, update (evidence, metadata, submit), close, list. They are raised by test cards (disputes.ts). */
export const disputes = [
  route({
    operation: 'disputes.retrieve',
    method: 'GET',
    path: '/v1/disputes/:dispute',
    input: params('GET', '/v1/disputes/{dispute}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.disputes, req.params.dispute!, 'dispute', 'dispute'), input.expand),
  }),
  route({
    operation: 'disputes.update',
    method: 'POST',
    path: '/v1/disputes/:dispute',
    input: params('POST', '/v1/disputes/{dispute}', {
      ...expandShape,
      ...metadataShape,
      evidence: z.union([z.record(z.string(), z.unknown()), z.literal('')]).optional(),
      submit: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const dispute = find(ctx.state.disputes, req.params.dispute!, 'dispute', 'dispute')
      updateDispute(source(req, ctx), dispute, {
        evidence: input.evidence,
        metadata:
          input.metadata === undefined
            ? undefined
            : mergeMetadata(dispute.metadata as Record<string, string>, input.metadata),
        submit: input.submit,
      })
      return respond(req, ctx, dispute, input.expand)
    },
  }),
  route({
    operation: 'disputes.close',
    method: 'POST',
    path: '/v1/disputes/:dispute/close',
    input: params('POST', '/v1/disputes/{dispute}/close', expandShape),
    handler: (req, ctx, input) => {
      const dispute = find(ctx.state.disputes, req.params.dispute!, 'dispute', 'dispute')
      closeDispute(source(req, ctx), dispute)
      return respond(req, ctx, dispute, input.expand)
    },
  }),
  route({
    operation: 'disputes.list',
    method: 'GET',
    path: '/v1/disputes',
    input: params('GET', '/v1/disputes', {
      ...listShape,
      charge: z.string().optional(),
      payment_intent: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.disputes, input, '/v1/disputes', (d) =>
        matchesGiven(input, d, ['charge', 'payment_intent'] as never),
      ),
  }),
]
