import type { ProviderContext } from '../core/provider.ts'
import { fail } from './errors.ts'
import type { AligoState, Billed, MsgType, Recipient, SentMessage } from './models.ts'
import { digits, fromTenths } from './models.ts'
import { REPORT_DELAY_MS, UNDELIVERABLE_RECEIVERS } from './test-values.ts'
import { asHandsetText, eucKrBytes, parseKst, truncateBytes } from './wire.ts'

type Ctx = ProviderContext<AligoState>

/** SMS carries 90 EUC-KR bytes; LMS/MMS bodies 2 000; titles 44 (Aligo's spec). */
export const SMS_BYTES = 90
export const BODY_BYTES = 2_000
export const TITLE_BYTES = 44
export const MAX_RECEIVERS = 1_000

/**
 * Without `msg_type`, Aligo picks: an image makes MMS, more than 90 bytes makes
 * LMS (spec: "msg_type을 지정하지 않으시면 90byte를 초과하는 메시지 발송 시 LMS
 * 형태로 자동 전환"). An explicit type is kept; MMS without an image goes out
 * as LMS ("LMS(첨부파일 없는 MMS)").
 */
export function decideType(requested: MsgType | undefined, text: string, hasImage: boolean): MsgType {
  if (requested === 'MMS' || (requested === undefined && hasImage)) return hasImage ? 'MMS' : 'LMS'
  if (requested) return requested
  return eucKrBytes(text) > SMS_BYTES ? 'LMS' : 'SMS'
}

/**
 * What the handset gets: EUC-KR-safe text; an explicit SMS longer than 90
 * bytes is cut there, as carriers cut it (the app asked for SMS and pays SMS).
 */
export function handsetBody(type: MsgType, text: string): string {
  const safe = asHandsetText(text)
  return type === 'SMS' ? truncateBytes(safe, SMS_BYTES) : safe
}

/** LMS/MMS title: given (cut to 44 bytes), else the first line of the body cut to 44 bytes, as the samples describe. */
export function titleFor(type: MsgType, title: string | undefined, body: string): string | undefined {
  if (type === 'SMS') return undefined
  const source = title?.trim() ? title : (body.split(/\r?\n/)[0] ?? '')
  return truncateBytes(asHandsetText(source), TITLE_BYTES) || undefined
}

/** A Korean mobile number a carrier takes, hyphens and spaces tolerated; undefined when it is not one (+82… included). */
export function mobileNumber(raw: string): string | undefined {
  const cleaned = raw.replace(/[\s-]/g, '')
  return /^01[016789]\d{7,8}$/.test(cleaned) ? cleaned : undefined
}

/** Splits `receiver` (comma-separated), counting the numbers that are not mobile numbers as errors (error_cnt). */
export function parseReceivers(raw: string): { valid: string[]; errors: number } {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (parts.length > MAX_RECEIVERS) fail('-102', `수신번호는 최대 ${MAX_RECEIVERS}개까지 입력 가능합니다.`)
  const valid: string[] = []
  for (const part of parts) {
    const number = mobileNumber(part)
    if (number) valid.push(number)
  }
  return { valid, errors: parts.length - valid.length }
}

/** `destination=01011112222|홍길동,...` fills `%고객명%` per receiver. */
export function parseDestination(raw: string | undefined): Map<string, string> {
  const names = new Map<string, string>()
  if (!raw) return names
  for (const pair of raw.split(',')) {
    const [number, name] = pair.split('|')
    if (number && name !== undefined) names.set(digits(number), name.trim())
  }
  return names
}

/** The sender must be one registered for the account (digits compared, hyphens ignored). */
export function checkSender(ctx: Ctx, sender: string | undefined): string {
  if (!sender?.trim()) fail('-102', '발신번호(sender)를 입력해 주세요.')
  const number = digits(sender)
  if (number.length === 0 || sender.length > 16 || !ctx.state.senders.has(number)) fail('-302')
  return number
}

/**
 * `rdate` (YYYYMMDD) + `rtime` (HHII), Korean time, at least 10 minutes ahead
 * (spec: "현재시간기준 10분이후"). Neither given: send now.
 */
