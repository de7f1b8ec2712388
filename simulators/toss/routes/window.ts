import { z } from 'zod'
import type { PlainRequest, PlainResponse } from '../../core/http.ts'
import type { ProviderContext } from '../../core/provider.ts'
import { messageOf, TossFailure } from '../errors.ts'
import { clientKeyAccount } from '../keys.ts'
import {
  abort,
  authenticate,
  isSettled,
  newPayment,
  type PaymentRecord,
  type TossState,
  WindowMethod,
} from '../models.ts'
import { checkoutPage, errorPage, redirectTo } from '../page.ts'
import { BANKS, cardBehaviour, DEFAULT_CARD, DEFAULT_VALID_HOURS } from '../test-values.ts'
import {
  Amount,
  announce,
  armExpiry,
  MID,
  Money,
  mintPaymentKey,
  OrderId,
  PartAmount,
  route,
} from './shared.ts'

/**
 * The payment window: what `tossPayments.payment({ customerKey }).requestPayment({...})`
 * opens. `GET /v1/payment-window?clientKey=…&method=CARD&amount=…&orderId=…` takes
 * the SDK's parameters, creates the READY payment and redirects to its checkout
 * page (the Payment's `checkout.url`); the customer pays, cancels or fails there
 * and is redirected to successUrl or failUrl exactly as Toss does.
 */

/** v2 SDK method names, and the Korean names the v1 SDK took as requestPayment's first argument. */
const METHOD_ALIASES: Record<string, WindowMethod> = {
  CARD: 'CARD',
  카드: 'CARD',
  TRANSFER: 'TRANSFER',
  계좌이체: 'TRANSFER',
  VIRTUAL_ACCOUNT: 'VIRTUAL_ACCOUNT',
  가상계좌: 'VIRTUAL_ACCOUNT',
  MOBILE_PHONE: 'MOBILE_PHONE',
  휴대폰: 'MOBILE_PHONE',
  CULTURE_GIFT_CERTIFICATE: 'CULTURE_GIFT_CERTIFICATE',
  문화상품권: 'CULTURE_GIFT_CERTIFICATE',
  FOREIGN_EASY_PAY: 'FOREIGN_EASY_PAY',
  해외간편결제: 'FOREIGN_EASY_PAY',
}

const WindowQuery = z.object({
  clientKey: z.string(),
  method: z.string().optional(),
  // v2: amount: { currency: 'KRW', value: 50000 } (amount[value]=…); v1: amount: 50000. USD only for PayPal.
  amount: z.union([
    Amount.transform((value) => ({ value, currency: 'KRW' as const })),
    z.object({ value: Money, currency: z.enum(['KRW', 'USD']).default('KRW') }),
  ]),
  orderId: OrderId,
  orderName: z.string().min(1).max(100),
  successUrl: z.url({ protocol: /^https?$/ }),
  failUrl: z.url({ protocol: /^https?$/ }),
  customerKey: z
    .string()
    .regex(/^[A-Za-z0-9\-_=.@]{2,50}$/)
    .optional(),
  customerName: z.string().max(100).optional(),
  customerEmail: z.string().max(100).optional(),
  customerMobilePhone: z.string().max(20).optional(),
  taxFreeAmount: PartAmount.optional(),
  validHours: z.coerce.number().int().min(1).max(720).optional(),
  virtualAccount: z.object({ validHours: z.coerce.number().int().min(1).max(720).optional() }).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
})

const ORDER_ID_MESSAGE =
  '`orderId`는 영문 대소문자, 숫자, 특수문자(-, _) 만 허용합니다. 6자 이상 64자 이하여야 합니다.'

