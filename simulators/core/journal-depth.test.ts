import { describe, expect, it } from 'vitest'
import { decodeForm } from './form.ts'
import { mayNestDeeperThan, nestsDeeperThan } from './journal.ts'
import { createRandom } from './random.ts'

/** A JSON value nested `depth` deep, brackets in its strings now and then (they only add to the count). */
function nestedJson(random: () => number, depth: number): unknown {
  if (depth === 0) return random() < 0.3 ? 'a [string] {with} brackets' : Math.floor(random() * 100)
  return random() < 0.5
    ? [nestedJson(random, depth - 1), 'x']
    : { key: nestedJson(random, depth - 1), other: random() < 0.5 ? '[' : 1 }
}

/** A form key nested `depth` deep, each bracket written as is or percent-encoded. */
function nestedFormKey(random: () => number, depth: number): string {
  let key = 'a'
  for (let i = 1; i < depth; i++)
    key += random() < 0.5 ? `[k${i}]` : `%5${random() < 0.5 ? 'B' : 'b'}k${i}%5${random() < 0.5 ? 'D' : 'd'}`
  return key
}

describe("the journal's depth bound", () => {
  it('never says a body cannot nest deeper when its decoded value does (JSON and forms, 4,000 generated)', () => {
    const random = createRandom(7)
    let deeper = 0
    for (let n = 0; n < 2_000; n++) {
      const maxDepth = 1 + Math.floor(random() * 12)
      const json = JSON.stringify(nestedJson(random, Math.floor(random() * 16)))
      const form = `${nestedFormKey(random, 1 + Math.floor(random() * 11))}=1&b=2`
      for (const [raw, decoded] of [
        [json, JSON.parse(json)],
        [form, decodeForm(form)],
      ] as const) {
        if (!nestsDeeperThan(decoded, maxDepth)) continue
        deeper++
        expect(mayNestDeeperThan(Buffer.from(raw), maxDepth), raw).toBe(true)
      }
    }
    expect(deeper).toBeGreaterThan(500)
  })

  it('lets a flat or shallow body skip the walk', () => {
    const mail = JSON.stringify({
      personalizations: [{ to: [{ email: 'a@example.com' }] }],
      from: { email: 'b@example.com' },
      subject: 'Hi',
      content: [{ type: 'text/plain', value: 'x'.repeat(300) }],
    })
    expect(mayNestDeeperThan(Buffer.from(mail), 64)).toBe(false)
    expect(mayNestDeeperThan(Buffer.from('email=a%40example.com&metadata[order_id]=o_1'), 64)).toBe(false)
    expect(mayNestDeeperThan(Buffer.from(`${'['.repeat(64)}${']'.repeat(64)}`), 64)).toBe(true)
  })
})
