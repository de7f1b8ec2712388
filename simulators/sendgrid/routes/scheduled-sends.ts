import { z } from 'zod'
import { fail, MESSAGES, sgError } from '../errors.ts'
import { settleBatch } from '../scheduled-sends.ts'
import { body, noContent, parse, sgRoute } from './common.ts'

/** `/v3/user/scheduled_sends`: cancel or pause every scheduled send of a `batch_id`. */
const Status = z.enum(['pause', 'cancel'])

export const scheduledSends = [
  sgRoute({
    operation: 'user.scheduled_sends.create',
    method: 'POST',
    path: '/v3/user/scheduled_sends',
    handler: (req, ctx) => {
      const input = parse(z.object({ batch_id: z.string().regex(/^[a-zA-Z0-9]/), status: Status }), body(req))
      if (!ctx.state.batches.has(input.batch_id)) fail(sgError(400, 'invalid batch id', 'batch_id'))
      // A batch already paused or cancelled changes only through PATCH or DELETE.
      if (ctx.state.scheduledSends.has(input.batch_id))
        fail(sgError(400, 'batch id already has a status: update or delete it instead', 'batch_id'))
      ctx.state.scheduledSends.set(input.batch_id, input.status)
      settleBatch(ctx, input.batch_id)
      return { status: 201, body: { batch_id: input.batch_id, status: input.status } }
    },
  }),
  sgRoute({
    operation: 'user.scheduled_sends.list',
    method: 'GET',
    path: '/v3/user/scheduled_sends',
    handler: (_req, ctx) => ({
      status: 200,
      body: [...ctx.state.scheduledSends].map(([batch_id, status]) => ({ batch_id, status })),
    }),
  }),
  sgRoute({
    operation: 'user.scheduled_sends.get',
    method: 'GET',
    path: '/v3/user/scheduled_sends/:batch_id',
    handler: (req, ctx) => {
      const status = ctx.state.scheduledSends.get(req.params.batch_id!)
      return { status: 200, body: status ? [{ batch_id: req.params.batch_id!, status }] : [] }
    },
  }),
  sgRoute({
    operation: 'user.scheduled_sends.update',
    method: 'PATCH',
    path: '/v3/user/scheduled_sends/:batch_id',
    handler: (req, ctx) => {
      const id = req.params.batch_id!
      const input = parse(z.object({ status: Status }), body(req))
      if (!ctx.state.scheduledSends.has(id)) fail(sgError(404, MESSAGES.notFound))
      ctx.state.scheduledSends.set(id, input.status)
      settleBatch(ctx, id)
      return noContent()
    },
  }),
  sgRoute({
    operation: 'user.scheduled_sends.delete',
    method: 'DELETE',
    path: '/v3/user/scheduled_sends/:batch_id',
    handler: (req, ctx) => {
      const id = req.params.batch_id!
      if (!ctx.state.scheduledSends.delete(id)) fail(sgError(404, MESSAGES.notFound))
      settleBatch(ctx, id)
      return noContent()
    },
  }),
]
