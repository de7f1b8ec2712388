import type { SmsErrorCode } from '../errors.ts'
import { fail, failKakao, KAKAO_MESSAGES } from '../errors.ts'
import { kstDateTime, reply } from '../wire.ts'
import { aligoRoute, type Ctx } from './common.ts'

const CANCEL_BEFORE_MS = 5 * 60_000

/**
 * Cancels a waiting reservation and refunds it. Aligo's samples list the
 * codes: -801 no mid, -802 bad mid, -803 nothing waiting, -804 later than
 * 5 minutes before sending, -805 already sent.
 */
function cancelReservation(
  ctx: Ctx,
  mid: string | undefined,
): { cancelledAt: number } | { error: SmsErrorCode } {
  if (!mid?.trim()) return { error: '-801' }
  if (!/^\d+$/.test(mid.trim())) return { error: '-802' }
  const message = ctx.state.messages.get(mid.trim())
  if (!message || message.reservedFor === undefined || message.state === 'cancelled') return { error: '-803' }
  if (message.state === 'sent') return { error: '-805' }
  const now = ctx.clock.now()
  if (message.reservedFor - now < CANCEL_BEFORE_MS) return { error: '-804' }
  ctx.state.timers.get(message.id)?.cancel()
  ctx.state.timers.delete(message.id)
  message.state = 'cancelled'
  message.cancelledAt = now
  ctx.state.points10 += message.charged
  message.charged = 0
  return { cancelledAt: now }
}

export const cancel = aligoRoute({
  operation: 'cancel',
  path: '/cancel/',
  handler: (ctx, params) => {
    const outcome = cancelReservation(ctx, params.mid)
    if ('error' in outcome) fail(outcome.error)
    return reply({ result_code: 1, message: 'success', cancel_date: kstDateTime(outcome.cancelledAt) })
  },
})

/** The Kakao API's cancel (AlimTalk `senddate` reservations): success is `code: 1` on Aligo's spec page. */
export const kakaoCancel = aligoRoute({
  operation: 'akv10.cancel',
  path: '/akv10/cancel/',
  handler: (ctx, params) => {
    const outcome = cancelReservation(ctx, params.mid)
    if ('error' in outcome) {
      if (outcome.error === '-804') failKakao(KAKAO_MESSAGES.cancelTooLate)
      failKakao(outcome.error === '-805' ? '이미 발송된 메시지입니다.' : '예약대기중인 메시지가 없습니다.')
    }
    return reply({ code: 1, message: '' })
  },
})
