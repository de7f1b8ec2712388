import { z } from 'zod'
import { dispatch, mintDetailId, mintMid, mobileNumber } from '../delivery.ts'
import { failKakao, KAKAO_MESSAGES } from '../errors.ts'
import { digits, fromTenths, type Recipient, type SentMessage } from '../models.ts'
import { asHandsetText, parseKst, reply } from '../wire.ts'
import { aligoRoute, type Ctx, field, parseParams, yn } from './common.ts'

/** Kakao's own limit per request (Aligo's spec: receiver_1 … receiver_500). */
const MAX_ALIMTALK = 500

const SendParams = z.object({
  senderkey: field,
  tpl_code: field,
  sender: field,
  senddate: field,
  failover: yn,
  testMode: yn,
})

/** An approved template as a pattern: its `#{variables}` match any text, line breaks compared as \n. */
function matchesTemplate(template: string, message: string): boolean {
  const norm = (s: string) => s.replace(/\r\n/g, '\n')
  const pattern = norm(template)
    .split(/#\{[^}]*\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?')
  return new RegExp(`^${pattern}$`).test(norm(message))
}

function sendAt(ctx: Ctx, senddate: string | undefined): number | undefined {
  if (!senddate) return undefined
  const at = /^\d{14}$/.test(senddate) ? parseKst(senddate) : undefined
  if (at === undefined) failKakao('예약일(=senddate) 형식이 올바르지 않습니다. (YYYYMMDDHHIISS)')
  return at > ctx.clock.now() ? at : undefined
}

/**
 * AlimTalk send. Answers `code: 0` even when Kakao will refuse a text that does
 * not match its template (a configured template makes that visible: history
 * `rslt` U, nothing on the phone, or the SMS failover text when failover=Y).
 */
export const alimtalkSend = aligoRoute({
  operation: 'akv10.alimtalk.send',
  path: '/akv10/alimtalk/send/',
  handler: (ctx, params) => {
    const input = parseParams(SendParams, params)
    if (!input.senderkey) failKakao(KAKAO_MESSAGES.noSenderkey)
    if (ctx.state.senderKeys && !ctx.state.senderKeys.has(input.senderkey))
      failKakao('등록되지 않은 발신프로필 키 입니다.')
    if (!input.tpl_code) failKakao('템플릿 코드(=tpl_code) 파라메더 정보가 전달되지 않았습니다.')
    if (!input.sender) failKakao('발신자 연락처(=sender) 파라메더 정보가 전달되지 않았습니다.')
    const sender = digits(input.sender)
    if (!ctx.state.senders.has(sender)) failKakao('등록되지 않은 발신번호 입니다.')
    const template = ctx.state.templates.get(input.tpl_code)
    const recipients: Recipient[] = []
    const buttons: string[] = []
    let failed = 0
    for (let i = 1; i <= MAX_ALIMTALK; i++) {
      const raw = params[`receiver_${i}`]
      if (raw === undefined) continue
      const text = params[`message_${i}`]
      if (!text) failKakao(`알림톡 내용(=message_${i}) 파라메더 정보가 전달되지 않았습니다.`)
      const receiver = mobileNumber(raw)
      if (!receiver) {
        failed++
        continue
      }
      const matches = template === undefined || matchesTemplate(template, text)
      const fallback = params[`fmessage_${i}`]
      const failover = !matches && input.failover && fallback
      buttons.push(params[`button_${i}`] ?? '')
      recipients.push({
        id: mintDetailId(ctx),
        receiver,
        ...(params[`recvname_${i}`] ? { name: params[`recvname_${i}`] } : {}),
        ...(failover
          ? { title: params[`fsubject_${i}`] ?? '', text: asHandsetText(fallback), failover: true }
          : { title: params[`subject_${i}`] ?? '', text }),
        outcome: matches ? 'delivered' : 'template-mismatch',
      })
    }
    if (recipients.length === 0) failKakao('수신자 연락처(=receiver_1) 파라메더 정보가 전달되지 않았습니다.')
    const unit = ctx.state.prices10.AT
    const total = unit * recipients.length
    if (!input.testMode) {
      if (total > ctx.state.points10) failKakao(KAKAO_MESSAGES.noPoints)
      ctx.state.points10 -= total
    }
    const reservedFor = sendAt(ctx, input.senddate)
    const message: SentMessage = {
      id: mintMid(ctx),
      type: 'AT',
      sender,
      msg: params.message_1 ?? '',
      createdAt: ctx.clock.now(),
      ...(reservedFor !== undefined ? { reservedFor } : {}),
      state: reservedFor === undefined ? 'sent' : 'reserved',
      charged: input.testMode ? 0 : total,
      recipients,
      errorCount: failed,
      kakao: { senderkey: input.senderkey, tplCode: input.tpl_code, buttons },
    }
    dispatch(ctx, message, input.testMode)
    return reply({
      code: 0,
      message: '성공적으로 전송요청 하였습니다.',
      info: {
        type: 'AT',
        mid: message.id,
        current: fromTenths(ctx.state.points10),
        unit: fromTenths(unit),
        total: fromTenths(input.testMode ? 0 : total),
        scnt: recipients.length,
        fcnt: failed,
      },
    })
  },
})
