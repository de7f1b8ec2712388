import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { isTossErrorCode, messageOf, TossFailure } from '../errors.ts'
import { secretKeyOf } from '../keys.ts'
import {
  abort,
  approve,
  assertConfirmable,
  assertMoney,
  type PaymentRecord,
  type TossState,
} from '../models.ts'
import { BANKS, cardBehaviour, DEFAULT_CARD, issuerOf, maskCard } from '../test-values.ts'
import { kst } from '../time.ts'
import { announce, api, armExpiry, findPayment, Money, route, transactionKey } from './shared.ts'

/**
 * The Payment API: confirm (`POST /v1/payments/confirm`, and the legacy
 * `POST /v1/payments/{paymentKey}`), and lookup by paymentKey or orderId.
 */
const ConfirmBody = z.object({
  paymentKey: z.string().min(1).max(200),
  orderId: z.string().min(1).max(64),
  amount: Money,
})
const LegacyConfirmBody = ConfirmBody.omit({ paymentKey: true })

function confirm(
  ctx: ProviderContext<TossState>,
  family: 'api' | 'widget',
  input: z.output<typeof ConfirmBody>,
) {
  const record = ctx.state.payments.get(input.paymentKey)
  if (!record) throw new TossFailure('NOT_FOUND_PAYMENT_SESSION')
  assertMoney(record.payment, input.amount)
  assertConfirmable(record, input.orderId, input.amount)
  // A widget payment is confirmed with the widget secret key, a window payment with the API one.
  if (family !== record.session.family) throw new TossFailure('FORBIDDEN_REQUEST')
  const method = record.session.chosenMethod ?? 'CARD'
  // Minimums are in won: 100 by card, 200 by account (USD payments have none here).
  if (record.payment.currency === 'KRW' && input.amount < (method === 'CARD' ? 100 : 200))
    throw new TossFailure('BELOW_MINIMUM_AMOUNT')

  const behaviour = method === 'CARD' ? cardBehaviour(record.session.cardNumber) : undefined
  if (behaviour?.stage === 'confirm' && isTossErrorCode(behaviour.code)) {
    const code = behaviour.code
    if (behaviour.once) {
      // A temporary failure: nothing changes, and the next confirm goes through.
      if (!record.session.failedOnce) {
        record.session.failedOnce = true
        throw new TossFailure(code)
      }
    } else {
      abort(record, { code, message: messageOf(code) })
      record.timer?.cancel()
      announce(ctx, ctx.account, record)
      throw new TossFailure(code)
    }
  }

  const now = ctx.clock.now()
  approve(record, now, transactionKey(ctx))
  fillMethodDetails(ctx, record, now)
  record.timer?.cancel()
  if (record.payment.status === 'WAITING_FOR_DEPOSIT')
    armExpiry(ctx, ctx.account, record, record.session.validHours * 3_600_000)
  announce(ctx, ctx.account, record)
  return { status: 200, body: record.payment }
}

/** What the approved method adds to the Payment: card, transfer, virtual account (with its secret) or easy pay. */
function fillMethodDetails(ctx: ProviderContext<TossState>, record: PaymentRecord, now: number): void {
  const p = record.payment
  const s = record.session
  switch (s.chosenMethod ?? 'CARD') {
    case 'CARD': {
      const number = s.cardNumber ?? DEFAULT_CARD
      const issuer = issuerOf(number)
      p.card = {
        amount: p.totalAmount,
        issuerCode: issuer.issuerCode,
        acquirerCode: issuer.acquirerCode,
        number: maskCard(number),
        installmentPlanMonths: 0,
        isInterestFree: false,
        interestPayer: null,
        approveNo: ctx.ids.mint('', 8, 'digits'),
        useCardPoint: false,
        cardType: '신용',
        ownerType: '개인',
        acquireStatus: 'READY',
      }
      break
    }
    case 'TRANSFER':
      p.transfer = { bankCode: s.bankCode ?? '88', settlementStatus: 'INCOMPLETED' }
      break
    case 'VIRTUAL_ACCOUNT':
      // Test-mode virtual accounts start with 'X' and can never receive real money (Toss FAQ).
      p.virtualAccount = {
        accountType: '일반',
        accountNumber: `X${ctx.ids.mint('', 13, 'digits')}`,
        bankCode: s.bankCode && Object.hasOwn(BANKS, s.bankCode) ? s.bankCode : '88',
        customerName: s.customerName ?? '토스',
        depositorName: s.customerName ?? '토스',
        dueDate: kst(now + s.validHours * 3_600_000),
        refundStatus: 'NONE',
        expired: false,
        settlementStatus: 'INCOMPLETED',
        refundReceiveAccount: null,
      }
      p.secret = ctx.ids.mint('ps_', 28)
      break
    case 'MOBILE_PHONE':
      p.mobilePhone = {
        customerMobilePhone: s.customerMobilePhone ?? '01012341234',
        settlementStatus: 'COMPLETED',
        receiptUrl: `https://dashboard.tosspayments.com/receipt/redirection?transactionId=${p.paymentKey}&ref=PX`,
      }
      break
    case 'CULTURE_GIFT_CERTIFICATE':
      p.giftCertificate = { approveNo: ctx.ids.mint('', 8, 'digits'), settlementStatus: 'COMPLETED' }
      break
    case 'FOREIGN_EASY_PAY':
      p.easyPay = { provider: 'PAYPAL', amount: p.totalAmount, discountAmount: 0 }
      break
  }
  p.receipt = {
    url: `https://dashboard.tosspayments.com/receipt/redirection?transactionId=${p.paymentKey}&ref=PX`,
  }
}

export const paymentRoutes = [
  route({
    operation: 'payments.confirm',
    method: 'POST',
    path: '/v1/payments/confirm',
    input: ConfirmBody,
    handler: api((req, ctx, input) => confirm(ctx, secretKeyOf(req).family, input)),
  }),
  route({
    operation: 'payments.retrieveByOrderId',
    method: 'GET',
    path: '/v1/payments/orders/:orderId',
    handler: api((req, ctx) => {
      const paymentKey = ctx.state.orders.get(req.params.orderId!)
      if (!paymentKey) throw new TossFailure('NOT_FOUND_PAYMENT')
      return { status: 200, body: findPayment(ctx.state, paymentKey).payment }
    }),
  }),
  route({
    operation: 'payments.retrieve',
    method: 'GET',
    path: '/v1/payments/:paymentKey',
    handler: api((req, ctx) => ({
      status: 200,
      body: findPayment(ctx.state, req.params.paymentKey!).payment,
    })),
  }),
  route({
    // The confirm of older SDK integrations (Toss's ASP sample): the paymentKey in the path.
    operation: 'payments.confirmLegacy',
    method: 'POST',
    path: '/v1/payments/:paymentKey',
    input: LegacyConfirmBody,
    handler: api((req, ctx, input) =>
      confirm(ctx, secretKeyOf(req).family, { ...input, paymentKey: req.params.paymentKey! }),
    ),
  }),
]
