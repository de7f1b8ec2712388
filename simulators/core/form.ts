/**
 * Bracket-nested form decoding, as PHP, Rack and qs read
 * `application/x-www-form-urlencoded`: `metadata[order_id]=1` is an object,
 * `items[0][price]=p` and `expand[]=a` are arrays. Values stay strings; a
 * provider's zod schema coerces them (decode in three steps: pairs → nested → coerced).
 */

const MAX_DEPTH = 12
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export type FormValue = string | FormValue[] | { [key: string]: FormValue }
export type FormObject = { [key: string]: FormValue }

/** Decodes `a=1&b[c]=2&d[]=3` into `{ a: '1', b: { c: '2' }, d: ['3'] }`. */
export function decodeForm(text: string): FormObject {
  if (text.length === 0) return Object.create(null)
  const pairs = formPairs(text)
  return pairs.every(isPlainKey) ? flat(pairs) : decodePairs(pairs)
}

/**
 * The pairs `new URLSearchParams(text)` reads, without its objects (its
 * iterator and pair arrays were 500–850 B of garbage per form request on the
 * bench's endpoints). A pair that needs decoding goes
 * through decodeURIComponent; one it refuses (a stray `%`, bytes that are not
 * UTF-8) through URLSearchParams itself, so the result is the WHATWG one either way.
 */
export function formPairs(text: string): [string, string][] {
  const pairs: [string, string][] = []
  // As URLSearchParams: one leading '?' is not part of the first name.
  let start = text.startsWith('?') ? 1 : 0
  while (start <= text.length) {
    let end = text.indexOf('&', start)
    if (end < 0) end = text.length
    if (end > start) {
      const eq = text.indexOf('=', start)
      const split = eq >= 0 && eq < end
      pairs.push([
        formComponent(text, start, split ? eq : end),
        split ? formComponent(text, eq + 1, end) : '',
      ])
    }
    start = end + 1
  }
  return pairs
}

function formComponent(text: string, from: number, to: number): string {
  // One scan of the piece: most names and values hold neither a `+` nor an escape, and are a plain slice.
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === PLUS || c === PERCENT) return decodeComponent(text, from, to, i)
  }
  return text.slice(from, to)
}

const PLUS = 43
const PERCENT = 37

/**
 * Decodes a piece from `first`, its first `+` or `%`. ASCII escapes (`%5B`, `%40`) are decoded here: through
 * decodeURIComponent, they cost a call into the runtime per piece (a Stripe form's bracket names are all
 * escaped). An escape of a byte past ASCII (UTF-8) or a malformed one goes the whole piece to {@link slowComponent}.
 */
function decodeComponent(text: string, from: number, to: number, first: number): string {
  let out = text.slice(from, first)
  let run = first
  for (let i = first; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === PLUS) {
      out += `${text.slice(run, i)} `
      run = i + 1
    } else if (c === PERCENT) {
      const byte = i + 2 < to ? hexByte(text.charCodeAt(i + 1), text.charCodeAt(i + 2)) : -1
      if (byte < 0 || byte > 0x7f) return slowComponent(text, from, to)
      out += text.slice(run, i) + String.fromCharCode(byte)
      i += 2
      run = i + 1
    }
  }
  return out + text.slice(run, to)
}

