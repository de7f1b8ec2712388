import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { isTossErrorCode, messageOf, TossFailure } from '../errors.ts'
import {
  type Billing,
  type BillingRecord,
  isSettled,
  newPayment,
  type PaymentRecord,
  type TossState,
} from '../models.ts'
import { cardBehaviour, issuerOf, maskCard } from '../test-values.ts'
import { kst } from '../time.ts'
import { Amount, api, MID, mintPaymentKey, OrderId, PartAmount, route, transactionKey } from './shared.ts'

/**
 * Automatic payments: issue a billing key (from the billing window's one-time
 * authKey, or from card details), then charge it with `POST /v1/billing/{billingKey}`.
 * A charge is approved synchronously and sends no webhook, as at Toss.
 */
const CustomerKey = z.string().regex(/^[A-Za-z0-9\-_=.@]{2,50}$/)

const IssueBody = z.object({ authKey: z.string().min(1).max(300), customerKey: CustomerKey })

const CardIssueBody = z.object({
  customerKey: CustomerKey,
  cardNumber: z.string().regex(/^\d{15,16}$/),
  cardExpirationYear: z.string().regex(/^\d{2}$/),
  cardExpirationMonth: z.string().regex(/^(0[1-9]|1[0-2])$/),
  customerIdentityNumber: z.string().regex(/^(\d{6}|\d{10})$/),
  cardPassword: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  customerName: z.string().max(100).optional(),
  customerEmail: z.string().max(100).optional(),
})

const ChargeBody = z.object({
  customerKey: CustomerKey,
  amount: Amount,
  orderId: OrderId,
  orderName: z.string().min(1).max(100),
  customerEmail: z.string().max(100).optional(),
  customerName: z.string().max(100).optional(),
  customerMobilePhone: z.string().max(20).optional(),
  taxFreeAmount: PartAmount.optional(),
  taxExemptionAmount: PartAmount.optional(),
  cardInstallmentPlan: z.number().int().min(0).max(12).nullable().optional(),
})

function issueBilling(ctx: ProviderContext<TossState>, customerKey: string, cardNumber: string): Billing {
  const issuer = issuerOf(cardNumber)
  const billing: Billing = {
    mId: MID,
    customerKey,
    authenticatedAt: kst(ctx.clock.now()),
    method: '카드',
    // Toss billing keys are 44-character base64 strings.
    billingKey: `${ctx.ids.mint('', 43)}=`,
    cardCompany: issuer.company,
    cardNumber: maskCard(cardNumber),
    card: {
      issuerCode: issuer.issuerCode,
      acquirerCode: issuer.acquirerCode,
      number: maskCard(cardNumber),
      cardType: '신용',
      ownerType: '개인',
    },
  }
  const record: BillingRecord = { billing, cardNumber, deleted: false }
  ctx.state.billings.set(billing.billingKey, record)
  return billing
}

