/**
 * A deep copy of plain JSON data with what `JSON.parse(JSON.stringify(value))`
 * gives: keys whose value is undefined (or a function) left out, such array
 * items and non-finite numbers turned to null, and anything with a `toJSON`
 * (a Date) copied as JSON would. Plain data has no symbol keys (a spread would
 * copy them where JSON drops them).
 *
 * A walk allocates only the copy; the string round trip built and parsed the
 * whole text first (measured: about 3× slower on a charge). Each object is
 * copied by a spread, which keeps its fast shape in V8: built key by key, an
 * object of a few dozen keys (a charge, a PaymentIntent) becomes a slow
 * dictionary, about twice the memory of the original.
 *
 * A frozen object is shared, not copied, taken as frozen all the way down
 * (as Stripe's event snapshots freeze the plain values they share with the
 * live object): it cannot change, so a copy would only cost memory, and a
 * spread of a frozen object takes V8's slow path, about 6× a plain one's.
 */
export function copyJson<T>(value: T): T {
  return copyValue(value) as T
}

function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value
  }
  if (Array.isArray(value)) {
    const out = value.slice()
    for (let i = 0; i < out.length; i++) {
      const item = out[i]
      if (typeof item === 'object' && item !== null) out[i] = copyValue(item)
      else if (item === undefined || typeof item === 'function' || typeof item === 'symbol') out[i] = null
      else if (typeof item === 'number' && !Number.isFinite(item)) out[i] = null
    }
    return out
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(value))
  if (Object.isFrozen(value)) return value
  const out = { ...(value as Record<string, unknown>) }
  for (const key in out) {
    const item = out[key]
    if (typeof item === 'object' && item !== null) out[key] = copyValue(item)
    else if (item === undefined || typeof item === 'function' || typeof item === 'symbol')
      return copyKeyByKey(value as Record<string, unknown>)
    else if (typeof item === 'number' && !Number.isFinite(item)) out[key] = null
  }
  return out
}

/** The rare object with keys JSON leaves out (an undefined value): rebuilt without them. */
function copyKeyByKey(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key in source) {
    const item = source[key]
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
    out[key] = copyValue(item)
  }
  return out
}

/**
 * Sets `key` as an own data property, `__proto__` included: an assignment of that name sets the prototype
 * instead, so a client's key named so (a custom arg, a metadata key) would vanish from the copy.
 */
export function setOwnKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
