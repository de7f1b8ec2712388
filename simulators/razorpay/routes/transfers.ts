import {
  DirectTransferParams,
  PaymentTransfersParams,
  ReversalParams,
  TransferEditParams,
  TransferListParams,
} from '../billing-params.ts'
import { checkId } from '../codec.ts'
import { fail, MESSAGES } from '../errors.ts'
import {
  directTransfer,
  editHold,
  reverse,
  routeOf,
  type Transfer,
  transferFromPayment,
} from '../transfers.ts'
import { findPayment } from './payments.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

/** Route: transfers from payments and from the balance, settlement holds, reversals (transfers.ts). */

function findTransfer(ctx: Ctx, id: string): Transfer {
  checkId(id, 'trf_')
  const found = routeOf(ctx.state).transfers.get(id)
  if (!found) fail({ description: MESSAGES.idNotFound, field: null })
  return found
}

export const transferRoutes = [
  apiRoute({
    operation: 'payments.transfer',
    method: 'POST',
    path: '/v1/payments/:id/transfers',
    input: PaymentTransfersParams,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      const items = transferFromPayment(ctx, payment, input.transfers ?? [])
      return { status: 200, body: { entity: 'collection', count: items.length, items } }
    },
  }),
  apiRoute({
    operation: 'payments.fetchTransfer',
    method: 'GET',
    path: '/v1/payments/:id/transfers',
    input: TransferListParams,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      return {
        status: 200,
        body: collection(
          routeOf(ctx.state).transfers.filter((t) => t.source === payment.id),
          input,
        ),
      }
    },
  }),
  apiRoute({
    operation: 'transfers.create',
    method: 'POST',
    path: '/v1/transfers',
    input: DirectTransferParams,
    handler: (_req, ctx, input) => ({ status: 200, body: directTransfer(ctx, input) }),
  }),
  apiRoute({
    operation: 'transfers.all',
    method: 'GET',
    path: '/v1/transfers',
    input: TransferListParams,
    handler: (_req, ctx, input) => ({
      status: 200,
      body: collection(routeOf(ctx.state).transfers.all(), input),
    }),
  }),
  apiRoute({
    operation: 'transfers.fetch',
    method: 'GET',
    path: '/v1/transfers/:id',
    handler: (req, ctx) => ({ status: 200, body: findTransfer(ctx, req.params.id!) }),
  }),
  apiRoute({
    operation: 'transfers.edit',
    method: 'PATCH',
    path: '/v1/transfers/:id',
    input: TransferEditParams,
    handler: (req, ctx, input) => {
      const transfer = findTransfer(ctx, req.params.id!)
      editHold(ctx, transfer, input.on_hold, input.on_hold_until)
      return { status: 200, body: transfer }
    },
  }),
  apiRoute({
    operation: 'transfers.reverse',
    method: 'POST',
    path: '/v1/transfers/:id/reversals',
    input: ReversalParams,
    handler: (req, ctx, input) => {
      const transfer = findTransfer(ctx, req.params.id!)
      return { status: 200, body: reverse(ctx, transfer, input.amount, input.notes) }
    },
  }),
  apiRoute({
    operation: 'transfers.fetchReversals',
    method: 'GET',
    path: '/v1/transfers/:id/reversals',
    handler: (req, ctx) => {
      const transfer = findTransfer(ctx, req.params.id!)
      const items = routeOf(ctx.state)
        .reversals.filter((r) => r.transfer_id === transfer.id)
        .reverse()
      return { status: 200, body: { entity: 'collection', count: items.length, items } }
    },
  }),
]
