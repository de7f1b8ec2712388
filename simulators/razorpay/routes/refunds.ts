import { checkId } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { type Refund, wireNotes } from '../models.ts'
import { NotesParams, RefundListParams } from '../params.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

function findRefund(ctx: Ctx, id: string): Refund {
  checkId(id, 'rfnd_')
  const found = ctx.state.refunds.get(id)
  if (!found) fail({ description: MESSAGES.idNotFound, field: null })
  return found
}

export const refundRoutes = [
  apiRoute({
    operation: 'refunds.all',
    method: 'GET',
    path: '/v1/refunds',
    input: RefundListParams,
    handler: (_req, ctx, input) => ({ status: 200, body: collection(ctx.state.refunds.all(), input) }),
  }),
  apiRoute({
    operation: 'refunds.fetch',
    method: 'GET',
    path: '/v1/refunds/:id',
    handler: (req, ctx) => ({ status: 200, body: findRefund(ctx, req.params.id!) }),
  }),
  apiRoute({
    operation: 'refunds.edit',
    method: 'PATCH',
    path: '/v1/refunds/:id',
    input: NotesParams,
    handler: (req, ctx, input) => {
      const found = findRefund(ctx, req.params.id!)
      if (input.notes === undefined) invalidParam('The notes field is required.', 'notes')
      found.notes = wireNotes(input.notes)
      return { status: 200, body: found }
    },
  }),
]
