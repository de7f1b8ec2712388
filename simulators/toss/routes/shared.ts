import { z } from 'zod'
import { ProviderError } from '../../core/errors.ts'
import type { PlainRequest } from '../../core/http.ts'
import { type Handler, type ProviderServices, routesFor } from '../../core/provider.ts'
import { isTossErrorCode, langOf, TossFailure, tossError } from '../errors.ts'
import { expire, type PaymentRecord, type TossState } from '../models.ts'
import { CONFIRM_TTL_MS, WINDOW_TTL_MS } from '../test-values.ts'
import { compactKst } from '../time.ts'
import { emitDepositCallback, emitPaymentStatus, transmissionId } from '../webhooks.ts'

export const route = routesFor<TossState>()

/**
 * An amount as Toss reads it: a JSON number, or a numeric string (Toss's own
 * Ruby and ASP samples send `"amount": "15000"` straight from the successUrl
 * query). Negative, zero, fractional and unsafe (overflowing) values are refused.
 */
export const Amount = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))

/**
 * An amount that may be USD (overseas easy pay, PayPal): positive, at most two
 * decimals. Whether decimals are allowed depends on the payment's currency, which
 * the handler knows (`assertMoney`).
 */
export const Money = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(
    z
      .number()
      .positive()
      .max(Number.MAX_SAFE_INTEGER / 100)
      .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals'),
  )

/** Non-negative amounts (tax-free parts). */
export const PartAmount = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))

/** `orderId`: 6–64 characters of A–Z a–z 0–9 - _. */
export const OrderId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/)

/**
 * Wraps an API handler with what every Toss API route does: a test key's
 * `TossPayments-Test-Code` header answers with that error (Toss's own fault
 * switch), and a `TossFailure` from the models becomes Toss's body in the
 * request's language.
 */
export function api<Input>(handler: Handler<TossState, Input>): Handler<TossState, Input> {
  return async (req, ctx, input) => {
    const testCode = req.headers['tosspayments-test-code']?.trim()
    if (testCode && ctx.account.startsWith('test_')) {
      if (!isTossErrorCode(testCode)) throw new ProviderError(tossError('INVALID_REQUEST', langOf(req)))
      throw new ProviderError(tossError(testCode, langOf(req)))
    }
    try {
      return await handler(req, ctx, input)
    } catch (error) {
      throw asProviderError(error, req)
    }
  }
}

export function asProviderError(error: unknown, req: PlainRequest): unknown {
  if (!(error instanceof TossFailure)) return error
  const lang = langOf(req)
  return new ProviderError(tossError(error.code, lang, lang === 'ko' ? error.detail : undefined))
}

export function findPayment(state: TossState, paymentKey: string): PaymentRecord {
  const record = state.payments.get(paymentKey)
  if (!record) throw new TossFailure('NOT_FOUND_PAYMENT')
  return record
}

/** Toss's 32-character upper-hex transaction keys. */
export function transactionKey(services: ProviderServices<TossState>): string {
  return services.ids.mint('', 32, 'HEX')
}

/** Webhooks for a payment that changed status: PAYMENT_STATUS_CHANGED, plus DEPOSIT_CALLBACK for virtual accounts. */
export function announce(
  services: ProviderServices<TossState>,
  account: string,
  record: PaymentRecord,
): void {
  const webhooks = services.webhooksFor(account)
  const now = services.clock.now()
  const mint = services.ids.mint.bind(services.ids)
  emitPaymentStatus({ webhooks, now, id: transmissionId(mint) }, record.payment)
  if (record.payment.virtualAccount) emitDepositCallback({ webhooks, now, id: transmissionId(mint) }, record)
}

/**
 * Arms the deadline the payment is under: 30 minutes for the open window, 10 for
 * confirm after authentication, the due date for a virtual account. EXPIRED is
 * announced; a lapsed virtual account is not (Toss sends no webhook for it).
 */
export function armExpiry(
  services: ProviderServices<TossState>,
  account: string,
  record: PaymentRecord,
  ms?: number,
): void {
  record.timer?.cancel()
  const status = record.payment.status
  const wait =
    ms ?? (status === 'READY' ? WINDOW_TTL_MS : status === 'IN_PROGRESS' ? CONFIRM_TTL_MS : undefined)
  if (wait === undefined) return
  record.timer = services.later(wait, () => {
    // The account may have been reset since: only a payment still stored expires.
    if (
      !services.store.has(account) ||
      services.store.get(account).payments.get(record.payment.paymentKey) !== record
    )
      return
    const wasVirtual = record.payment.status === 'WAITING_FOR_DEPOSIT'
    if (expire(record) && !wasVirtual) announce(services, account, record)
  })
}

/** The merchant id test payments carry in Toss's docs and samples. */
export const MID = 'tosspayments'

/** Newer paymentKey shape: `<5-char mId prefix><yyyyMMddHHmmss><5 chars>` (`tviva20240124125326RKM44`). */
export function mintPaymentKey(services: ProviderServices<TossState>): string {
  return `tviva${compactKst(services.clock.now())}${services.ids.mint('', 5, 'upperAlnum')}`
}
