import iconv from 'iconv-lite'
import type { PlainRequest, PlainResponse } from '../core/http.ts'

/**
 * Aligo's wire conventions: PHP behind nginx. Everything answers HTTP 200
 * with `application/json;charset=UTF-8` (the header shown on Aligo's spec
 * pages), and the JSON is PHP `json_encode` output: non-ASCII as `\uXXXX`
 * (captured: `"\uc778\uc99d\uc624\ub958..."`) and `/` as `\/`.
 */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8'

/** A character `json_encode` writes differently from `JSON.stringify`: `/` and anything beyond ASCII. */
const PHP_ESCAPED = /[/\u007f-\uffff]/

/** PHP `json_encode` with default flags. Clients parse it like any JSON; byte-exact captures match it. */
export function phpJson(value: unknown): string {
  const json = JSON.stringify(value)
  // Most answers (codes, ids, counts, 'success') have nothing to escape: no pass over them.
  if (!PHP_ESCAPED.test(json)) return json
  return json
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** An Aligo answer: always HTTP 200, the outcome is in the body. */
export function reply(body: Record<string, unknown>): PlainResponse {
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: phpJson(body) }
}

export type Params = Record<string, string>

/**
 * The request's parameters as PHP's `$_REQUEST` sees them: form or multipart
 * fields, plus the query string (published clients put params there and get
 * answers). JSON is not a form PHP decodes, so a JSON body carries nothing
 * (its credentials never arrive and the answer is an auth error).
 * A bracketed key (`msg[]=x`, `msg[a]=x`) makes a PHP array, not the string
 * the API reads, so it counts as absent.
 */
export function readParams(req: PlainRequest): Params {
  const out: Params = {}
  takeStrings(out, req.query)
  const form =
    req.contentType === 'application/x-www-form-urlencoded' || req.contentType === 'multipart/form-data'
  // Clients that omit the content type still send form bytes; the core decoded them as a form.
  if (form || (req.contentType === undefined && !looksLikeJson(req.rawBody))) takeStrings(out, req.body)
  return out
}

/** Copies the string fields of a decoded query or form (a module function: a closure here cost a tsx `__name` per request). */
function takeStrings(out: Params, source: unknown): void {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value
  }
}

function looksLikeJson(body: Buffer): boolean {
  const first = body.toString('utf8', 0, 64).trimStart()[0]
  return first === '{' || first === '['
}

/** True for the Kakao API (kakaoapi.aligo.in), whose envelope is `{code, message}` instead of `{result_code, message}`. */
export function isKakaoPath(path: string): boolean {
  return path.startsWith('/akv10/')
}

// ---------------------------------------------------------------- text

/**
 * Carrier gateways are EUC-KR (Aligo's spec says so); iconv-lite's `euc-kr` is
 * its superset CP949, so every modern Hangul syllable is 2 bytes and ASCII 1.
 * A character it cannot encode becomes `?` (1 byte), as on the handset.
 */
export function eucKrBytes(text: string): number {
  return commonTextBytes(text) ?? iconv.encode(text, 'euc-kr').length
}

/** What the handset shows: the text through EUC-KR, unsupported characters as `?`. */
export function asHandsetText(text: string): string {
  return commonTextBytes(text) !== undefined ? text : iconv.decode(iconv.encode(text, 'euc-kr'), 'euc-kr')
}

/**
 * The common case counted without encoding (a send encoded its text four
 * times, a hot spot under load): ASCII is 1 byte and every modern Hangul
 * syllable (U+AC00–U+D7A3, all in CP949) 2, and both survive the round trip.
 * Undefined for any other character: iconv decides.
 */
function commonTextBytes(text: string): number | undefined {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code >= 0xac00 && code <= 0xd7a3) bytes += 2
    else return undefined
  }
  return bytes
}

/** The longest prefix of `text` within `limit` EUC-KR bytes, never splitting a character. */
export function truncateBytes(text: string, limit: number): string {
  if (text.length * 2 <= limit || eucKrBytes(text) <= limit) return text
  let bytes = 0
  let out = ''
  for (const char of text) {
    const size = charBytes(char)
    if (bytes + size > limit) break
    bytes += size
    out += char
  }
  return out
}

const charSizes = new Map<string, number>()

/** One character's EUC-KR size, memoised: titles and SMS cuts walk long texts character by character. */
function charBytes(char: string): number {
  if (char.length === 1 && char.charCodeAt(0) < 0x80) return 1
  let size = charSizes.get(char)
  if (size === undefined) {
    size = eucKrBytes(char)
    if (charSizes.size < 20_000) charSizes.set(char, size)
  }
  return size
}

// ---------------------------------------------------------------- time (KST, UTC+9, no DST)

const KST_OFFSET_MS = 9 * 3_600_000

function kst(epochMs: number) {
  const d = new Date(epochMs + KST_OFFSET_MS)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return {
    date: `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`,
    dash: `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`,
    time: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`,
    compactTime: `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`,
  }
}

/** `2026-11-21 11:37:35` in Korean time, as Aligo writes reg_date, send_date, cancel_date. */
export function kstDateTime(epochMs: number): string {
  const k = kst(epochMs)
  return `${k.dash} ${k.time}`
}

/** `20261121` in Korean time (start_date, rdate). */
export function kstDate(epochMs: number): string {
  return kst(epochMs).date
}

/** `20261121113735` in Korean time (AlimTalk senddate, reserve_date). */
export function kstCompact(epochMs: number): string {
  const k = kst(epochMs)
  return `${k.date}${k.compactTime}`
}

/**
 * Epoch ms of a Korean wall-clock time given as digits (`YYYYMMDD` + `HHII`
 * or `YYYYMMDDHHIISS`); undefined when it is not a real date and time.
 */
export function parseKst(digits: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(digits)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number) as number[]
  const utc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!)
  const back = new Date(utc)
  // Date.UTC rolls 20261332 over into next year; a real date survives the round trip.
  if (
    back.getUTCMonth() !== mo! - 1 ||
    back.getUTCDate() !== d! ||
    back.getUTCHours() !== h! ||
    back.getUTCMinutes() !== mi!
  )
    return undefined
  return utc - KST_OFFSET_MS
}

/** Start of the Korean day `YYYYMMDD`, in epoch ms; undefined when it is not a date. */
export function parseKstDay(date: string): number | undefined {
  return /^\d{8}$/.test(date) ? parseKst(`${date}0000`) : undefined
}
