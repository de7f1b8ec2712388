import { z } from 'zod'
import { BoundedMap } from '../core/store.ts'
import { TossFailure } from './errors.ts'
import { kst } from './time.ts'

/**
 * Toss's stored objects (core API version 2022-11-16) and the named state
 * transitions of a Payment. A transition checks the current status and throws
 * Toss's own error (`TossFailure`) on an illegal move.
 *
 *   READY ──window──▶ IN_PROGRESS ──confirm──▶ DONE ──cancel──▶ PARTIAL_CANCELED ──▶ CANCELED
 *     │                 │   │                  ▲
 *     │                 │   └──confirm (VA)──▶ WAITING_FOR_DEPOSIT ──deposit──┘ (cancel ──▶ CANCELED)
 *     └──30 min──▶ EXPIRED ◀──10 min──┘        └── refusal ──▶ ABORTED
 */
export const PaymentStatus = z.enum([
  'READY',
  'IN_PROGRESS',
  'WAITING_FOR_DEPOSIT',
  'DONE',
  'CANCELED',
  'PARTIAL_CANCELED',
  'ABORTED',
  'EXPIRED',
])
export type PaymentStatus = z.infer<typeof PaymentStatus>

/** `method` of requestPayment (the window) → the Korean `method` label on the Payment. */
export const WindowMethod = z.enum([
  'CARD',
  'TRANSFER',
  'VIRTUAL_ACCOUNT',
  'MOBILE_PHONE',
  'CULTURE_GIFT_CERTIFICATE',
  'FOREIGN_EASY_PAY',
])
export type WindowMethod = z.infer<typeof WindowMethod>
export const METHOD_LABEL: Record<WindowMethod, string> = {
  CARD: '카드',
  TRANSFER: '계좌이체',
  VIRTUAL_ACCOUNT: '가상계좌',
  MOBILE_PHONE: '휴대폰',
  CULTURE_GIFT_CERTIFICATE: '문화상품권',
  FOREIGN_EASY_PAY: '해외간편결제',
}

export const Failure = z.object({ code: z.string(), message: z.string() })

export const Card = z.object({
  amount: z.number(),
  issuerCode: z.string(),
  acquirerCode: z.string(),
  number: z.string(),
  installmentPlanMonths: z.number(),
  isInterestFree: z.boolean(),
  interestPayer: z.string().nullable(),
  approveNo: z.string(),
  useCardPoint: z.boolean(),
  cardType: z.string(),
  ownerType: z.string(),
  acquireStatus: z.enum(['READY', 'REQUESTED', 'COMPLETED', 'CANCEL_REQUESTED', 'CANCELED']),
})

export const RefundReceiveAccount = z.object({
  bankCode: z.string(),
  accountNumber: z.string(),
  holderName: z.string(),
})

export const VirtualAccount = z.object({
  accountType: z.string(),
  accountNumber: z.string(),
  bankCode: z.string(),
  customerName: z.string(),
  depositorName: z.string(),
  dueDate: z.string(),
  refundStatus: z.enum(['NONE', 'PENDING', 'FAILED', 'PARTIAL_FAILED', 'COMPLETED']),
  expired: z.boolean(),
  settlementStatus: z.enum(['INCOMPLETED', 'COMPLETED']),
  refundReceiveAccount: RefundReceiveAccount.nullable(),
})

export const Cancel = z.object({
  cancelAmount: z.number(),
  cancelReason: z.string(),
  taxFreeAmount: z.number(),
  taxExemptionAmount: z.number(),
  refundableAmount: z.number(),
  easyPayDiscountAmount: z.number(),
  canceledAt: z.string(),
  transactionKey: z.string(),
  receiptKey: z.string().nullable(),
  cancelStatus: z.enum(['IN_PROGRESS', 'DONE', 'ABORTED']),
})
export type Cancel = z.infer<typeof Cancel>

export const Payment = z.object({
  mId: z.string(),
  version: z.literal('2022-11-16'),
  lastTransactionKey: z.string().nullable(),
  paymentKey: z.string(),
  orderId: z.string(),
  orderName: z.string(),
  taxExemptionAmount: z.number(),
  status: PaymentStatus,
  requestedAt: z.string(),
  approvedAt: z.string().nullable(),
  useEscrow: z.boolean(),
  cultureExpense: z.boolean(),
  card: Card.nullable(),
  virtualAccount: VirtualAccount.nullable(),
  transfer: z.object({ bankCode: z.string(), settlementStatus: z.string() }).nullable(),
  mobilePhone: z
    .object({ customerMobilePhone: z.string(), settlementStatus: z.string(), receiptUrl: z.string() })
    .nullable(),
  giftCertificate: z.object({ approveNo: z.string(), settlementStatus: z.string() }).nullable(),
  cashReceipt: z.null(),
  cashReceipts: z.null(),
  discount: z.null(),
  cancels: z.array(Cancel).nullable(),
  secret: z.string().nullable(),
  type: z.enum(['NORMAL', 'BILLING']),
  easyPay: z.object({ provider: z.string(), amount: z.number(), discountAmount: z.number() }).nullable(),
  country: z.literal('KR'),
  failure: Failure.nullable(),
  isPartialCancelable: z.boolean(),
  receipt: z.object({ url: z.string() }).nullable(),
  checkout: z.object({ url: z.string() }).nullable(),
  currency: z.enum(['KRW', 'USD']),
  totalAmount: z.number(),
  balanceAmount: z.number(),
  suppliedAmount: z.number(),
  vat: z.number(),
  taxFreeAmount: z.number(),
  method: z.string().nullable(),
  metadata: z.record(z.string(), z.string()).nullable(),
})
export type Payment = z.infer<typeof Payment>

