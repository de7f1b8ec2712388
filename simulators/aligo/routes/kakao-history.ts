import { failKakao } from '../errors.ts'
import { REPORT_DELAY_MS } from '../test-values.ts'
import { kstCompact, kstDateTime, parseKstDay, reply } from '../wire.ts'
import { aligoRoute, intParam } from './common.ts'

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
