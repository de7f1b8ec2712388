import type { PlainRequest, PlainResponse } from '../core/http.ts'
import type { ErrorCatalogue } from '../core/provider.ts'

/**
 * Toss Payments' error catalogue: `{ code, message }` bodies with the HTTP
 * status of the docs' error table (docs.tosspayments.com/reference/error-codes).
 * Korean messages are Toss's own; English ones are used when the request sends
 * `Accept-Language: en-US`, as Toss documents. Where the docs' English text was
 * not available to us the English line is standin's translation (marked `ours`).
 */
interface Entry {
  status: number
  ko: string
  en: string
  summary: string
}

const table = {
  // 400
  ALREADY_PROCESSED_PAYMENT: {
    status: 400,
    ko: '이미 처리된 결제 입니다.',
    en: 'This is a payment that has already been processed.',
    summary: 'confirm of a payment already confirmed',
  },
  PROVIDER_ERROR: {
    status: 400,
    ko: '일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.',
    en: 'This is temporary error. Please try again in a few minutes.',
    summary: 'temporary error at the card company or bank; retry',
  },
  EXCEED_MAX_CARD_INSTALLMENT_PLAN: {
    status: 400,
    ko: '설정 가능한 최대 할부 개월 수를 초과했습니다.',
    en: 'Maximum number of installment months exceeded.',
    summary: 'installment plan above the maximum',
  },
  INVALID_REQUEST: {
    status: 400,
    ko: '잘못된 요청입니다.',
    en: 'The bad request.',
    summary: 'malformed or inconsistent request',
  },
  INVALID_API_KEY: {
    status: 400,
    ko: '잘못된 시크릿키 연동 정보 입니다.',
    en: 'Incorrect secret key.',
    summary: 'secret key of the wrong kind',
  },
  INVALID_REJECT_CARD: {
    status: 400,
    ko: '카드 사용이 거절되었습니다. 카드사 문의가 필요합니다.',
    en: 'Refer to card issuer/decline.',
    summary: 'card refused by the issuer',
  },
  BELOW_MINIMUM_AMOUNT: {
    status: 400,
    ko: '신용카드는 결제금액이 100원 이상, 계좌는 200원이상부터 결제가 가능합니다.',
    en: 'Payment can be made from 100 won or more by credit card, and 200 won or more for account.',
    summary: 'amount under the method minimum',
  },
  INVALID_CARD_EXPIRATION: {
    status: 400,
    ko: '카드 정보를 다시 확인해주세요. (유효기간)',
    en: 'Please check the card expiration date information again.',
    summary: 'card expired',
  },
  INVALID_STOPPED_CARD: {
    status: 400,
    ko: '정지된 카드 입니다.',
    en: 'This is a suspended card.',
    summary: 'card suspended',
  },
  EXCEED_MAX_DAILY_PAYMENT_COUNT: {
    status: 400,
    ko: '하루 결제 가능 횟수를 초과했습니다.',
    en: 'You have exceeded the number of payments per day. (ours)',
    summary: 'daily payment count exceeded',
  },
  EXCEED_MAX_PAYMENT_AMOUNT: {
    status: 400,
    ko: '하루 결제 가능 금액을 초과했습니다.',
    en: 'You have exceeded the maximum payment amount. (ours)',
    summary: 'payment amount limit exceeded',
  },
  UNAPPROVED_ORDER_ID: {
    status: 400,
    ko: '아직 승인되지 않은 주문번호입니다.',
    en: 'The order has not been authenticated yet. (ours)',
    summary: 'confirm before the customer finished the payment window',
  },
  INCORRECT_BASIC_AUTH_FORMAT: {
    status: 400,
    ko: "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요.",
    en: "Bad request. Encode the key including ':'. (ours)",
    summary: 'Basic credentials without the colon',
  },
  INVALID_IDEMPOTENCY_KEY: {
    status: 400,
    ko: '멱등키는 300자 이하여야 합니다.',
    en: 'The idempotency key must be 300 characters or fewer. (ours)',
    summary: 'Idempotency-Key longer than 300 characters',
  },
  DUPLICATED_ORDER_ID: {
    status: 400,
    ko: '이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요.',
    en: 'This order id was already approved or canceled. Use another order id. (ours)',
    summary: 'orderId already used by an approved payment',
  },
  NOT_MATCHES_CUSTOMER_KEY: {
    status: 400,
    ko: '빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다.',
    en: 'The customerKey does not match the one the billing key was issued to. (ours)',
    summary: 'billing charge with another customerKey',
  },
  INVALID_BILL_KEY_REQUEST: {
    status: 400,
    ko: '빌링키 인증이 완료되지 않았거나 유효하지 않은 빌링키입니다.',
    en: 'The billing key is not valid. (ours)',
    summary: 'unknown or deleted billing key',
  },
  INVALID_AUTHORIZE_AUTH: {
    status: 400,
    ko: '유효하지 않은 인증 방식입니다.',
    en: 'Invalid authentication. (ours)',
    summary: 'unknown or already used authKey',
  },
  ALREADY_CANCELED_PAYMENT: {
    status: 400,
    ko: '이미 취소된 결제 입니다.',
    en: 'This payment has already been canceled. (ours)',
    summary: 'cancel of a payment already fully canceled',
  },
  INVALID_REFUND_ACCOUNT_INFO: {
    status: 400,
    ko: '환불 계좌번호와 예금주명이 일치하지 않습니다.',
    en: 'Refund account information is invalid. (ours)',
    summary: 'virtual-account refund without a valid refundReceiveAccount',
  },
  NOT_MATCHES_REFUNDABLE_AMOUNT: {
    status: 400,
    ko: '잔액 결과가 일치하지 않습니다.',
    en: 'The refundable amount does not match. (ours)',
    summary: 'refundableAmount differs from the balance',
  },
  // 401
  UNAUTHORIZED_KEY: {
    status: 401,
    ko: '인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.',
    en: 'Unauthorized secret key or client key. (ours)',
    summary: 'missing or unknown key',
  },
  // 403
  REJECT_CARD_PAYMENT: {
    status: 403,
    ko: '한도초과 혹은 잔액부족으로 결제에 실패했습니다.',
    en: 'Payment failed due to exceeding the limit or insufficient balance. (ours)',
    summary: 'card limit exceeded or insufficient balance',
  },
  REJECT_CARD_COMPANY: {
    status: 403,
    ko: '결제 승인이 거절되었습니다.',
    en: 'Payment approval was rejected. (ours)',
    summary: 'card company refused the payment',
  },
  FORBIDDEN_REQUEST: {
    status: 403,
    ko: '허용되지 않은 요청입니다.',
    en: 'Forbidden request. (ours)',
    summary: 'key family does not match the payment (widget vs API keys)',
  },
  NOT_CANCELABLE_AMOUNT: {
    status: 403,
    ko: '취소 할 수 없는 금액 입니다.',
    en: 'This amount cannot be canceled. (ours)',
    summary: 'cancelAmount above the balance',
  },
  NOT_CANCELABLE_PAYMENT: {
    status: 403,
    ko: '취소 할 수 없는 결제 입니다.',
    en: 'This payment cannot be canceled. (ours)',
    summary: 'cancel of a payment never approved',
  },
  NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT: {
    status: 403,
    ko: '입금 대기중인 결제는 부분 환불이 불가합니다.',
    en: 'Partial refund is not possible for payments waiting for deposit. (ours)',
    summary: 'partial cancel of an unpaid virtual account',
  },
  NOT_ALLOWED_PARTIAL_REFUND: {
    status: 403,
    ko: '에스크로 주문, 현금 카드 결제일 때는 부분 환불이 불가합니다.',
    en: 'Partial refund is not allowed for this payment. (ours)',
    summary: 'partial cancel when isPartialCancelable is false',
  },
  // 404
  NOT_FOUND_PAYMENT: {
    status: 404,
    ko: '존재하지 않는 결제 정보 입니다.',
    en: 'Payment information does not exist. (ours)',
    summary: 'unknown paymentKey or orderId',
  },
  NOT_FOUND_PAYMENT_SESSION: {
    status: 404,
    ko: '결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.',
    en: 'The payment session has expired. (ours)',
    summary: 'confirm of an unknown or expired payment session',
  },
  // 409
  IDEMPOTENT_REQUEST_PROCESSING: {
    status: 409,
    ko: '이전 멱등 요청이 처리중입니다.',
    en: 'A previous idempotent request is being processed. (ours)',
    summary: 'same Idempotency-Key while the first request runs',
  },
  // 500
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: {
    status: 500,
    ko: '결제가 완료되지 않았어요. 다시 시도해주세요.',
    en: 'The payment was not completed. Please try again. (ours)',
    summary: 'internal failure during approval; nothing was charged',
  },
  FAILED_INTERNAL_SYSTEM_PROCESSING: {
    status: 500,
    ko: '내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.',
    en: 'Internal system processing failed. Please try again later. (ours)',
    summary: 'internal failure',
  },
  UNKNOWN_PAYMENT_ERROR: {
    status: 500,
    ko: '결제에 실패했어요. 같은 문제가 반복된다면 은행이나 카드사로 문의해주세요.',
    en: 'The payment failed. (ours)',
    summary: 'unknown failure',
  },
} satisfies Record<string, Entry>

