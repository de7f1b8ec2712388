import { z } from 'zod'
import { smsState } from '../delivery.ts'
import { fail } from '../errors.ts'
import type { SentMessage } from '../models.ts'
import { kstDate, kstDateTime, parseKstDay, reply } from '../wire.ts'
import { aligoRoute, field, intParam, parseParams } from './common.ts'

const DAY_MS = 86_400_000

const ListParams = z.object({ page: field, page_size: field, start_date: field, limit_day: field })
const DetailParams = z.object({ mid: field, page: field, page_size: field })

/** One page of `items`, and whether another follows (`next_yn`). */
function paginate<T>(items: T[], page: number, size: number) {
  const start = (page - 1) * size
  return { list: items.slice(start, start + size), next_yn: items.length > start + size ? 'Y' : 'N' }
}

function reserveState(message: SentMessage): string {
  if (message.reservedFor === undefined) return ''
  if (message.state === 'cancelled') return '예약취소'
  return message.state === 'reserved' ? '예약대기중' : '발송완료'
}

/**
 * Recent sends, newest first, by Korean date: `start_date` (YYYYMMDD, default
 * today) and `limit_day` days back before it (default 7; an 8-digit date is
 * taken as the other end). Values are strings, as PHP prints them.
 */
export const list = aligoRoute({
  operation: 'list',
  path: '/list/',
  handler: (ctx, params) => {
    const input = parseParams(ListParams, params)
    const now = ctx.clock.now()
    const start = parseKstDay(input.start_date || kstDate(now))
    if (start === undefined) fail('-102', '조회시작일자(start_date)는 YYYYMMDD 형식으로 입력해 주세요.')
    const other =
      input.limit_day && /^\d{8}$/.test(input.limit_day) ? parseKstDay(input.limit_day) : undefined
    const days = intParam(input.limit_day, 7, 0, 3650)
    const from = Math.min(start, other ?? start - days * DAY_MS)
    const to = Math.max(start, other ?? start) + DAY_MS
    const found = ctx.state.messages.filter((m) => m.createdAt >= from && m.createdAt < to).reverse()
    const page = paginate(
      found,
      intParam(input.page, 1, 1, 1_000_000),
      intParam(input.page_size, 30, 30, 500),
    )
    return reply({
      result_code: 1,
      message: 'success',
      list: page.list.map((m) => ({
        mid: m.id,
        type: m.type,
        sender: m.sender,
        sms_count: String(m.recipients.length),
        reserve_state: reserveState(m),
        msg: m.msg,
        fail_count: String(m.recipients.filter((r) => smsState(m, r, now) === '결번').length),
        reg_date: kstDateTime(m.createdAt),
        reserve: m.reservedFor === undefined ? '' : kstDateTime(m.reservedFor),
      })),
      next_yn: page.next_yn,
    })
  },
})

/** Per-receiver result of one mid: the only way Aligo tells an app whether a handset got it. */
export const smsList = aligoRoute({
  operation: 'sms_list',
  path: '/sms_list/',
  handler: (ctx, params) => {
    const input = parseParams(DetailParams, params)
    if (!input.mid?.trim()) fail('-102', '메세지ID(mid)를 입력해 주세요.')
    const message = ctx.state.messages.get(input.mid.trim())
    const now = ctx.clock.now()
    const rows = (message?.recipients ?? []).map((r) => ({
      mdid: r.id,
      type: message!.type,
      sender: message!.sender,
      receiver: r.receiver,
      sms_state: smsState(message!, r, now),
      reg_date: kstDateTime(message!.createdAt),
      send_date: r.sentAt === undefined ? '' : kstDateTime(r.sentAt),
      reserve_date: message!.reservedFor === undefined ? '' : kstDateTime(message!.reservedFor),
    }))
    const page = paginate(rows, intParam(input.page, 1, 1, 1_000_000), intParam(input.page_size, 30, 30, 500))
    return reply({ result_code: 1, message: 'success', list: page.list, next_yn: page.next_yn })
  },
})