/** What the window and the confirm step know that the Payment object does not show. */
export const Session = z.object({
  family: z.enum(['api', 'widget']),
  successUrl: z.string(),
  failUrl: z.string(),
  customerKey: z.string().nullable(),
  customerName: z.string().nullable(),
  customerMobilePhone: z.string().nullable(),
  /** The method requestPayment named; null lets the customer choose in the window (widget style). */
  requestedMethod: WindowMethod.nullable(),
  chosenMethod: WindowMethod.nullable(),
  cardNumber: z.string().nullable(),
  bankCode: z.string().nullable(),
  validHours: z.number(),
  authenticatedAt: z.number().nullable(),
  /** Test cards that fail once have used their failure. */
  failedOnce: z.boolean(),
})
export type Session = z.infer<typeof Session>

export interface PaymentRecord {
  payment: Payment
  session: Session
  /** Pending expiry timer (window or confirm deadline, virtual-account due date). */
  timer?: { cancel(): void }
}

export const Billing = z.object({
  mId: z.string(),
  customerKey: z.string(),
  authenticatedAt: z.string(),
  method: z.literal('카드'),
  billingKey: z.string(),
  cardCompany: z.string(),
  cardNumber: z.string(),
  card: z.object({
    issuerCode: z.string(),
    acquirerCode: z.string(),
    number: z.string(),
    cardType: z.string(),
    ownerType: z.string(),
  }),
})
export type Billing = z.infer<typeof Billing>

export interface BillingRecord {
  billing: Billing
  /** The full test card number, so charges can follow its behaviour. */
  cardNumber: string
  deleted: boolean
}

/** A one-time authKey from the billing window (`successUrl?customerKey=&authKey=`). */
export interface BillingAuth {
  authKey: string
  customerKey: string
  cardNumber: string
  createdAt: number
  used: boolean
}

export interface TossState {
  payments: Map<string, PaymentRecord>
  /** orderId → paymentKey of the latest payment for that order. */
  orders: Map<string, string>
  authKeys: Map<string, BillingAuth>
  billings: Map<string, BillingRecord>
}

/** Bounded as the core's collections are (the store limit), so a soak keeps memory flat. */
export function createState(): TossState {
  return {
    payments: new BoundedMap(),
    orders: new BoundedMap(),
    authKeys: new BoundedMap(),
    billings: new BoundedMap(),
  }
}

/** Statuses in which money moved or may still move: an orderId in one of them may not be reused. */
const SETTLED: PaymentStatus[] = ['DONE', 'CANCELED', 'PARTIAL_CANCELED', 'WAITING_FOR_DEPOSIT']
export function isSettled(payment: Payment): boolean {
  return SETTLED.includes(payment.status)
}

/** Cents-exact arithmetic for USD amounts (KRW amounts are integers already). */
export function money(n: number): number {
  return Math.round(n * 100) / 100
}

/** KRW has no minor unit: a fractional KRW amount is refused. */
export function assertMoney(payment: Payment, amount: number): void {
  if (payment.currency === 'KRW' && !Number.isInteger(amount)) throw new TossFailure('INVALID_REQUEST')
}

/**
 * VAT as every Toss sample shows it: a tenth of the supply, rounded; supply =
 * taxable total − VAT. USD (overseas) payments carry no Korean VAT.
 */
export function applyVat(payment: Payment, amount: number, taxFree: number): void {
  if (payment.currency === 'USD') {
    payment.vat = 0
    payment.suppliedAmount = money(amount - taxFree)
    payment.taxFreeAmount = taxFree
    return
  }
  payment.vat = Math.round((amount - taxFree) / 11)
  payment.suppliedAmount = amount - taxFree - payment.vat
  payment.taxFreeAmount = taxFree
}

// ------------------------------------------------------------------ transitions

