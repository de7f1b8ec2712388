/**
 * The UTF-8 byte length of `JSON.stringify(value)`, counted without making
 * the text: a provider that caps a batch by its size on the wire (SendGrid's
 * 768 KB event batches) counts every event as it is queued, and most are
 * never sent. Half the time of `JSON.stringify` plus `Buffer.byteLength` on
 * a SendGrid event, and no garbage.
 *
 * Anything but plain objects, arrays and primitives (a `toJSON`, a class
 * instance, a boxed primitive) is left to `JSON.stringify` itself, as is a
 * string with a character it escapes or that is not ASCII. `undefined` (at
 * the top) counts as 0: `JSON.stringify` gives no text. A cycle throws a
 * RangeError here (the stack), a TypeError there.
 */
export function jsonBytes(value: unknown): number {
  if (value === null) return 4
  switch (typeof value) {
    case 'string':
      return stringBytes(value)
    case 'number':
      return numberBytes(value)
    case 'boolean':
      return value ? 4 : 5
    case 'object':
      return Array.isArray(value) ? arrayBytes(value) : objectBytes(value)
    case 'bigint':
      // What JSON.stringify does with it (a TypeError), where it does it.
      return Buffer.byteLength(JSON.stringify(value))
    default:
      return 0
  }
}

/** Printable ASCII other than `"` and `\`: written as is between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

function stringBytes(text: string): number {
  return PLAIN.test(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text))
}

function numberBytes(n: number): number {
  if (!Number.isSafeInteger(n)) return Number.isFinite(n) ? String(n).length : 4
  // -0 is written "0".
  let digits = n < 0 ? 2 : 1
  for (let rest = Math.abs(n); rest >= 10; rest = Math.floor(rest / 10)) digits++
  return digits
}

/** What an array holds in a slot JSON has no text for: `null`. */
const skipped = (item: unknown) =>
  item === undefined || typeof item === 'function' || typeof item === 'symbol'

function arrayBytes(items: readonly unknown[]): number {
  if (!isPlainArray(items)) return Buffer.byteLength(JSON.stringify(items))
  // Brackets, and a comma between each two items.
  let bytes = items.length === 0 ? 2 : items.length + 1
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    bytes += skipped(item) ? 4 : jsonBytes(item)
  }
  return bytes
}

function objectBytes(object: object): number {
  const proto = Object.getPrototypeOf(object)
  if (
    (proto !== Object.prototype && proto !== null) ||
    typeof (object as { toJSON?: unknown }).toJSON === 'function'
  )
    return Buffer.byteLength(JSON.stringify(object))
  let bytes = 2
  let members = 0
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue
    const item = (object as Record<string, unknown>)[key]
    if (skipped(item)) continue
    bytes += stringBytes(key) + 1 + jsonBytes(item)
    members++
  }
  return members > 1 ? bytes + members - 1 : bytes
}

function isPlainArray(items: readonly unknown[]): boolean {
  return (
    Object.getPrototypeOf(items) === Array.prototype &&
    typeof (items as { toJSON?: unknown }).toJSON !== 'function'
  )
}
