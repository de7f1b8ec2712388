import { ProviderError } from '../core/errors.ts'
import type { PlainResponse } from '../core/http.ts'
import type { ErrorCatalogue } from '../core/provider.ts'
import { reply } from './wire.ts'

/**
 * Aligo's errors, named by result code. Every one is HTTP 200 with
 * `{"result_code": <negative int>, "message": "<Korean reason>"}` (Kakao API:
 * `{"code": -99, "message": ...}`). -101, -201's meaning and -801…-809 come
 * from Aligo's samples and captures; -102, -301, -302 and most texts are
 * standin's choice where Aligo publishes none (see README, UNVERIFIED).
 * `params.message` overrides the text, as a fault rule or a route needs.
 */
interface Entry {
  summary: string
  message: string
}

const SMS_ERRORS = {
  '-101': {
    summary: 'authentication failed (bad key, unknown user_id, caller IP not allowed)',
    message: '인증오류입니다.',
  },
  '-102': {
    summary: 'a required parameter is missing or malformed',
    message: '필수 파라미터가 누락되었거나 올바르지 않습니다.',
  },
  '-201': { summary: 'not enough points for the whole send', message: '포인트가 부족합니다.' },
  '-301': { summary: 'no valid receiver number', message: '수신번호가 올바르지 않습니다.' },
  '-302': {
    summary: 'sender number not registered for this account',
    message: '발신번호가 등록되지 않았습니다.',
  },
  '-801': { summary: 'cancel: mid missing', message: '메세지ID 미입력' },
  '-802': { summary: 'cancel: mid invalid', message: '메세지ID 오류' },
  '-803': { summary: 'cancel: no reservation waiting for that mid', message: '예약대기중인 문자 없음' },
  '-804': {
    summary: 'cancel: only until 5 minutes before sending',
    message: '발송 5분전까지만 취소가 가능합니다.',
  },
  '-805': { summary: 'cancel: already sent', message: '이미 발송된 문자는 취소가 불가능합니다.' },
  '-809': { summary: 'cancel: other error', message: '기타 오류' },
} satisfies Record<string, Entry>

export type SmsErrorCode = keyof typeof SMS_ERRORS

/** The Kakao API answers every failure with code -99 and a reason (texts from Aligo's Kakao spec page). */
export const KAKAO_MESSAGES = {
  auth: '인증오류입니다.',
  unknownKey: '등록되지 않은 인증키 입니다.',
  noUserid: '계정 아이디(=userid) 파라메더 정보가 전달되지 않았습니다.',
  noSenderkey: '발신 프로파일 키(=senderkey)파라메더 정보가 전달되지 않았습니다.',
  noPoints: '포인트가 부족합니다.',
  cancelTooLate: '발송 5분전까지만 취소가 가능합니다.',
} as const

/** The body of an SMS API error; `extra` adds keys some endpoints carry (`/remain/` adds the counts). */
export function smsError(
  code: SmsErrorCode,
  params: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): PlainResponse {
  const entry = SMS_ERRORS[code]
  let message = typeof params.message === 'string' ? params.message : entry.message
  // The captured IP refusal appends "-IP" to the auth message.
  if (code === '-101' && params.ip === true) message += '-IP'
  return reply({ result_code: Number(code), message, ...extra })
}

export function kakaoError(message: string): PlainResponse {
  return reply({ code: -99, message })
}

/** Throws an SMS API error from inside a handler. */
export function fail(code: SmsErrorCode, message?: string, extra?: Record<string, unknown>): never {
  throw new ProviderError(smsError(code, message === undefined ? {} : { message }, extra))
}

export function failKakao(message: string): never {
  throw new ProviderError(kakaoError(message))
}

/** The catalogue fault rules name: `{ type: 'provider-error', error: '-201' }`. */
export const aligoErrors: ErrorCatalogue = {
  ...Object.fromEntries(
    Object.entries(SMS_ERRORS).map(([code, entry]) => [
      code,
      {
        summary: entry.summary,
        respond: (params: Record<string, unknown>) => smsError(code as SmsErrorCode, params),
      },
    ]),
  ),
  '-99': {
    summary: 'Kakao API failure (params.message picks the reason; default: not enough points)',
    respond: (params) =>
      kakaoError(typeof params.message === 'string' ? params.message : KAKAO_MESSAGES.noPoints),
  },
}
