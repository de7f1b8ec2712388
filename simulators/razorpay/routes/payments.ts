import { checkId, expansions } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { capturePayment, refund } from '../lifecycle.ts'
import { type Payment, wireNotes } from '../models.ts'
import {
  CaptureParams,
  NotesParams,
  PaymentFetchParams,
  PaymentListParams,
  RefundCreateParams,
  RefundListParams,
} from '../params.ts'
import { reverseForRefund } from '../transfers.ts'
import { paymentForEvent } from '../webhooks.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

export function findPayment(ctx: Ctx, id: string): Payment {
  checkId(id, 'pay_')
  const payment = ctx.state.payments.get(id)
  if (!payment) fail({ description: MESSAGES.idNotFound, field: null })
  return payment
}

/** `expand[]=card` inlines the card object, as the fetch reference shows. */
function expanded(ctx: Ctx, payment: Payment, expand: string[]): Payment {
  return expand.includes('card') ? paymentForEvent(ctx.state, payment) : payment
}

export const paymentRoutes = [
  apiRoute({
    operation: 'payments.list',
    method: 'GET',
    path: '/v1/payments',
    input: PaymentListParams,
    handler: (_req, ctx, input) => {
      const page = collection(ctx.state.payments.all(), input)
      const expand = expansions(input)
      return { status: 200, body: { ...page, items: page.items.map((p) => expanded(ctx, p, expand)) } }
    },
  }),
  apiRoute({
    operation: 'payments.fetch',
    method: 'GET',
    path: '/v1/payments/:id',
    input: PaymentFetchParams,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      return { status: 200, body: expanded(ctx, payment, expansions(input)) }
    },
  }),
  apiRoute({
    operation: 'payments.edit',
    method: 'PATCH',
    path: '/v1/payments/:id',
    input: NotesParams,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      if (input.notes === undefined) invalidParam('The notes field is required.', 'notes')
      payment.notes = wireNotes(input.notes)
      return { status: 200, body: payment }
    },
  }),
  apiRoute({
    operation: 'payments.capture',
    method: 'POST',
    path: '/v1/payments/:id/capture',
    input: CaptureParams,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      capturePayment(ctx, payment, input.amount!, input.currency)
      return { status: 200, body: payment }
    },
  }),
  apiRoute({
    operation: 'payments.refund',
    method: 'POST',
    path: '/v1/payments/:id/refund',
    input: RefundCreateParams,
    // X-Refund-Idempotency (index.ts) applies here only.
    idempotent: true,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      if (input.amount !== undefined && input.amount < 100)
        invalidParam('The amount must be at least INR 1.00.', 'amount')
      const { reverse_all: reverseAll, ...refundInput } = input
      if (reverseAll) reverseForRefund(ctx, payment, input.amount)
      return { status: 200, body: refund(ctx, payment, refundInput) }
    },
  }),
  apiRoute({
    operation: 'payments.fetchMultipleRefund',
    method: 'GET',
    path: '/v1/payments/:id/refunds',
    input: RefundListParams,
    handler: (req, ctx, input) => {
      const payment = findPayment(ctx, req.params.id!)
      return {
        status: 200,
        body: collection(
          ctx.state.refunds.filter((r) => r.payment_id === payment.id),
          input,
        ),
      }
    },
  }),
  apiRoute({
    operation: 'payments.fetchRefund',
    method: 'GET',
    path: '/v1/payments/:id/refunds/:refund',
    handler: (req, ctx) => {
      const payment = findPayment(ctx, req.params.id!)
      checkId(req.params.refund!, 'rfnd_')
      const found = ctx.state.refunds.get(req.params.refund!)
      if (!found || found.payment_id !== payment.id) fail({ description: MESSAGES.idNotFound, field: null })
      return { status: 200, body: found }
    },
  }),
  apiRoute({
    operation: 'payments.fetchCardDetails',
    method: 'GET',
    path: '/v1/payments/:id/card',
    handler: (req, ctx) => {
      const payment = findPayment(ctx, req.params.id!)
      const card = payment.card_id ? ctx.state.cards.get(payment.card_id) : undefined
      if (!card) fail({ description: 'The payment method is not card', field: null })
      return { status: 200, body: card }
    },
  }),
]