function charge(ctx: ProviderContext<TossState>, billingKey: string, input: z.output<typeof ChargeBody>) {
  const billing = ctx.state.billings.get(billingKey)
  if (!billing || billing.deleted) throw new TossFailure('INVALID_BILL_KEY_REQUEST')
  if (billing.billing.customerKey !== input.customerKey) throw new TossFailure('NOT_MATCHES_CUSTOMER_KEY')
  const previous = ctx.state.payments.get(ctx.state.orders.get(input.orderId) ?? '')
  if (previous && isSettled(previous.payment)) throw new TossFailure('DUPLICATED_ORDER_ID')
  if (input.amount < 100) throw new TossFailure('BELOW_MINIMUM_AMOUNT')
  if ((input.taxFreeAmount ?? 0) > input.amount) throw new TossFailure('INVALID_REQUEST')

  const now = ctx.clock.now()
  const paymentKey = mintPaymentKey(ctx)
  const payment = newPayment({
    mId: MID,
    paymentKey,
    orderId: input.orderId,
    orderName: input.orderName,
    amount: input.amount,
    taxFreeAmount: input.taxFreeAmount ?? 0,
    type: 'BILLING',
    now,
    baseUrl: ctx.baseUrl,
    metadata: null,
  })
  payment.checkout = null
  payment.method = '카드'
  payment.taxExemptionAmount = input.taxExemptionAmount ?? 0
  const record: PaymentRecord = {
    payment,
    session: {
      family: 'api',
      successUrl: '',
      failUrl: '',
      customerKey: input.customerKey,
      customerName: input.customerName ?? null,
      customerMobilePhone: input.customerMobilePhone ?? null,
      requestedMethod: 'CARD',
      chosenMethod: 'CARD',
      cardNumber: billing.cardNumber,
      bankCode: null,
      validHours: 0,
      authenticatedAt: now,
      failedOnce: false,
    },
  }
  ctx.state.payments.set(paymentKey, record)
  ctx.state.orders.set(input.orderId, paymentKey)

  const behaviour = cardBehaviour(billing.cardNumber)
  if (behaviour && behaviour.stage !== 'window' && isTossErrorCode(behaviour.code)) {
    // A refused charge leaves an ABORTED payment with its failure; no webhook (billing approvals send none).
    payment.status = 'ABORTED'
    payment.failure = { code: behaviour.code, message: messageOf(behaviour.code) }
    throw new TossFailure(behaviour.code)
  }
  payment.status = 'DONE'
  payment.approvedAt = kst(now)
  payment.lastTransactionKey = transactionKey(ctx)
  payment.card = {
    amount: input.amount,
    issuerCode: billing.billing.card.issuerCode,
    acquirerCode: billing.billing.card.acquirerCode,
    number: billing.billing.card.number,
    installmentPlanMonths: input.cardInstallmentPlan ?? 0,
    isInterestFree: false,
    interestPayer: null,
    approveNo: ctx.ids.mint('', 8, 'digits'),
    useCardPoint: false,
    cardType: '신용',
    ownerType: '개인',
    acquireStatus: 'READY',
  }
  payment.receipt = {
    url: `https://dashboard.tosspayments.com/receipt/redirection?transactionId=${paymentKey}&ref=PX`,
  }
  return { status: 200, body: payment }
}

export const billingRoutes = [
  route({
    operation: 'billing.authorizations.issue',
    method: 'POST',
    path: '/v1/billing/authorizations/issue',
    input: IssueBody,
    handler: api((_req, ctx, input) => {
      const auth = ctx.state.authKeys.get(input.authKey)
      if (!auth || auth.used) throw new TossFailure('INVALID_AUTHORIZE_AUTH')
      if (auth.customerKey !== input.customerKey) throw new TossFailure('NOT_MATCHES_CUSTOMER_KEY')
      auth.used = true
      return { status: 200, body: issueBilling(ctx, auth.customerKey, auth.cardNumber) }
    }),
  }),
  route({
    operation: 'billing.authorizations.card',
    method: 'POST',
    path: '/v1/billing/authorizations/card',
    input: CardIssueBody,
    handler: api((_req, ctx, input) => {
      // An expiry before the current (virtual) month is refused, as is the expired test card.
      const now = ctx.clock.date()
      const expiry =
        2000 + Number(input.cardExpirationYear) * 1 + (Number(input.cardExpirationMonth) - 1) / 12
      const current = now.getUTCFullYear() + now.getUTCMonth() / 12
      if (expiry < current || cardBehaviour(input.cardNumber)?.code === 'INVALID_CARD_EXPIRATION')
        throw new TossFailure('INVALID_CARD_EXPIRATION')
      return { status: 200, body: issueBilling(ctx, input.customerKey, input.cardNumber) }
    }),
  }),
  route({
    operation: 'billing.charge',
    method: 'POST',
    path: '/v1/billing/:billingKey',
    input: ChargeBody,
    handler: api((req, ctx, input) => charge(ctx, req.params.billingKey!, input)),
  }),
]