function openWindow(req: PlainRequest, ctx: ProviderContext<TossState>) {
  const key = clientKeyAccount(req.query.clientKey)
  if (!key) return errorPage(401, 'UNAUTHORIZED_KEY', messageOf('UNAUTHORIZED_KEY'))
  const parsed = WindowQuery.safeParse(req.query)
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'request')
    if (field === 'orderId') return errorPage(400, 'INVALID_ORDER_ID', ORDER_ID_MESSAGE)
    return errorPage(400, 'INVALID_PARAMETERS', `잘못된 파라미터입니다. (${field})`)
  }
  const q = parsed.data
  // Own keys only: 'constructor' or '__proto__' must not resolve to Object's members.
  const method =
    q.method === undefined
      ? null
      : Object.hasOwn(METHOD_ALIASES, q.method)
        ? METHOD_ALIASES[q.method]
        : undefined
  if (method === undefined)
    return errorPage(400, 'INVALID_PARAMETERS', `지원하지 않는 결제수단입니다. (${q.method})`)
  const { value: amount, currency } = q.amount
  // Overseas easy pay (PayPal) is charged in USD; every other method in whole won.
  if ((currency === 'USD') !== (method === 'FOREIGN_EASY_PAY') && !(currency === 'USD' && method === null))
    return errorPage(400, 'INVALID_PARAMETERS', `잘못된 파라미터입니다. (amount.currency)`)
  if (currency === 'KRW' && !Number.isInteger(amount))
    return errorPage(400, 'INVALID_PARAMETERS', '잘못된 파라미터입니다. (amount)')
  if ((q.taxFreeAmount ?? 0) > amount)
    return errorPage(400, 'INVALID_PARAMETERS', '잘못된 파라미터입니다. (taxFreeAmount)')

  const account = ctx.forAccount(key.account)
  const state = account.state
  const previous = state.payments.get(state.orders.get(q.orderId) ?? '')
  if (previous && isSettled(previous.payment))
    return errorPage(400, 'DUPLICATED_ORDER_ID', messageOf('DUPLICATED_ORDER_ID'))

  const now = ctx.clock.now()
  const paymentKey = mintPaymentKey(ctx)
  const record: PaymentRecord = {
    payment: newPayment({
      mId: MID,
      paymentKey,
      orderId: q.orderId,
      orderName: q.orderName,
      amount,
      currency,
      taxFreeAmount: q.taxFreeAmount ?? 0,
      type: 'NORMAL',
      now,
      baseUrl: ctx.baseUrl,
      metadata: q.metadata ?? null,
    }),
    session: {
      family: key.family,
      successUrl: q.successUrl,
      failUrl: q.failUrl,
      customerKey: q.customerKey ?? null,
      customerName: q.customerName ?? null,
      customerMobilePhone: q.customerMobilePhone ?? null,
      requestedMethod: method,
      chosenMethod: method,
      cardNumber: null,
      bankCode: null,
      validHours: q.virtualAccount?.validHours ?? q.validHours ?? DEFAULT_VALID_HOURS,
      authenticatedAt: null,
      failedOnce: false,
    },
  }
  state.payments.set(paymentKey, record)
  state.orders.set(q.orderId, paymentKey)
  armExpiry(ctx, key.account, record)
  return {
    status: 303,
    headers: { location: `/v1/payments/${paymentKey}/checkout`, 'cache-control': 'no-store' },
  }
}

function findAnywhere(ctx: ProviderContext<TossState>, paymentKey: string) {
  return ctx.store.find((state) => state.payments.get(paymentKey))
}

const CheckoutForm = z.object({
  action: z.enum(['pay', 'cancel']),
  method: WindowMethod.optional(),
  cardNumber: z.string().optional(),
  bank: z.string().optional(),
})

const WINDOW_MESSAGES = {
  PAY_PROCESS_CANCELED: '사용자에 의해 결제가 취소되었습니다.',
  PAY_PROCESS_ABORTED: '결제 진행 중 승인에 실패하여 결제가 중단되었습니다.',
  REJECT_CARD_COMPANY: '결제 승인이 거절되었습니다.',
}

