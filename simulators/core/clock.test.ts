import { describe, expect, it } from 'vitest'
import { parseDuration, VirtualClock } from './clock.ts'

describe('virtual clock', () => {
  it('advances time and fires due timers in order', () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    const fired: string[] = []
    clock.setTimeout(() => fired.push('2h'), 2 * 3_600_000)
    clock.setTimeout(() => fired.push('1h'), 3_600_000)
    clock.setTimeout(() => fired.push('3d'), 3 * 86_400_000)
    clock.advance(2 * 3_600_000)
    expect(fired).toEqual(['1h', '2h'])
    expect(clock.now()).toBe(2 * 3_600_000)
    clock.advance(3 * 86_400_000)
    expect(fired).toEqual(['1h', '2h', '3d'])
  })

  it('a frozen clock (scale 0) does not move on its own', async () => {
    const clock = new VirtualClock({ start: 1000, scale: 0 })
    await new Promise((r) => setTimeout(r, 30))
    expect(clock.now()).toBe(1000)
  })

  it('a scaled clock runs hours in real milliseconds', async () => {
    const clock = new VirtualClock({ start: 0, scale: 3_600_000 }) // one virtual hour per real millisecond
    const fired = new Promise<number>((resolve) =>
      clock.setTimeout(() => resolve(clock.now()), 24 * 3_600_000),
    )
    const at = await fired
    expect(at).toBeGreaterThanOrEqual(24 * 3_600_000)
  })

  it('changing the scale keeps the current time', () => {
    const clock = new VirtualClock({ start: 5000, scale: 0 })
    clock.setScale(10)
    expect(clock.now()).toBeGreaterThanOrEqual(5000)
    expect(clock.now()).toBeLessThan(5000 + 1000)
  })

  it('cancelled and cleared timers do not fire', () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    let fired = 0
    clock.setTimeout(() => fired++, 10).cancel()
    clock.setTimeout(() => fired++, 10, 'a')
    clock.setTimeout(() => fired++, 10, 'b')
    clock.clearTimers('a')
    clock.advance(100)
    expect(fired).toBe(1)
  })

  it('refuses to go backwards with advance', () => {
    expect(() => new VirtualClock().advance(-1)).toThrow(RangeError)
  })

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('2h')).toBe(7_200_000)
    expect(parseDuration('3d')).toBe(259_200_000)
    expect(parseDuration(250)).toBe(250)
    expect(parseDuration('soon')).toBeUndefined()
    expect(parseDuration(-5)).toBeUndefined()
  })
})