/** The byte two hex digits spell, or -1. */
function hexByte(high: number, low: number): number {
  const h = hexDigit(high)
  const l = hexDigit(low)
  return h < 0 || l < 0 ? -1 : h * 16 + l
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const lower = c | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

function slowComponent(text: string, from: number, to: number): string {
  const raw = text.slice(from, to).replaceAll('+', ' ')
  try {
    return decodeURIComponent(raw)
  } catch {
    // What WHATWG does with what decodeURIComponent refuses: a stray % stays, bad UTF-8 becomes U+FFFD.
    return [...new URLSearchParams(`a=${text.slice(from, to)}`)][0]![1]
  }
}

/**
 * Most forms on the hot path (an SMS send, a customer create) are flat: their
 * object is built at once, without the nesting walk and the copy `normalize`
 * makes of it.
 */
function flat(pairs: [string, string][]): FormObject {
  const out: FormObject = {}
  // Indexed, not destructured: destructuring a pair runs the iterator protocol, an object per pair.
  for (let i = 0; i < pairs.length; i++) out[pairs[i]![0]] = pairs[i]![1]
  return out
}

/** A key that is one segment and means the same in the walk: no brackets, not forbidden, not an index. */
function isPlainKey(pair: [string, string]): boolean {
  const key = pair[0]
  return key.length > 0 && !key.includes('[') && !FORBIDDEN_KEYS.has(key) && !isIndex(key)
}

/** Same as {@link decodeForm} for already split pairs (query strings, multipart fields). */
export function decodePairs(pairs: Iterable<[string, string]>): FormObject {
  const out: FormObject = {}
  let indexed = false
  for (const pair of pairs) {
    const segments = splitKey(pair[0])
    indexed ||= segments.some(isIndex)
    setPath(out, segments, pair[1])
  }
  // Only integer-keyed maps need the copying walk (to become arrays); the rest is already in its final form.
  return indexed ? (normalize(out) as FormObject) : out
}

/**
 * An array index as qs and PHP read one: a canonical integer below 10,000 (`0`, `7`, `42`). `00` and `01`
 * are keys: counted as indexes, they were looked up as `0` and `1` and crashed the decoder.
 */
const isIndex = (segment: string) => /^(?:0|[1-9]\d{0,3})$/.test(segment)
const isForbidden = (segment: string) => FORBIDDEN_KEYS.has(segment)

/** Inverse of {@link decodeForm}: nested values → bracket keys, the way bracket-form SDKs encode them. */
export function encodeForm(value: Record<string, unknown>): string {
  const params = new URLSearchParams()
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined) return
    if (v === null) return params.append(prefix, '')
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(`${prefix}[${i}]`, item)
      return
    }
    if (typeof v === 'object') {
      for (const [k, inner] of Object.entries(v as Record<string, unknown>))
        walk(prefix ? `${prefix}[${k}]` : k, inner)
      return
    }
    params.append(prefix, String(v))
  }
  walk('', value)
  return params.toString()
}

/** `a[b][]` → ['a', 'b', '']; a key without brackets is one segment. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[')
  if (open <= 0) return [key]
  const segments = [key.slice(0, open)]
  // An index into the key rather than a sliced rest: one substring per segment, not two.
  let at = open
  while (at < key.length && key.charCodeAt(at) === OPEN_BRACKET && segments.length <= MAX_DEPTH) {
    const close = key.indexOf(']', at)
    if (close < 0) break
    segments.push(key.slice(at + 1, close))
    at = close + 1
  }
  // Trailing garbage after the last bracket stays part of the last segment, as qs does.
  if (at < key.length) segments[segments.length - 1] += key.slice(at)
  return segments
}

const OPEN_BRACKET = 91

type Node = { [key: string]: Node | string } | (Node | string)[]

function setPath(root: Node, segments: string[], value: string) {
  if (segments.some(isForbidden)) return
  let node: Node = root
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    const last = i === segments.length - 1
    const container = node as Record<string, Node | string>
    if (segment === '') {
      // `key[]`: append. An append in the middle (`a[][b]`) starts a new element.
      const list = Array.isArray(node) ? (node as (Node | string)[]) : null
      if (!list) return
      if (last) list.push(value)
      else {
        const child: Node = {}
        list.push(child)
        node = child
      }
      continue
    }
    if (last) {
      container[segment] = value
      return
    }
    const nextIsAppend = segments[i + 1] === ''
    // Own keys only: the containers are plain objects, and `toString` is not a container of the form's.
    let child = Object.hasOwn(container, segment) ? container[segment] : undefined
    if (child === undefined || typeof child === 'string') {
      child = nextIsAppend ? [] : {}
      container[segment] = child as Node
    }
    node = child as Node
  }
}

/** Objects whose keys are all small integers become arrays, in index order (`items[0]`, `items[1]`). */
function normalize(node: Node | string): FormValue {
  if (typeof node === 'string') return node
  if (Array.isArray(node)) return node.map(normalize)
  const keys = Object.keys(node)
  if (keys.length > 0 && keys.every(isIndex)) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalize(node[String(k)]!))
  }
  const out: { [key: string]: FormValue } = {}
  for (const k of keys) out[k] = normalize(node[k]!)
  return out
}
