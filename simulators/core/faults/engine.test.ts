import { describe, expect, it } from 'vitest'
import { testkitErrors } from '../../testkit/index.ts'
import type { HarnessError } from '../errors.ts'
import { FaultEngine } from './engine.ts'
import type { MatchSubject } from './matcher.ts'

const engine = (seed = 7) =>
  new FaultEngine(
    seed,
    (p) => (p === 'testkit' ? testkitErrors : undefined),
    () => 0,
  )

const subject = (over: Partial<MatchSubject> = {}): MatchSubject => ({
  provider: 'testkit',
  operation: 'widgets.create',
  method: 'POST',
  path: '/v1/widgets',
  account: 'a',
  body: { name: 'w', metadata: { order_id: 'o_81' } },
  query: {},
  headers: { 'x-trace': 'abc' },
  ...over,
})

const status503 = { type: 'status', status: 503 } as const

describe('fault matching', () => {
  it('matches on body, query and header fields', () => {
    const faults = engine()
    faults.add({
      match: {
        provider: 'testkit',
        body: { 'metadata.order_id': 'o_81' },
        headers: { 'X-Trace': { regex: '^ab' } },
      },
      effect: status503,
    })
    expect(faults.evaluate(subject()).terminal).toBeDefined()
    expect(faults.evaluate(subject({ body: { metadata: { order_id: 'o_82' } } })).terminal).toBeUndefined()
    expect(faults.evaluate(subject({ headers: {} })).terminal).toBeUndefined()
  })

  it('matches operation, method, path pattern and account', () => {
    const faults = engine()
    faults.add({
      match: { provider: 'testkit', method: 'GET', path: '/v1/widgets/:id', account: 'b' },
      effect: status503,
    })
    expect(
      faults.evaluate(subject({ method: 'GET', path: '/v1/widgets/wid_1', account: 'b' })).terminal,
    ).toBeDefined()
    expect(
      faults.evaluate(subject({ method: 'GET', path: '/v1/widgets/wid_1', account: 'a' })).terminal,
    ).toBeUndefined()
    expect(faults.evaluate(subject()).terminal).toBeUndefined()
  })

  it('honours times and after', () => {
    const faults = engine()
    const rule = faults.add({ match: { provider: 'testkit' }, effect: status503, after: 2, times: 3 })
    const fired = Array.from({ length: 8 }, () => faults.evaluate(subject()).terminal !== undefined)
    expect(fired).toEqual([false, false, true, true, true, false, false, false])
    expect(faults.get(rule.id)).toMatchObject({ seen: 8, fired: 3 })
  })

  it('probability is seeded: the same seed fires on the same requests', () => {
    const run = (seed: number) => {
      const faults = engine(seed)
      faults.add({ match: { provider: 'testkit' }, effect: status503, probability: 0.3 })
      return Array.from({ length: 200 }, () => (faults.evaluate(subject()).terminal ? 1 : 0))
    }
    const a = run(42)
    expect(run(42)).toEqual(a)
    expect(run(43)).not.toEqual(a)
    const rate = a.reduce<number>((sum, x) => sum + x, 0) / a.length
    expect(rate).toBeGreaterThan(0.18)
    expect(rate).toBeLessThan(0.42)
  })

  it('latency stacks with a terminal effect', () => {
    const faults = engine()
    faults.add({ match: { provider: 'testkit' }, effect: { type: 'latency', ms: 50 } })
    faults.add({ match: { provider: 'testkit' }, effect: { type: 'provider-error', error: 'declined' } })
    const verdict = faults.evaluate(subject())
    expect(verdict.delayBeforeMs).toBe(50)
    expect(verdict.terminal).toMatchObject({ kind: 'respond', response: { status: 402 } })
    expect(verdict.fired).toHaveLength(2)
  })

  it('a rule for another provider costs nothing and never fires', () => {
    const faults = engine()
    for (let i = 0; i < 100; i++)
      faults.add({ match: { provider: 'testkit', path: `/other/${i}` }, effect: status503 })
    expect(faults.evaluate(subject({ provider: 'elsewhere' })).fired).toEqual([])
    expect(faults.evaluate(subject()).fired).toEqual([])
  })

  it('explains itself', () => {
    const rule = engine().add({
      match: { provider: 'testkit', method: 'POST', path: '/v1/widgets', body: { 'metadata.order': 'o_81' } },
      effect: { type: 'provider-error', error: 'declined' },
      times: 2,
    })
    expect(rule.explanation).toBe(
      'for testkit POST /v1/widgets where metadata.order = o_81, respond declined, 2 times',
    )
  })

  it('refuses bad rules with the field named', () => {
    const faults = engine()
    const fieldOf = (rule: unknown) => {
      try {
        faults.add(rule)
      } catch (error) {
        return (error as HarnessError).field
      }
      return 'accepted'
    }
    expect(fieldOf({ match: {} })).toBe('effect')
    expect(fieldOf({ effect: { type: 'status', status: 99 } })).toBe('effect.status')
    expect(fieldOf({ effect: { type: 'teleport' } })).toBe('effect.type')
    expect(
      fieldOf({ match: { provider: 'testkit' }, effect: { type: 'provider-error', error: 'nope' } }),
    ).toBe('effect.error')
    expect(fieldOf({ effect: { type: 'provider-error', error: 'declined' } })).toBe('match.provider')
    expect(fieldOf({ match: { provider: 'ghost' }, effect: status503 })).toBe('match.provider')
    expect(fieldOf({ match: { body: { a: { regex: '(' } } }, effect: status503 })).toBe('match.body.a.regex')
    expect(fieldOf({ effect: status503, probability: 2 })).toBe('probability')
    expect(fieldOf({ effect: { type: 'latency', min: 5 } })).toBe('effect.max')
  })
})
