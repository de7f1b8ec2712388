import { ProviderError } from '../../core/errors.ts'
import type { PlainRequest, PlainResponse } from '../../core/http.ts'
import {
  bankPage,
  dismissedPage,
  errorPage,
  failurePage,
  methodPage,
  type Session,
  successPage,
} from '../checkout/page.ts'
import { checkoutScript } from '../checkout/script.ts'
import { type FailureReason, MESSAGES, paymentFailures } from '../errors.ts'
import { authorizePayment, failPaymentWith, type PaymentDetails, startPayment } from '../lifecycle.ts'
import type { Order, Payment } from '../models.ts'
import { BANKS, lookupCard, UPI_FAILURE, UPI_SUCCESS, VPA } from '../test-values.ts'
import { checkoutSignature } from '../webhooks.ts'
import { type Ctx, route } from './route.ts'

/**
 * The hosted checkout: the browser side of Standard Checkout. No API key is
 * sent by a browser, so these routes skip auth and find their account from
 * the order or payment they open.
 */

type Found<T> = { ctx: Ctx; item: T } | { page: PlainResponse }

function findOrder(ctx: Ctx, orderId: string, keyId: string | undefined): Found<Order> {
  const hit = ctx.store.find((state) => state.orders.get(orderId))
  // An order of another merchant does not exist for this key.
  if (!hit || (keyId !== undefined && keyId !== hit.account))
    return { page: errorPage(400, MESSAGES.idNotFound) }
  return { ctx: ctx.forAccount(hit.account), item: hit.found }
}

/** The first page of a checkout: the payment methods for an order of this key that is not paid yet. */
function openCheckout(ctx: Ctx, id: string, s: Session): PlainResponse {
  const found = findOrder(ctx, id, s.keyId)
  if ('page' in found) return found.page
  if (found.item.status === 'paid') return errorPage(400, MESSAGES.orderPaid)
  return methodPage(found.item, s)
}

function findPayment(ctx: Ctx, paymentId: string): Found<Payment> {
  const hit = ctx.store.find((state) => state.payments.get(paymentId))
  if (!hit) return { page: errorPage(400, MESSAGES.idNotFound) }
  return { ctx: ctx.forAccount(hit.account), item: hit.found }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

/** The session from the query (first page) or the hidden fields (later pages); an unusable callback URL is refused. */
function session(source: unknown): Session | { page: PlainResponse } {
  const s = record(source)
  const prefill = record(s.prefill)
  const callbackUrl = text(s.callback_url)
  const cancelUrl = text(s.cancel_url)
  for (const [name, url] of [
    ['callback_url', callbackUrl],
    ['cancel_url', cancelUrl],
  ] as const) {
    if (url !== undefined && !isHttpUrl(url))
      return { page: errorPage(400, `${name} must be an http(s) URL`) }
  }
  return {
    callbackUrl,
    cancelUrl,
    embedded: s.embedded === '1' || s.embedded === 'true',
    // `key_id` on hosted pages, `key` in checkout.js options.
    keyId: text(s.key_id) ?? text(s.key),
    name: text(s.name) ?? 'Test merchant',
    description: text(s.description),
    email: text(prefill.email) ?? 'gaurav.kumar@example.com',
    contact: text(prefill.contact) ?? '+919999999999',
  }
}

function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol)
  } catch {
    return false
  }
}

/** The customer's input on the method page, or the message to show beside the form. */
function details(body: Record<string, unknown>, s: Session): PaymentDetails | string {
  const base = { email: s.email, contact: s.contact, description: s.description }
  switch (body.method) {
    case 'card': {
      const card = record(body.card)
      const number = (text(card.number) ?? '').replace(/[\s-]/g, '')
      const found = lookupCard(number)
      if (!found) return 'Please enter a valid card number'
      if (!/^(0[1-9]|1[0-2])\s*\/\s*\d{2}$/.test(text(card.expiry) ?? ''))
        return 'Please enter a valid expiry date'
      if (!/^\d{3,4}$/.test(text(card.cvv) ?? '')) return 'Please enter a valid CVV'
      return {
        ...base,
        method: 'card',
        card: {
          number,
          name: text(card.name) ?? '',
          network: found.network,
          type: found.type,
          international: found.international,
          issuer: null,
        },
      }
    }
    case 'upi': {
      const vpa = text(body.vpa) ?? ''
      if (!VPA.test(vpa)) return paymentFailures.invalid_vpa.description
      return { ...base, method: 'upi', vpa }
    }
    case 'netbanking': {
      const bank = text(body.bank) ?? ''
      if (!(bank in BANKS)) return 'Please select a bank'
      return { ...base, method: 'netbanking', bank }
    }
    default:
      return 'Please select a payment method'
  }
}

function succeed(ctx: Ctx, order: Order, payment: Payment, s: Session): PlainResponse {
  authorizePayment(ctx, payment)
  // Signed with the key secret the server side uses, over the order id the server created.
  const signature = checkoutSignature(ctx.state.keySecret ?? '', order.id, payment.id)
  return successPage(order, s, {
    razorpay_payment_id: payment.id,
    razorpay_order_id: order.id,
    razorpay_signature: signature,
  })
}

