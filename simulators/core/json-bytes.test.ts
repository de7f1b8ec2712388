import { describe, expect, it } from 'vitest'
import { jsonBytes } from './json-bytes.ts'
import { createRandom } from './random.ts'

const expected = (value: unknown) => {
  const text = JSON.stringify(value)
  return text === undefined ? 0 : Buffer.byteLength(text)
}

/** Strings with what JSON escapes, non-ASCII, astral and lone surrogates among plain text. */
const PIECES = [
  'a',
  'Z',
  ' ',
  '~',
  '"',
  '\\',
  '\n',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  '한',
  '😀',
  '\ud800',
  '\udc00',
  '/',
  '<',
]
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  9,
  10,
  99,
  100,
  1796245207,
  -1796245207,
  0.1,
  -2.5e-7,
  1e21,
  1.5e300,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.MIN_VALUE,
]

function generate(random: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!
  const kind = Math.floor(random() * (depth > 3 ? 6 : 10))
  switch (kind) {
    case 0:
      return null
    case 1:
      return random() < 0.5
    case 2:
      return pick(NUMBERS)
    case 3:
      return Math.floor((random() - 0.5) * 10 ** Math.floor(random() * 17))
    case 4:
    case 5:
      return Array.from({ length: Math.floor(random() * 8) }, () => pick(PIECES)).join('')
    case 6: {
      const items = Array.from({ length: Math.floor(random() * 5) }, () => generate(random, depth + 1))
      if (random() < 0.1) items.push(undefined, () => 1)
      if (random() < 0.05) items.length += 2 // holes
      return items
    }
    case 7:
      return pick([
        new Date(0),
        new Map([[1, 2]]),
        Object.create(null),
        { toJSON: () => 'x' },
        new String('s'),
        [1, 2],
      ])
    default: {
      const out: Record<string, unknown> = random() < 0.1 ? Object.create(null) : {}
      for (let i = Math.floor(random() * 6); i > 0; i--)
        out[random() < 0.2 ? String(Math.floor(random() * 3)) : (generate(random, 9) as string)] = generate(
          random,
          depth + 1,
        )
      if (random() < 0.1) out.gone = undefined
      return out
    }
  }
}

describe('jsonBytes', () => {
  it("counts JSON.stringify's UTF-8 bytes of a SendGrid event", () => {
    const event = {
      email: 'jenny@example.com',
      timestamp: 1796245207,
      event: 'delivered',
      sg_event_id: 'abcdefghijklmnopqrstuv',
      category: ['receipt', 'été'],
      url_offset: { index: 0, type: 'html' },
      gone: undefined,
    }
    expect(jsonBytes(event)).toBe(expected(event))
  })

  it('agrees with JSON.stringify on 20,000 generated values (escapes, non-ASCII, lone surrogates, -0, holes, toJSON)', () => {
    const random = createRandom(7)
    for (let i = 0; i < 20_000; i++) {
      const value = generate(random, 0)
      const got = jsonBytes(value)
      if (got !== expected(value)) expect({ value, got }).toEqual({ value, got: expected(value) })
    }
  })

  it('counts nothing for what JSON.stringify writes nothing for, and throws where it throws', () => {
    expect(jsonBytes(undefined)).toBe(0)
    expect(jsonBytes(() => 1)).toBe(0)
    expect(() => jsonBytes({ n: 1n })).toThrow(TypeError)
  })
})
