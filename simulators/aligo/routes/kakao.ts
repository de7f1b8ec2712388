import { z } from 'zod'
import { dispatch, mintDetailId, mintMid, mobileNumber, remainCounts } from '../delivery.ts'
import { failKakao, KAKAO_MESSAGES } from '../errors.ts'
import { digits, fromTenths, type Recipient, type SentMessage } from '../models.ts'
import { REPORT_DELAY_MS } from '../test-values.ts'
import { asHandsetText, kstCompact, kstDateTime, parseKst, parseKstDay, reply } from '../wire.ts'
import { aligoRoute, type Ctx, field, intParam, parseParams, yn } from './common.ts'

/** Kakao's own limit per request (Aligo's spec: receiver_1 … receiver_500). */
const MAX_ALIMTALK = 500
const UNITS: Record<string, number> = {
  s: 1_000,
  i: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  m: 30 * 86_400_000,
  y: 365 * 86_400_000,
}

/**
 * `/akv10/token/create/{time}/{unit}/`: a token valid `time` units (s, i, h,
 * d, m, y). The current spec no longer lists `token` on alimtalk/send, so a
 * token is issued but not required.
 */
export const token = aligoRoute({
  operation: 'akv10.token.create',
  path: '/akv10/token/create/:time/:unit/',
  handler: (ctx, _params, req) => {
    const time = Number(req.params.time)
    const unit = UNITS[req.params.unit ?? '']
    if (!Number.isInteger(time) || time < 1 || unit === undefined) failKakao('토큰 유효기간을 확인해 주세요.')
    const value = ctx.ids.mint('', 64, 'alnum')
    ctx.state.tokens.push({ token: value, expiresAt: ctx.clock.now() + time * unit })
    return reply({
      code: 0,
      message: '정상적으로 생성하였습니다.',
      token: value,
      urlencode: encodeURIComponent(value),
    })
  },
})

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

function pages<T>(items: T[], page: number, limit: number) {
  return {
    list: items.slice((page - 1) * limit, page * limit),
    currentPage: String(page),
    totalPage: String(Math.max(1, Math.ceil(items.length / limit))),
    totalCount: String(items.length),
  }
}

/** AlimTalk sends, newest first, between `startdate` and `enddate` (YYYYMMDD, Korean days). */
export const historyList = aligoRoute({
  operation: 'akv10.history.list',
  path: '/akv10/history/list/',
  handler: (ctx, params) => {
    const now = ctx.clock.now()
    const end = (parseKstDay(params.enddate ?? '') ?? parseKstDay(params.startdate ?? '') ?? now) + 86_400_000
    const start = parseKstDay(params.startdate ?? '') ?? end - 7 * 86_400_000
    const found = ctx.state.messages
      .filter(
        (m) => m.type === 'AT' && m.createdAt >= Math.min(start, end) && m.createdAt < Math.max(start, end),
      )
      .reverse()
      .map((m) => ({
        mid: m.id,
        type: m.type,
        sender: m.sender,
        msg_count: String(m.recipients.length),
        mbody: m.msg,
        reserve_date: m.reservedFor === undefined ? '' : kstCompact(m.reservedFor),
        reserve_state:
          m.reservedFor === undefined
            ? ''
            : m.state === 'reserved'
              ? '예약대기중'
              : m.state === 'cancelled'
                ? '예약취소'
                : '발송완료',
        reg_date: kstDateTime(m.createdAt),
      }))
    const page = pages(found, intParam(params.page, 1, 1, 1_000_000), intParam(params.limit, 50, 50, 500))
    return reply({ code: 0, message: '정상적으로 호출하였습니다.', ...page })
  },
})

/**
 * Per-recipient AlimTalk results. While the report is pending the msgid starts
 * with "Q" (spec); `rslt` U with 메시지가 템플릿과 일치하지않음 is the spec's own
 * example; "0" for delivered follows apps in the wild (UNVERIFIED).
 */
export const historyDetail = aligoRoute({
  operation: 'akv10.history.detail',
  path: '/akv10/history/detail/',
  handler: (ctx, params) => {
    if (!params.mid) failKakao('메시지 고유ID(=mid) 파라메더 정보가 전달되지 않았습니다.')
    const message = ctx.state.messages.get(params.mid.trim())
    const now = ctx.clock.now()
    const rows = (message?.type === 'AT' ? message.recipients : []).map((r, i) => {
      const reported = r.sentAt !== undefined && now >= r.sentAt + REPORT_DELAY_MS
      const mismatch = r.outcome === 'template-mismatch'
      const at = (t: number | undefined) => (t === undefined ? '' : kstDateTime(t))
      return {
        msgid: reported ? r.id : `Q${r.id}`,
        type: 'AT',
        sender: message!.sender,
        phone: r.receiver,
        status: '3',
        reqdate: kstDateTime(message!.createdAt),
        sentdate: at(r.sentAt),
        rsltdate: reported ? at(r.sentAt! + REPORT_DELAY_MS) : '',
        reportdate: reported ? at(r.sentAt! + REPORT_DELAY_MS) : '',
        rslt: reported ? (mismatch ? 'U' : '0') : '',
        rslt_message: reported && mismatch ? '메시지가 템플릿과 일치하지않음' : '',
        message: r.text,
        button_json: message!.kakao?.buttons[i] || '{}',
        tpl_code: message!.kakao?.tplCode ?? '',
        senderKey: message!.kakao?.senderkey ?? '',
        smid: r.failover && reported ? message!.id : '0',
      }
    })
    const page = pages(rows, intParam(params.page, 1, 1, 1_000_000), intParam(params.limit, 50, 50, 500))
    return reply({ code: 0, message: '정상적으로 호출하였습니다.', ...page })
  },
})

/** Remaining counts per type, AlimTalk included (Aligo's Kakao spec page example: code 1 and a `list` object). */
export const heartinfo = aligoRoute({
  operation: 'akv10.heartinfo',
  path: '/akv10/heartinfo/',
  handler: (ctx) => reply({ code: 1, message: '', list: remainCounts(ctx.state) }),
})