export type TossErrorCode = keyof typeof table

export function isTossErrorCode(code: string): code is TossErrorCode {
  return Object.hasOwn(table, code)
}

export type Lang = 'ko' | 'en'

/** Toss answers in English when the request asks for it with `Accept-Language: en-US` (or any `en`). */
export function langOf(req: PlainRequest | undefined): Lang {
  return /^\s*en\b/i.test(req?.headers['accept-language'] ?? '') ? 'en' : 'ko'
}

/** The wire body of one catalogue error. */
export function tossError(code: TossErrorCode, lang: Lang = 'ko', message?: string): PlainResponse {
  const entry: Entry = table[code]
  return { status: entry.status, body: { code, message: message ?? entry[lang] } }
}

export function messageOf(code: TossErrorCode, lang: Lang = 'ko'): string {
  return (table[code] as Entry)[lang]
}

/**
 * Thrown by the models' transitions and the routes: a Toss error by code, rendered
 * in the request's language by the route wrapper (`routes/shared.ts`).
 */
export class TossFailure extends Error {
  constructor(
    readonly code: TossErrorCode,
    /** Replaces the catalogue message (Korean) where Toss words one case more precisely. */
    readonly detail?: string,
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`)
    this.name = 'TossFailure'
  }
}

/** The catalogue the fault engine names (`{ type: 'provider-error', error: 'REJECT_CARD_PAYMENT' }`). */
export const errors: ErrorCatalogue = Object.fromEntries(
  Object.entries(table).map(([code, entry]) => [
    code,
    {
      summary: entry.summary,
      respond: (params: Record<string, unknown>) =>
        tossError(
          code as TossErrorCode,
          params.lang === 'en' ? 'en' : 'ko',
          typeof params.message === 'string' ? params.message : undefined,
        ),
    },
  ]),
)
