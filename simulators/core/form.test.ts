import { describe, expect, it } from 'vitest'
import { decodeForm, decodePairs, encodeForm, formPairs } from './form.ts'

describe('bracket-nested form decoding', () => {
  it('decodes flat pairs', () => {
    expect(decodeForm('amount=2000&currency=usd')).toEqual({ amount: '2000', currency: 'usd' })
  })

  it('decodes nested objects', () => {
    expect(decodeForm('metadata[order_id]=o_1&metadata[user][id]=u_2')).toEqual({
      metadata: { order_id: 'o_1', user: { id: 'u_2' } },
    })
  })

  it('decodes indexed arrays of objects in index order', () => {
    const form =
      'line_items[1][price]=p_b&line_items[0][price]=p_a&line_items[0][quantity]=2&line_items[1][quantity]=1'
    expect(decodeForm(form)).toEqual({
      line_items: [
        { price: 'p_a', quantity: '2' },
        { price: 'p_b', quantity: '1' },
      ],
    })
  })

  it('decodes expand[] and expand[0] to the same array', () => {
    expect(decodeForm('expand[]=customer&expand[]=latest_charge')).toEqual({
      expand: ['customer', 'latest_charge'],
    })
    expect(decodeForm('expand[0]=customer&expand[1]=latest_charge')).toEqual({
      expand: ['customer', 'latest_charge'],
    })
  })

  it('reads a bracket with leading zeros (items[00], a[0]0) as a key, not an index, as qs and PHP do', () => {
    // It used to crash the decoder: the key `00` counted as an index, then was looked up as `0`.
    expect(decodeForm('metadata[00]=x&b[01]=y&c[0]=z')).toEqual({
      metadata: { '00': 'x' },
      b: { '01': 'y' },
      c: ['z'],
    })
    expect(decodeForm('++[0]0')).toEqual({ '  ': { '00': '' } })
    expect(decodeForm('items[0][a]=1&items[00][b]=2')).toEqual({
      items: { '0': { a: '1' }, '00': { b: '2' } },
    })
  })

  it('keeps percent-encoded and unicode values intact', () => {
    expect(decodeForm('Body=%EC%9D%B8%EC%A6%9D%EB%B2%88%ED%98%B8+123456&To=%2B821012345678')).toEqual({
      Body: '인증번호 123456',
      To: '+821012345678',
    })
  })

  it('ignores prototype-polluting keys', () => {
    const decoded = decodeForm('__proto__[polluted]=1&a[__proto__][x]=2&ok=1')
    expect(decoded).toEqual({ ok: '1' })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('round-trips with encodeForm', () => {
    const value = {
      amount: '100',
      metadata: { a: 'b' },
      items: [{ price: 'p1' }, { price: 'p2' }],
      expand: ['x'],
    }
    expect(decodeForm(encodeForm(value))).toEqual(value)
  })

  it('decodes an empty body to an empty object', () => {
    expect(decodeForm('')).toEqual({})
  })

  it('reads a flat form as the nesting walk does (duplicates, indexes, forbidden and empty keys)', () => {
    for (const text of [
      'To=%2B15558675310&From=%2B15005550006&Body=Your+code+is+123456',
      'a=1&a=2&b=%E2%82%AC',
      '0=x&1=y',
      'a=1&0=x',
      '__proto__=1&ok=2',
      '=empty&ok=1',
      'a=1&b[c]=2',
    ]) {
      const pairs = [...new URLSearchParams(text)]
      expect(decodeForm(text), text).toEqual(decodePairs(pairs))
    }
  })

  it('nests under keys that objects inherit (toString, valueOf) as under any other, without touching the prototype', () => {
    expect(decodeForm('toString[x]=1&a[valueOf]=2&a[b][hasOwnProperty]=3')).toEqual({
      toString: { x: '1' },
      a: { valueOf: '2', b: { hasOwnProperty: '3' } },
    })
    expect(Object.hasOwn(Object.prototype.toString, 'x')).toBe(false)
  })

  it('splits pairs exactly as URLSearchParams does (plus, stray and bad percent escapes, a leading ?, empty pieces)', () => {
    const pieces = [
      '?',
      'a',
      'b',
      '=',
      '&',
      '%',
      '+',
      '2',
      'F',
      'E9',
      '%E9',
      '%C3%A9',
      '%zz',
      '%2',
      ' ',
      'é',
      '한',
      '[',
      '%5B',
      '%5b',
      '%7e',
      '%7F',
      '%80',
      '%2b',
      '%26',
      '%3D',
      '%ED%A0%80',
      '%F0%9F%98%80',
      '😀',
    ]
    // A fixed walk over the pieces (no randomness: a failure names its input and repeats).
    let state = 7
    for (let i = 0; i < 20_000; i++) {
      let text = ''
      for (let length = i % 11; length > 0; length--) {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31
        text += pieces[state % pieces.length]
      }
      expect(formPairs(text), JSON.stringify(text)).toEqual([...new URLSearchParams(text)])
    }
  })
})