/** The customer finished the window: READY → IN_PROGRESS. */
export function authenticate(record: PaymentRecord, choice: Partial<Session>, now: number): void {
  if (record.payment.status !== 'READY') throw new TossFailure('ALREADY_PROCESSED_PAYMENT')
  Object.assign(record.session, choice, { authenticatedAt: now })
  record.payment.status = 'IN_PROGRESS'
  record.payment.method = METHOD_LABEL[record.session.chosenMethod ?? 'CARD']
}

/**
 * Whether a confirm may go ahead: the payment was authenticated, is not settled
 * and matches the orderId and amount the window authenticated (Toss binds both
 * to the paymentKey).
 */
export function assertConfirmable(record: PaymentRecord, orderId: string, amount: number): void {
  const p = record.payment
  switch (p.status) {
    case 'READY':
      throw new TossFailure('UNAPPROVED_ORDER_ID')
    case 'EXPIRED':
    case 'ABORTED':
      throw new TossFailure('NOT_FOUND_PAYMENT_SESSION')
    case 'IN_PROGRESS':
      break
    default:
      throw new TossFailure('ALREADY_PROCESSED_PAYMENT')
  }
  if (orderId !== p.orderId)
    throw new TossFailure('INVALID_REQUEST', '주문번호가 결제 정보와 일치하지 않습니다.')
  if (amount !== p.totalAmount)
    throw new TossFailure('INVALID_REQUEST', '결제 금액이 결제 정보와 일치하지 않습니다.')
}

/** IN_PROGRESS → DONE, or WAITING_FOR_DEPOSIT for a virtual account. */
export function approve(record: PaymentRecord, now: number, transactionKey: string): void {
  const p = record.payment
  if (p.status !== 'IN_PROGRESS') throw new TossFailure('ALREADY_PROCESSED_PAYMENT')
  p.lastTransactionKey = transactionKey
  if (record.session.chosenMethod === 'VIRTUAL_ACCOUNT') {
    p.status = 'WAITING_FOR_DEPOSIT'
    return
  }
  p.status = 'DONE'
  p.approvedAt = kst(now)
}

/** A refusal: IN_PROGRESS (or READY, in the window) → ABORTED with the failure recorded. */
export function abort(record: PaymentRecord, failure: { code: string; message: string }): void {
  const p = record.payment
  if (p.status !== 'IN_PROGRESS' && p.status !== 'READY') throw new TossFailure('ALREADY_PROCESSED_PAYMENT')
  p.status = 'ABORTED'
  p.failure = failure
}

export const EXPIRED_FAILURE = {
  code: 'EXPIRED_PAYMENT',
  message: '결제가 만료되었습니다. 다시 시도해주세요.',
}

/** The window (30 min) or confirm (10 min) deadline passed: READY | IN_PROGRESS → EXPIRED. */
export function expire(record: PaymentRecord): boolean {
  const p = record.payment
  if (p.status === 'READY' || p.status === 'IN_PROGRESS') {
    p.status = 'EXPIRED'
    p.failure = EXPIRED_FAILURE
    return true
  }
  if (p.status === 'WAITING_FOR_DEPOSIT' && p.virtualAccount) {
    // The deposit deadline passed: the account can no longer receive money.
    p.virtualAccount.expired = true
    p.status = 'EXPIRED'
    return true
  }
  return false
}

/** Money arrived on the virtual account: WAITING_FOR_DEPOSIT → DONE. */
export function deposit(record: PaymentRecord, now: number, transactionKey: string): void {
  const p = record.payment
  if (p.status !== 'WAITING_FOR_DEPOSIT' || !p.virtualAccount)
    throw new TossFailure('NOT_FOUND_PAYMENT_SESSION')
  p.status = 'DONE'
  p.approvedAt = kst(now)
  p.lastTransactionKey = transactionKey
  p.virtualAccount.settlementStatus = 'COMPLETED'
}

/** The bank reversed a deposit: DONE → WAITING_FOR_DEPOSIT (version 2022-11-16 behaviour). */
export function reverseDeposit(record: PaymentRecord, transactionKey: string): void {
  const p = record.payment
  if (p.status !== 'DONE' || !p.virtualAccount) throw new TossFailure('NOT_CANCELABLE_PAYMENT')
  p.status = 'WAITING_FOR_DEPOSIT'
  p.approvedAt = null
  p.lastTransactionKey = transactionKey
  p.virtualAccount.settlementStatus = 'INCOMPLETED'
}

export interface CancelInput {
  cancelReason: string
  cancelAmount?: number | undefined
  taxFreeAmount?: number | undefined
  refundableAmount?: number | undefined
  refundReceiveAccount?: z.infer<typeof RefundReceiveAccount> | undefined
}

/**
 * Full or partial cancel: DONE | PARTIAL_CANCELED | WAITING_FOR_DEPOSIT →
 * CANCELED | PARTIAL_CANCELED. Appends to `cancels`, lowers `balanceAmount`,
 * recomputes VAT on what is left, and refuses an over-cancel.
 */
