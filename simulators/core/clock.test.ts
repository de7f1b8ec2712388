import { describe, expect, it, vi } from 'vitest'
import { isoTime, MAX_ADVANCE_MS, MAX_CLOCK_MS, parseDuration, VirtualClock } from './clock.ts'

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

  it('a frozen clock (scale 0) does not move on its own', () => {
    // Real time is faked so the test needs no sleep to let it pass.
    vi.useFakeTimers({ toFake: ['performance'] })
    try {
      const frozen = new VirtualClock({ start: 1000, scale: 0 })
      const running = new VirtualClock({ start: 1000, scale: 1 })
      vi.advanceTimersByTime(30)
      expect(frozen.now()).toBe(1000)
      expect(running.now()).toBe(1030)
    } finally {
      vi.useRealTimers()
    }
  })

  it('idle() waits for work in flight and what it starts, and fires timers due now but not later ones', async () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    const done: string[] = []
    clock.setTimeout(() => done.push('later'), 1_000)
    clock.setTimeout(async () => {
      await new Promise((resolve) => setImmediate(resolve))
      clock.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => done.push('chained')))
      done.push('due now')
    }, 0)
    clock.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => done.push('tracked')))
    await clock.idle()
    expect(done).toEqual(['tracked', 'due now', 'chained'])
    expect(clock.snapshot().pendingTimers).toBe(1)
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

  it('cancelling the earliest timer leaves the real timer armed, and the next still fires on time', () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] })
    try {
      const clock = new VirtualClock({ start: 0, scale: 1 })
      const fired: number[] = []
      const first = clock.setTimeout(() => fired.push(100), 100)
      clock.setTimeout(() => fired.push(300), 300)
      const clears = vi.spyOn(globalThis, 'clearTimeout')
      const sets = vi.spyOn(globalThis, 'setTimeout')
      first.cancel()
      // No clearTimeout + setTimeout per cancel (a Toss confirm cancels its payment's expiry each time).
      expect(clears).not.toHaveBeenCalled()
      expect(sets).not.toHaveBeenCalled()
      vi.advanceTimersByTime(150) // the idle wake at 100 ms arms for 300
      expect(fired).toEqual([])
      vi.advanceTimersByTime(149)
      expect(fired).toEqual([])
      vi.advanceTimersByTime(1)
      expect(fired).toEqual([300])
    } finally {
      vi.restoreAllMocks()
      vi.useRealTimers()
    }
  })

  it('arms the real timer once after running the due timers, not for each timer they set', () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] })
    try {
      const clock = new VirtualClock({ start: 0, scale: 1 })
      const fired: number[] = []
      // Each sets an earlier timer than the one before it: each would be the new first due.
      clock.setTimeout(() => {
        for (const at of [300, 200, 150]) clock.setTimeoutAt(() => fired.push(at), at)
      }, 100)
      const sets = vi.spyOn(globalThis, 'setTimeout')
      vi.advanceTimersByTime(100)
      expect(sets).toHaveBeenCalledTimes(1)
      vi.advanceTimersByTime(200)
      expect(fired).toEqual([150, 200, 300])
    } finally {
      vi.restoreAllMocks()
      vi.useRealTimers()
    }
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

describe('advancing runs a schedule like tickAsync', () => {
  it('regression (issue 10 #7): one advance runs a chain of retries, each scheduled from its own due time', async () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    const ran: number[] = []
    const delays = [3_600_000, 7_200_000, 14_400_000]
    const attempt = async (n: number): Promise<void> => {
      ran.push(clock.now())
      await new Promise((r) => setImmediate(r)) // the HTTP call of an attempt
      const next = delays[n]
      if (next !== undefined) clock.setTimeout(() => attempt(n + 1), next)
    }
    clock.setTimeout(() => attempt(0), 1_000)
    await clock.advanceAsync(3 * 86_400_000)
    expect(ran).toEqual([1_000, 3_601_000, 10_801_000, 25_201_000])
    expect(clock.now()).toBe(3 * 86_400_000)
    expect(clock.snapshot().pendingTimers).toBe(0)
  })

  it('timers from several owners interleave in time order', async () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    const order: string[] = []
    const every = (name: string, ms: number, left: number) => {
      clock.setTimeout(async () => {
        order.push(`${name}@${clock.now()}`)
        await Promise.resolve()
        if (left > 1) every(name, ms, left - 1)
      }, ms)
    }
    every('a', 300, 3)
    every('b', 500, 2)
    await clock.advanceAsync(2_000)
    expect(order).toEqual(['a@300', 'b@500', 'a@600', 'a@900', 'b@1000'])
  })

  it('the synchronous advance also fires timers a timer schedules within the span', () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    const at: number[] = []
    const tick = () => {
      at.push(clock.now())
      if (at.length < 4) clock.setTimeout(tick, 1_000)
    }
    clock.setTimeout(tick, 1_000)
    clock.advance(10_000)
    expect(at).toEqual([1_000, 2_000, 3_000, 4_000])
  })

  it('a timer that throws or rejects is reported and the others still run', async () => {
    const errors: unknown[] = []
    const clock = new VirtualClock({ start: 0, scale: 0, onError: (e) => errors.push(e) })
    let ran = 0
    clock.setTimeout(() => {
      throw new Error('sync boom')
    }, 10)
    clock.setTimeout(() => Promise.reject(new Error('async boom')), 20)
    clock.setTimeout(() => ran++, 30)
    await clock.advanceAsync(100)
    expect(ran).toBe(1)
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync boom', 'async boom'])
  })

  it('regression (issue 10 #2): refuses times outside its range and keeps its time', () => {
    const clock = new VirtualClock({ start: 1_000, scale: 0 })
    for (const bad of [8.64e15 + 1, -8.64e15 - 1, 8.64e15, Number.NaN, Number.POSITIVE_INFINITY, -1])
      expect(() => clock.set(bad)).toThrow(RangeError)
    expect(() => clock.advance(1e308)).toThrow(RangeError)
    expect(() => clock.advanceAsync(MAX_ADVANCE_MS + 1)).toThrow(RangeError)
    expect(clock.now()).toBe(1_000)
    clock.set(MAX_CLOCK_MS)
    clock.setTimeout(() => {}, 1e308) // beyond the range: stays pending, never breaks a date
    expect(clock.snapshot().now).toBe('9999-12-31T23:59:59.999Z')
    expect(isoTime(8.64e15 + 5)).toBe('9999-12-31T23:59:59.999Z')
  })
})
