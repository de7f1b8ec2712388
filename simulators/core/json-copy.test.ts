import { describe, expect, it } from 'vitest'
import { copyJson, setOwnKey } from './json-copy.ts'

describe('copyJson', () => {
  it('copies stored objects as a JSON round trip would', () => {
    const value = {
      a: 1,
      gone: undefined,
      fn: () => 1,
      nested: { list: [1, undefined, { b: null }, Number.NaN], at: new Date(0) },
      inf: Number.POSITIVE_INFINITY,
      10: 'numeric key first',
    }
    const copy = copyJson(value)
    expect(copy).toStrictEqual(JSON.parse(JSON.stringify(value)))
    expect(Object.keys(copy)).toEqual(Object.keys(JSON.parse(JSON.stringify(value))))
    expect(copy.nested).not.toBe(value.nested)
    expect(copy.nested.list[2]).not.toBe(value.nested.list[2])
    // Without keys to leave out (the usual stored object), the copy is made by another way: the same answer.
    const plain = { a: { b: [1, { c: Number.NaN }], d: Number.NEGATIVE_INFINITY, at: new Date(0) }, e: 's' }
    expect(copyJson(plain)).toStrictEqual(JSON.parse(JSON.stringify(plain)))
    expect(copyJson(plain).a).not.toBe(plain.a)
  })

  it('shares a frozen object (it cannot change) and copies what holds it', () => {
    const fixed = Object.freeze({ order: 'o_1' })
    const value = { metadata: fixed, list: [fixed] }
    const copy = copyJson(value)
    expect(copy.metadata).toBe(fixed)
    expect(copy.list[0]).toBe(fixed)
    expect(copy.list).not.toBe(value.list)
  })

  it('keeps a key named __proto__ a plain key, with its own copy', () => {
    const value = JSON.parse('{"metadata":{"__proto__":{"x":1}},"a":[{"__proto__":2}]}')
    const copy = copyJson(value)
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value))
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype)
    expect(Object.hasOwn(copy.metadata, '__proto__')).toBe(true)
    // An own data property: read through its descriptor, not the accessor the name also means.
    const own = (o: object) => Object.getOwnPropertyDescriptor(o, '__proto__')?.value
    expect(own(copy.metadata)).toEqual({ x: 1 })
    expect(own(copy.metadata)).not.toBe(own(value.metadata))
  })

  it('setOwnKey keeps a key named __proto__ an own key and leaves the prototype alone', () => {
    const target: Record<string, unknown> = {}
    setOwnKey(target, '__proto__', { polluted: true })
    setOwnKey(target, 'a', 1)
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype)
    expect(Object.keys(target)).toEqual(['__proto__', 'a'])
    expect(JSON.stringify(target)).toBe('{"__proto__":{"polluted":true},"a":1}')
    expect((target as { polluted?: boolean }).polluted).toBeUndefined()
  })
})
