/**
 * Toss writes times in Korea Standard Time (UTC+9, no daylight saving):
 * `approvedAt: "2024-01-24T12:53:45+09:00"` on objects, and webhooks'
 * `createdAt: "2022-01-01T00:00:00.000000"` with microseconds and no offset.
 */
import { rememberLast } from '../core/remember.ts'

const KST_MS = 9 * 3_600_000

/** Remembers the last millisecond: a confirm stamps the payment and its webhook with the same one. */
const kstIsoOfMs = rememberLast((ms: number) => new Date(ms + KST_MS).toISOString())

function kstIso(epochMs: number): string {
  return kstIsoOfMs(Math.floor(epochMs))
}

/** `2024-01-24T12:53:45+09:00`: the API objects' timestamps. */
export function kst(epochMs: number): string {
  return `${kstIso(epochMs).slice(0, 19)}+09:00`
}

/** `2024-01-24T12:53:45.123000`: a webhook body's `createdAt` (no offset, as Toss sends it). */
export function webhookTime(epochMs: number): string {
  return `${kstIso(epochMs).slice(0, 23)}000`
}

/** `20240124125345`: the timestamp inside newer paymentKeys. */
export function compactKst(epochMs: number): string {
  return kstIso(epochMs).slice(0, 19).replace(/[-T:]/g, '')
}
