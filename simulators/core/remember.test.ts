import { describe, expect, it } from 'vitest'
import { rememberLast } from './remember.ts'

describe('rememberLast', () => {
  it('computes once for a repeated argument and again for a new one', () => {
    const calls: number[] = []
    const double = rememberLast((n: number) => {
      calls.push(n)
      return { doubled: n * 2 }
    })
    const first = double(2)
    expect(double(2)).toBe(first)
    expect(double(3)).toEqual({ doubled: 6 })
    expect(double(2)).toEqual({ doubled: 4 })
    expect(calls).toEqual([2, 3, 2])
  })

  it('remembers an undefined answer, and nothing from a throw', () => {
    let calls = 0
    const parse = rememberLast((text: string) => {
      calls++
      if (text === 'bad') throw new Error('bad')
      return text === '' ? undefined : text
    })
    expect(parse('')).toBeUndefined()
    expect(parse('')).toBeUndefined()
    expect(calls).toBe(1)
    expect(() => parse('bad')).toThrow('bad')
    expect(parse('')).toBeUndefined()
    expect(calls).toBe(2)
  })
})
