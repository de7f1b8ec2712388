import { checkId, expansions } from '../codec.ts'
import { fail, invalidParam, MESSAGES } from '../errors.ts'
import { type Order, wireNotes } from '../models.ts'
import { NotesParams, OrderCreateParams, OrderListParams } from '../params.ts'
import { SUPPORTED_CURRENCIES } from '../test-values.ts'
import { apiRoute, type Ctx, collection } from './route.ts'

/** The largest order a default merchant account may create (₹5,00,000). */
export const MAX_ORDER_AMOUNT = 50_000_000

export function findOrder(ctx: Ctx, id: string): Order {
  checkId(id, 'order_')
  const order = ctx.state.orders.get(id)
  if (!order) fail({ description: MESSAGES.idNotFound, field: null })
  return order
}

function withPayments(ctx: Ctx, order: Order) {
  const items = ctx.state.payments.filter((p) => p.order_id === order.id).reverse()
  return { ...order, payments: { entity: 'collection', count: items.length, items } }
}

export const orderRoutes = [
  apiRoute({
    operation: 'orders.create',
    method: 'POST',
    path: '/v1/orders',
    input: OrderCreateParams,
    handler: (_req, ctx, input) => {
      const currency = input.currency!
      if (!SUPPORTED_CURRENCIES.has(currency)) fail({ description: 'Currency is not supported' })
      const amount = input.amount!
      if (amount < 100) invalidParam(`The amount must be at least ${currency} 1.00`, 'amount')
      if (amount > MAX_ORDER_AMOUNT) invalidParam('Amount exceeds maximum amount allowed.', 'amount')
      const order = ctx.state.orders.insert({
        id: ctx.ids.mint('order_', 14),
        entity: 'order',
        amount,
        amount_paid: 0,
        amount_due: amount,
        currency,
        receipt: input.receipt ?? null,
        offer_id: null,
        status: 'created',
        attempts: 0,
        notes: wireNotes(input.notes),
        created_at: ctx.clock.unix(),
      })
      const capture = input.payment?.capture ?? (input.payment_capture === false ? 'manual' : 'automatic')
      ctx.state.captureMode.set(order.id, capture)
      return { status: 200, body: order }
    },
  }),
  apiRoute({
    operation: 'orders.list',
    method: 'GET',
    path: '/v1/orders',
    input: OrderListParams,
    handler: (_req, ctx, input) => {
      const authorizedOrders = new Set(
        ctx.state.payments.filter((p) => p.status === 'authorized').map((p) => p.order_id),
      )
      const orders = ctx.state.orders.filter(
        (o) =>
          (input.receipt === undefined || o.receipt === input.receipt) &&
          (input.authorized === undefined || authorizedOrders.has(o.id) === input.authorized),
      )
      const page = collection(orders, input)
      const expand = expansions(input)
      if (expand.includes('payments')) page.items = page.items.map((o) => withPayments(ctx, o))
      return { status: 200, body: page }
    },
  }),
  apiRoute({
    operation: 'orders.fetch',
    method: 'GET',
    path: '/v1/orders/:id',
    handler: (req, ctx) => ({ status: 200, body: findOrder(ctx, req.params.id!) }),
  }),
  apiRoute({
    operation: 'orders.edit',
    method: 'PATCH',
    path: '/v1/orders/:id',
    input: NotesParams,
    handler: (req, ctx, input) => {
      const order = findOrder(ctx, req.params.id!)
      if (input.notes === undefined) invalidParam('The notes field is required.', 'notes')
      order.notes = wireNotes(input.notes)
      return { status: 200, body: order }
    },
  }),
  apiRoute({
    operation: 'orders.fetchPayments',
    method: 'GET',
    path: '/v1/orders/:id/payments',
    handler: (req, ctx) => {
      const order = findOrder(ctx, req.params.id!)
      const items = ctx.state.payments.filter((p) => p.order_id === order.id).reverse()
      return { status: 200, body: { entity: 'collection', count: items.length, items } }
    },
  }),
]
