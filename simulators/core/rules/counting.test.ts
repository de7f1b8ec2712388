import { describe, expect, it } from 'vitest'
import { createRandom } from '../random.ts'
import { countMatch, describeLimits, RuleLimits } from './counting.ts'

const never = () => {
  throw new Error('random drawn without a probability')
}

function run(limits: RuleLimits, matches: number, random: () => number = never) {
  const rule = { ...limits, seen: 0, fired: 0 }
  const fired: number[] = []
  for (let i = 1; i <= matches; i++) if (countMatch(rule, random)) fired.push(i)
  return { fired, rule }
}

describe('countMatch', () => {
  it('fires on every match when the rule has no limits, without drawing', () => {
    expect(run({}, 3).fired).toEqual([1, 2, 3])
  })

  it('lets the first `after` matches through, then fires `times` times', () => {
    const { fired, rule } = run({ after: 2, times: 2 }, 6)
    expect(fired).toEqual([3, 4])
    expect(rule).toMatchObject({ seen: 6, fired: 2 })
  })

  it('fires with the given probability from the seeded stream, replayably', () => {
    const a = run({ probability: 0.3 }, 1000, createRandom(7))
    const b = run({ probability: 0.3 }, 1000, createRandom(7))
    expect(a.fired).toEqual(b.fired)
    expect(a.rule.fired).toBeGreaterThan(230)
    expect(a.rule.fired).toBeLessThan(370)
  })

  it('draws nothing once `times` is used up or while `after` holds', () => {
    let draws = 0
    const counted = () => {
      draws++
      return 0
    }
    run({ after: 1, times: 1, probability: 1 }, 5, counted)
    expect(draws).toBe(1)
  })

  it('never fires at probability 0', () => {
    expect(run({ probability: 0 }, 50, createRandom(1)).fired).toEqual([])
  })
})

describe('RuleLimits', () => {
  it('refuses a probability above 1 and a zero `times`', () => {
    expect(RuleLimits.safeParse({ probability: 1.5 }).success).toBe(false)
    expect(RuleLimits.safeParse({ times: 0 }).success).toBe(false)
  })
})

describe('describeLimits', () => {
  it('says the limits in words', () => {
    expect(describeLimits({})).toBe('every time')
    expect(describeLimits({ times: 1, after: 2, probability: 0.5 })).toBe(
      '1 time after 2 with probability 0.5',
    )
  })
})