export function reservation(
  ctx: Ctx,
  rdate: string | undefined,
  rtime: string | undefined,
): number | undefined {
  if (!rdate && !rtime) return undefined
  if (!rdate || !rtime || !/^\d{8}$/.test(rdate) || !/^\d{4}$/.test(rtime))
    fail('-102', '예약일(rdate: YYYYMMDD)과 예약시간(rtime: HHII)을 확인해 주세요.')
  const at = parseKst(`${rdate}${rtime}`)
  if (at === undefined) fail('-102', '예약일(rdate: YYYYMMDD)과 예약시간(rtime: HHII)을 확인해 주세요.')
  if (at < ctx.clock.now() + 10 * 60_000) fail('-102', '예약시간은 현재시간 기준 10분 이후로 설정해 주세요.')
  return at
}

/** Refuses the whole request when the balance cannot pay for every accepted receiver. */
export function charge(ctx: Ctx, type: Billed, count: number, testmode: boolean): number {
  if (testmode) return 0
  const cost = ctx.state.prices10[type] * count
  if (cost > ctx.state.points10) fail('-201')
  ctx.state.points10 -= cost
  return cost
}

export function mintMid(ctx: Ctx): string {
  let id: string
  do id = String(100_000_000 + Math.floor(ctx.random() * 900_000_000))
  while (ctx.state.messages.has(id))
  return id
}

export function mintDetailId(ctx: Ctx): string {
  return String(1_000_000_000 + Math.floor(ctx.random() * 9_000_000_000))
}

export function outcomeFor(receiver: string): Recipient['outcome'] {
  return (UNDELIVERABLE_RECEIVERS as readonly string[]).includes(receiver) ? 'undeliverable' : 'delivered'
}

/**
 * Stores the message and sends it now or when its reservation falls due (on
 * the virtual clock). Delivered texts land in the captured-messages inbox.
 */
export function dispatch(ctx: Ctx, message: SentMessage, testmode: boolean): void {
  if (testmode) return // testmode_yn=Y: validated, answered, never delivered nor kept (charge auto-refunded)
  ctx.state.messages.insert(message)
  if (message.reservedFor === undefined) {
    deliver(ctx, message)
    return
  }
  const state = ctx.state
  const timer = ctx.later(message.reservedFor - ctx.clock.now(), () => {
    state.timers.delete(message.id)
    // An account reset drops its state but not the clock's timers: a forgotten reservation stays unsent.
    const current = ctx.store.has(ctx.account) ? ctx.store.get(ctx.account) : undefined
    if (message.state === 'reserved' && current === state) deliver(ctx, message)
  })
  ctx.state.timers.set(message.id, timer)
}

function deliver(ctx: Ctx, message: SentMessage): void {
  const now = ctx.clock.now()
  message.state = 'sent'
  const unit = message.recipients.length ? message.charged / message.recipients.length : 0
  for (const r of message.recipients) {
    r.sentAt = now
    if (r.outcome === 'undeliverable') {
      // Aligo refunds what the carrier could not deliver.
      ctx.state.points10 += unit
      message.charged -= unit
      continue
    }
    if (r.outcome === 'template-mismatch') {
      if (r.failover) capture(ctx, message, r, 'sms')
      continue
    }
    capture(ctx, message, r, message.type === 'AT' ? 'kakao' : 'sms')
  }
}

/** The inbox copy of one receiver's text; the inbox keeps `subject` only when it is set. */
function capture(ctx: Ctx, message: SentMessage, r: Recipient, channel: 'sms' | 'kakao') {
  const meta: Record<string, unknown> = {
    mid: message.id,
    mdid: r.id,
    msg_type: channel === 'sms' && message.type === 'AT' ? 'failover' : message.type,
  }
  if (message.kakao) {
    meta.tpl_code = message.kakao.tplCode
    meta.senderkey = message.kakao.senderkey
  }
  if (message.reservedFor !== undefined) meta.reserved = true
  ctx.inbox.capture({
    channel,
    to: r.receiver,
    from: message.sender,
    subject: r.title || undefined,
    text: r.text,
    meta,
  })
}

/** `sms_state` of one receiver now (Korean, as `/sms_list/` reports it). */
export function smsState(message: SentMessage, r: Recipient, now: number): string {
  if (message.state === 'cancelled') return '예약취소'
  if (r.sentAt === undefined) return '예약대기'
  if (now < r.sentAt + REPORT_DELAY_MS) return '전송중'
  return r.outcome === 'undeliverable' ? '결번' : '발송완료'
}

export function remainCounts(state: AligoState) {
  const count = (type: Billed) => Math.floor(state.points10 / state.prices10[type])
  return { SMS_CNT: count('SMS'), LMS_CNT: count('LMS'), MMS_CNT: count('MMS'), ALT_CNT: count('AT') }
}

export const points = (state: AligoState) => fromTenths(state.points10)