function failWith(
  ctx: Ctx,
  order: Order,
  payment: Payment,
  s: Session,
  reason: FailureReason,
): PlainResponse {
  const failure = paymentFailures[reason]
  failPaymentWith(ctx, payment, failure)
  return failurePage(order, s, failure, { payment_id: payment.id, order_id: order.id })
}

/** Runs a state change that may be refused (a paid order) and shows Razorpay's words on an error page. */
function guarded(run: () => PlainResponse): PlainResponse {
  try {
    return run()
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error
    const body = error.response.body as { error?: { description?: string } }
    return errorPage(error.response.status, body.error?.description ?? 'Payment failed')
  }
}

const orderId = (req: PlainRequest) => req.params.order_id!

export const checkoutRoutes = [
  route({
    operation: 'checkout.script',
    method: 'GET',
    path: '/v1/checkout.js',
    auth: false,
    handler: (_req, ctx) => ({
      status: 200,
      headers: { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-store' },
      body: checkoutScript(ctx.baseUrl),
    }),
  }),
  route({
    operation: 'checkout.open',
    method: 'GET',
    path: '/checkout/:order_id',
    auth: false,
    handler: (req, ctx) => {
      const s = session(req.query)
      if ('page' in s) return s.page
      return openCheckout(ctx, orderId(req), s)
    },
  }),
  route({
    // Razorpay's Hosted Checkout: the merchant's page POSTs a form (key_id, order_id, callback_url, cancel_url, prefill[...]).
    operation: 'checkout.embedded',
    method: 'POST',
    path: '/v1/checkout/embedded',
    auth: false,
    handler: (req, ctx) => {
      const body = record(req.body)
      const s = session(body)
      if ('page' in s) return s.page
      if (!s.keyId) return errorPage(400, MESSAGES.authMissing)
      return openCheckout(ctx, text(body.order_id) ?? '', s)
    },
  }),
  route({
    operation: 'checkout.pay',
    method: 'POST',
    path: '/checkout/:order_id/pay',
    auth: false,
    handler: (req, ctx) => {
      const body = record(req.body)
      const s = session(body)
      if ('page' in s) return s.page
      const found = findOrder(ctx, orderId(req), s.keyId)
      if ('page' in found) return found.page
      const { ctx: octx, item: order } = found
      const input = details(body, s)
      if (typeof input === 'string') return { ...methodPage(order, s, input), status: 400 }
      return guarded(() => {
        const payment = startPayment(octx, order, input)
        if (input.method === 'upi' && input.vpa === UPI_SUCCESS) return succeed(octx, order, payment, s)
        if (input.method === 'upi' && input.vpa === UPI_FAILURE)
          return failWith(octx, order, payment, s, 'payment_failed')
        const what =
          input.method === 'card'
            ? `${input.card!.network} card ending ${input.card!.number.slice(-4)}`
            : input.method === 'upi'
              ? `UPI collect request to ${input.vpa}`
              : `Netbanking with ${BANKS[input.bank!]}`
        return bankPage(order, payment.id, s, what)
      })
    },
  }),
  route({
    operation: 'checkout.complete',
    method: 'POST',
    path: '/checkout/payments/:payment_id/complete',
    auth: false,
    handler: (req, ctx) => {
      const body = record(req.body)
      const s = session(body)
      if ('page' in s) return s.page
      const found = findPayment(ctx, req.params.payment_id!)
      if ('page' in found) return found.page
      const { ctx: pctx, item: payment } = found
      const order = pctx.state.orders.get(payment.order_id ?? '')
      if (!order) return errorPage(400, MESSAGES.idNotFound)
      if (payment.status !== 'created') return errorPage(400, 'The payment has already been processed')
      const number = pctx.state.cardNumbers.get(payment.id)
      const cardFailure = number ? lookupCard(number)?.failure : undefined
      return guarded(() => {
        switch (body.outcome) {
          case 'success':
            return cardFailure
              ? failWith(pctx, order, payment, s, cardFailure)
              : succeed(pctx, order, payment, s)
          case 'failure':
            return failWith(pctx, order, payment, s, cardFailure ?? 'payment_failed')
          case 'cancel':
            return failWith(pctx, order, payment, s, 'payment_cancelled')
          default:
            return errorPage(400, 'outcome must be success, failure or cancel')
        }
      })
    },
  }),
  route({
    operation: 'checkout.close',
    method: 'POST',
    path: '/checkout/:order_id/cancel',
    auth: false,
    handler: (req, ctx) => {
      const s = session(req.body)
      if ('page' in s) return s.page
      const found = findOrder(ctx, orderId(req), s.keyId)
      if ('page' in found) return found.page
      return dismissedPage(found.item, s, paymentFailures.payment_cancelled)
    },
  }),
]
