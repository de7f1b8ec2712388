import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { compiledParser } from '../core/compiled-parser.ts'
import { createRandom, type Random } from '../core/random.ts'
import { allProviders } from './providers.ts'

/**
 * The pipeline parses every route's input with zod's compiled parser
 * (core/compiled-parser.ts), trusting zod's promise that it answers as
 * the runtime parser does. This holds it to that, for every route of every
 * provider: over generated inputs (the keys the schema names, nested, with
 * values of every JSON type and the strings forms carry), the compiled and the
 * runtime parse give the same success, the same output and the same issues.
 */
const INPUTS_PER_ROUTE = 150

const SCALARS: unknown[] = [
  undefined,
  null,
  '',
  'x',
  '0',
  '1',
  '100',
  '-5',
  '1.5',
  'true',
  'false',
  'usd',
  'INR',
  'KRW',
  'pm_card_visa',
  'https://example.com/hook',
  'jenny@example.com',
  '+15005550006',
  '01012345678',
  'Y',
  'N',
  'x'.repeat(600),
  0,
  1,
  -1,
  100,
  1.5,
  50_000,
  Number.NaN,
  true,
  false,
]

describe('compiled route inputs', () => {
  const routes = allProviders.flatMap((provider) =>
    provider.routes
      .filter((route) => route.input !== undefined)
      .map((route) => ({ provider: provider.name, route })),
  )

  it('covers every route with an input', () => {
    expect(routes.length).toBeGreaterThan(150)
  })

  it('parses as the runtime parser does, for every route of every provider', () => {
    const mismatches: string[] = []
    for (const { provider, route } of routes) {
      const schema = route.input as z.ZodType
      const compiled = compiledParser(schema)
      const keys = [...keysIn(schema, new Set())]
      const random = createRandom(keys.length + route.path.length)
      for (let i = 0; i < INPUTS_PER_ROUTE; i++) {
        const input = i === 0 ? {} : randomObject(random, keys, 0)
        const plain = schema.safeParse(input)
        const fast = compiled.safeParse(input)
        if (!isDeepStrictEqual(plain, fast))
          mismatches.push(`${provider} ${route.operation}: ${JSON.stringify(input)}`)
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([])
  })
})

/** Every object key the schema names, however deep (optional, nullable, pipes, unions, arrays, records). */
function keysIn(schema: z.ZodType, seen: Set<string>): Set<string> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def
  const children: unknown[] = []
  if (def.shape) {
    for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
      seen.add(key)
      children.push(child)
    }
  }
  for (const field of ['innerType', 'in', 'out', 'element', 'valueType', 'catchall'])
    if (def[field]) children.push(def[field])
  if (Array.isArray(def.options)) children.push(...def.options)
  for (const child of children)
    if (child && typeof child === 'object' && '_zod' in child) keysIn(child as z.ZodType, seen)
  return seen
}

function randomObject(random: Random, keys: string[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const count = Math.floor(random() * Math.min(keys.length + 2, 8))
  for (let i = 0; i < count; i++) {
    // Mostly the schema's own keys; now and then one it does not name (strict, loose and stripping objects differ there).
    const key = random() < 0.9 && keys.length > 0 ? keys[Math.floor(random() * keys.length)]! : `extra_${i}`
    out[key] = randomValue(random, keys, depth + 1)
  }
  return out
}

function randomValue(random: Random, keys: string[], depth: number): unknown {
  const roll = random()
  if (depth < 3 && roll < 0.15) return randomObject(random, keys, depth)
  if (depth < 3 && roll < 0.22)
    return Array.from({ length: Math.floor(random() * 3) }, () => randomValue(random, keys, depth + 1))
  return SCALARS[Math.floor(random() * SCALARS.length)]
}