function submitWindow(req: PlainRequest, ctx: ProviderContext<TossState>) {
  const found = findAnywhere(ctx, req.params.paymentKey!)
  if (!found) return errorPage(404, 'NOT_FOUND_PAYMENT', messageOf('NOT_FOUND_PAYMENT'))
  const record = found.found
  const { payment, session } = record
  if (payment.status !== 'READY')
    return errorPage(
      409,
      'ALREADY_PROCESSED_PAYMENT',
      `${messageOf('ALREADY_PROCESSED_PAYMENT')} (${payment.status})`,
    )
  const form = CheckoutForm.safeParse(req.body ?? {})
  if (!form.success) return errorPage(400, 'INVALID_PARAMETERS', '잘못된 파라미터입니다.')
  const fail = (code: keyof typeof WINDOW_MESSAGES) =>
    redirectTo(session.failUrl, { code, message: WINDOW_MESSAGES[code], orderId: payment.orderId })

  // Closing or canceling the window changes no status and sends no webhook.
  if (form.data.action === 'cancel') return fail('PAY_PROCESS_CANCELED')

  // A USD payment can only be PayPal; a KRW one never is.
  const method =
    payment.currency === 'USD' ? 'FOREIGN_EASY_PAY' : (session.requestedMethod ?? form.data.method ?? 'CARD')
  if (payment.currency === 'KRW' && method === 'FOREIGN_EASY_PAY')
    return errorPage(400, 'INVALID_PARAMETERS', '해외간편결제는 USD 결제만 가능합니다.')
  // A form posted without the field (not by the page, which pre-fills it) pays with the default card.
  const cardNumber = method === 'CARD' ? (form.data.cardNumber ?? DEFAULT_CARD).replace(/[\s-]/g, '') : null
  if (cardNumber !== null && !/^\d{15,16}$/.test(cardNumber))
    return errorPage(400, 'INVALID_CARD_NUMBER', '카드번호를 다시 확인해주세요.')
  const bank = form.data.bank && Object.hasOwn(BANKS, form.data.bank) ? form.data.bank : null

  const behaviour = cardBehaviour(cardNumber)
  if (behaviour?.stage === 'window') {
    const code = behaviour.code === 'PAY_PROCESS_ABORTED' ? 'PAY_PROCESS_ABORTED' : 'REJECT_CARD_COMPANY'
    abort(record, { code, message: WINDOW_MESSAGES[code] })
    record.timer?.cancel()
    announce(ctx, found.account, record)
    return fail(code)
  }

  authenticate(record, { chosenMethod: method, cardNumber, bankCode: bank }, ctx.clock.now())
  armExpiry(ctx, found.account, record)
  return redirectTo(session.successUrl, {
    paymentType: 'NORMAL',
    orderId: payment.orderId,
    paymentKey: payment.paymentKey,
    amount: String(payment.totalAmount),
  })
}

/** A refused transition inside a hosted page is shown as a page, never as a JSON 500. */
function hosted(handler: (req: PlainRequest, ctx: ProviderContext<TossState>) => PlainResponse) {
  return (req: PlainRequest, ctx: ProviderContext<TossState>): PlainResponse => {
    try {
      return handler(req, ctx)
    } catch (error) {
      if (error instanceof TossFailure) return errorPage(409, error.code, messageOf(error.code))
      throw error
    }
  }
}

export const windowRoutes = [
  route({
    operation: 'window.open',
    method: 'GET',
    path: '/v1/payment-window',
    auth: false,
    handler: openWindow,
  }),
  route({
    operation: 'window.checkout',
    method: 'GET',
    path: '/v1/payments/:paymentKey/checkout',
    auth: false,
    handler: (req, ctx) => {
      const found = findAnywhere(ctx, req.params.paymentKey!)
      if (!found) return errorPage(404, 'NOT_FOUND_PAYMENT', messageOf('NOT_FOUND_PAYMENT'))
      if (found.found.payment.status !== 'READY')
        return errorPage(
          410,
          found.found.payment.status === 'EXPIRED' ? 'EXPIRED_PAYMENT' : 'ALREADY_PROCESSED_PAYMENT',
          `결제창을 열 수 없는 상태입니다. (${found.found.payment.status})`,
        )
      return checkoutPage(found.found)
    },
  }),
  route({
    operation: 'window.submit',
    method: 'POST',
    path: '/v1/payments/:paymentKey/checkout',
    auth: false,
    idempotent: false,
    handler: hosted(submitWindow),
  }),
]