export function cancel(
  record: PaymentRecord,
  input: CancelInput,
  ctx: { now: number; transactionKey: string; async: boolean },
): Cancel {
  const p = record.payment
  if (p.status === 'CANCELED') throw new TossFailure('ALREADY_CANCELED_PAYMENT')
  if (!['DONE', 'PARTIAL_CANCELED', 'WAITING_FOR_DEPOSIT'].includes(p.status))
    throw new TossFailure('NOT_CANCELABLE_PAYMENT')
  if (input.refundableAmount !== undefined && input.refundableAmount !== p.balanceAmount)
    throw new TossFailure('NOT_MATCHES_REFUNDABLE_AMOUNT')
  const amount = input.cancelAmount ?? p.balanceAmount
  assertMoney(p, amount)
  const partial = amount < p.balanceAmount
  if (amount > p.balanceAmount) throw new TossFailure('NOT_CANCELABLE_AMOUNT')
  if (partial && p.status === 'WAITING_FOR_DEPOSIT')
    throw new TossFailure('NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT')
  if (partial && !p.isPartialCancelable) throw new TossFailure('NOT_ALLOWED_PARTIAL_REFUND')
  // Money already deposited on a virtual account goes back to an account the customer names.
  if (p.virtualAccount && p.status !== 'WAITING_FOR_DEPOSIT' && !input.refundReceiveAccount)
    throw new TossFailure('INVALID_REFUND_ACCOUNT_INFO')
  const taxFree = Math.min(input.taxFreeAmount ?? 0, p.taxFreeAmount, amount)
  const entry: Cancel = {
    cancelAmount: amount,
    cancelReason: input.cancelReason,
    taxFreeAmount: taxFree,
    taxExemptionAmount: 0,
    refundableAmount: money(p.balanceAmount - amount),
    easyPayDiscountAmount: 0,
    canceledAt: kst(ctx.now),
    transactionKey: ctx.transactionKey,
    receiptKey: null,
    cancelStatus: ctx.async ? 'IN_PROGRESS' : 'DONE',
  }
  p.cancels = [...(p.cancels ?? []), entry]
  p.balanceAmount = money(p.balanceAmount - amount)
  applyVat(p, p.balanceAmount, p.taxFreeAmount - taxFree)
  p.status = p.balanceAmount === 0 ? 'CANCELED' : 'PARTIAL_CANCELED'
  p.lastTransactionKey = ctx.transactionKey
  if (p.card) p.card.acquireStatus = p.status === 'CANCELED' ? 'CANCELED' : p.card.acquireStatus
  if (p.virtualAccount && input.refundReceiveAccount) {
    p.virtualAccount.refundReceiveAccount = input.refundReceiveAccount
    p.virtualAccount.refundStatus = 'COMPLETED'
  }
  return entry
}

/** An asynchronous (overseas easy-pay) cancel settles: IN_PROGRESS → DONE. */
export function settleCancel(entry: Cancel): void {
  if (entry.cancelStatus !== 'IN_PROGRESS') throw new TossFailure('ALREADY_CANCELED_PAYMENT')
  entry.cancelStatus = 'DONE'
}

/** A new Payment as the window opens it: READY, nothing chosen, nothing approved. */
export function newPayment(input: {
  mId: string
  paymentKey: string
  orderId: string
  orderName: string
  amount: number
  currency?: Payment['currency']
  taxFreeAmount: number
  type: Payment['type']
  now: number
  baseUrl: string
  metadata: Record<string, string> | null
}): Payment {
  const payment: Payment = {
    mId: input.mId,
    version: '2022-11-16',
    lastTransactionKey: null,
    paymentKey: input.paymentKey,
    orderId: input.orderId,
    orderName: input.orderName,
    taxExemptionAmount: 0,
    status: 'READY',
    requestedAt: kst(input.now),
    approvedAt: null,
    useEscrow: false,
    cultureExpense: false,
    card: null,
    virtualAccount: null,
    transfer: null,
    mobilePhone: null,
    giftCertificate: null,
    cashReceipt: null,
    cashReceipts: null,
    discount: null,
    cancels: null,
    secret: null,
    type: input.type,
    easyPay: null,
    country: 'KR',
    failure: null,
    isPartialCancelable: true,
    receipt: null,
    checkout: { url: `${input.baseUrl}/v1/payments/${input.paymentKey}/checkout` },
    currency: input.currency ?? 'KRW',
    totalAmount: input.amount,
    balanceAmount: input.amount,
    suppliedAmount: 0,
    vat: 0,
    taxFreeAmount: 0,
    method: null,
    metadata: input.metadata,
  }
  applyVat(payment, input.amount, input.taxFreeAmount)
  return payment
}
