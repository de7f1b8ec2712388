import { copyJson } from '../core/json-copy.ts'
import { spreadByKind } from '../core/spread-by-kind.ts'
import { kindOf } from './codec.ts'

/**
 * An event's `data.object` is the object as it was when the event happened,
 * and stays so while the object changes. A deep copy per event made that
 * true at a price: the three events of a PaymentIntent confirmed copied
 * 6.8 of the 27.3 KB the request allocated (`npm run bench:pipeline`, README
 * "Event snapshots share what cannot change").
 *
 * A snapshot now copies only what can still change and shares the rest:
 * - the object's own keys (its status, amounts, ids change in place);
 * - arrays (lists grow in place: a charge's refunds, a dispute's balance
 *   transactions);
 * - every nested API object and list (anything with an `object` field: a
 *   refund inside a charge is the refund stored on its own, and changes);
 * - a plain nested value (`metadata`, `status_transitions`,
 *   `payment_method_details`) holding only such fixed data is frozen and
 *   shared by the object and every snapshot of it.
 *
 * So the rule for the code that changes an object: a plain nested value is
 * replaced, never changed in place ({@link patchNested}). Changing a frozen
 * one throws a TypeError, which the pipeline answers as Stripe's 500 and
 * journals as internal: loud in every test, where a silent change would
 * have rewritten the history every earlier event shows.
 */
export function snapshotOf(object: object): Record<string, unknown> {
  const record = object as Record<string, unknown>
  return copyObject(record, kindOf(record))
}

/** Replaces `owner[key]` with a copy carrying `patch`: how a plain nested value changes. */
export function patchNested<T extends object, K extends keyof T>(
  owner: T,
  key: K,
  patch: Partial<T[K]>,
): void {
  owner[key] = { ...owner[key], ...patch }
}

function copyObject(object: Record<string, unknown>, kind: string | undefined): Record<string, unknown> {
  const out = spreadByKind(object, kind)
  for (const key in out) {
    const value = out[key]
    if (typeof value === 'object' && value !== null) out[key] = snapshotValue(value)
  }
  return out
}

/** The value itself when it cannot change (frozen here, now or before), or a copy of it. */
function snapshotValue(value: object): unknown {
  if (Object.isFrozen(value)) return value
  // Bytes cannot be frozen (and Stripe stores none): copied as JSON would send them.
  if (ArrayBuffer.isView(value)) return copyJson(value)
  if (Array.isArray(value)) {
    const out = value.slice()
    for (let i = 0; i < out.length; i++) {
      const item = out[i]
      if (typeof item === 'object' && item !== null) out[i] = snapshotValue(item)
    }
    return out
  }
  const record = value as Record<string, unknown>
  const kind = kindOf(record)
  if (kind !== undefined) return copyObject(record, kind)
  // Frozen only when everything inside is fixed: a plain value holding an array or an API object is copied.
  let copy: Record<string, unknown> | undefined
  for (const key in record) {
    const item = record[key]
    if (typeof item !== 'object' || item === null) continue
    const shared = snapshotValue(item)
    if (shared === item) continue
    copy ??= { ...record }
    copy[key] = shared
  }
  return copy ?? Object.freeze(record)
}
