import { describe, expect, it, vi } from 'vitest'
import { VirtualClock } from './clock.ts'
import { TimerLane } from './timer-lane.ts'

const DELAYS = [50, 100, 500, 2_000] as const

/** Four lanes, as a message lifecycle uses them, recording what ran and when. */
function setup(onError?: (error: unknown) => void) {
  const clock = new VirtualClock({ start: 1_000_000, scale: 0, ...(onError ? { onError } : {}) })
  const ran: { id: number; due: number; at: number }[] = []
  const lanes = DELAYS.map(
    (delay) =>
      new TimerLane<{ id: number; due: number }>(clock, 'p', delay, (item) =>
        ran.push({ ...item, at: clock.now() }),
      ),
  )
  let nextId = 0
  const add = (lane: number) => {
    const item = { id: nextId++, due: clock.now() + DELAYS[lane]! }
    lanes[lane]!.add(item)
    return item
  }
  return { clock, ran, lanes, add }
}

/** A seeded generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

describe('TimerLane', () => {
  it('runs each entry once its delay has passed, at its own due', () => {
    const { clock, ran, add } = setup()
    add(1)
    clock.advance(30)
    add(1)
    clock.advance(69)
    expect(ran).toEqual([])
    clock.advance(1)
    expect(ran).toEqual([{ id: 0, due: 1_000_100, at: 1_000_100 }])
    clock.advance(1_000)
    expect(ran.map((r) => r.id)).toEqual([0, 1])
    expect(ran[1]!.at).toBe(1_000_130)
  })

  for (const seed of [1, 2, 3, 4, 5])
    it(`interleaves lanes in due order, as separate timers would (random adds, seed ${seed})`, () => {
      const random = seeded(seed)
      const { clock, ran, add } = setup()
      const added: { id: number; due: number }[] = []
      for (let i = 0; i < 2_000; i++) {
        added.push(add(Math.floor(random() * DELAYS.length)))
        // Several entries per instant, then small steps: some due while others are added. Now and then a
        // set jumps past several entries of several lanes at once (they run at the set's instant).
        if (random() < 0.3) clock.advance(Math.floor(random() * 40))
        else if (random() < 0.01) clock.set(clock.now() + Math.floor(random() * 300))
      }
      // An advance runs each at its own due; a set jumps past the rest at once.
      clock.advance(700)
      const beforeSet = clock.now()
      clock.set(beforeSet + 5_000)
      expect(ran.map((r) => r.id).sort((a, b) => a - b)).toEqual(added.map((a) => a.id))
      for (let i = 1; i < ran.length; i++) expect(ran[i]!.due).toBeGreaterThanOrEqual(ran[i - 1]!.due)
      for (const r of ran.filter((r) => r.due > beforeSet)) expect(r.at).toBe(beforeSet + 5_000)
    })

  it('keeps due order when a jump passes two entries of one lane and one of another between them', () => {
    const { clock, ran, add } = setup()
    const start = clock.now()
    add(1) // due +100
    clock.advance(40)
    add(0) // due +90
    clock.advance(20)
    add(0) // due +110
    clock.set(clock.now() + 10_000)
    expect(ran.map((r) => r.due - start)).toEqual([90, 100, 110])
  })

  it('keeps due order when the clock jumps past many steps of one entry', () => {
    const { clock, ran, add } = setup()
    // One "message": queued at 50, sending at 100, sent at 500, final at 2000, each in its own lane.
    for (let lane = 0; lane < DELAYS.length; lane++) add(lane)
    clock.advance(10)
    for (let lane = 0; lane < DELAYS.length; lane++) add(lane)
    clock.set(clock.now() + 60_000)
    expect(ran.map((r) => r.due)).toEqual([...ran.map((r) => r.due)].sort((a, b) => a - b))
    expect(ran).toHaveLength(8)
  })

  it('drops what was waiting when a reset drops its timer, and serves what comes after', () => {
    const { clock, ran, add } = setup()
    add(0)
    add(0)
    clock.clearTimers('p')
    clock.advance(1_000)
    expect(ran).toEqual([])
    const after = add(0)
    clock.advance(50)
    expect(ran.map((r) => r.id)).toEqual([after.id])
  })

  it('drops what a reset left behind before a new entry, even when the clock was set back meanwhile', () => {
    const { clock, ran, lanes, add } = setup()
    add(3)
    clock.clearTimers('p')
    clock.set(clock.now() - 10_000)
    const after = add(3)
    clock.advance(2_000)
    expect(ran.map((r) => r.id)).toEqual([after.id])
    expect(lanes[3]!.size).toBe(0)
  })

  it('runs the rest of the lane when one entry throws, and the clock reports the throw', () => {
    const errors: unknown[] = []
    const clock = new VirtualClock({ start: 0, scale: 0, onError: (error) => errors.push(error) })
    const ran: number[] = []
    const lane = new TimerLane<number>(clock, 'p', 10, (n) => {
      if (n === 1) throw new Error('step 1 failed')
      ran.push(n)
    })
    for (const n of [0, 1, 2]) lane.add(n)
    clock.advance(10)
    expect(ran).toEqual([0, 2])
    expect(errors).toHaveLength(1)
    expect(lane.size).toBe(0)
  })

  it('gives an entry its own timer when the clock was set back behind the lane', () => {
    const { clock, ran, add } = setup()
    add(3) // due at start + 2000
    clock.set(clock.now() - 10_000)
    const early = add(3) // due 8000 ms before the first
    clock.advance(2_000)
    expect(ran.map((r) => r.id)).toEqual([early.id])
    clock.advance(10_000)
    expect(ran).toHaveLength(2)
  })

  it('serves an entry added while the lane runs', () => {
    const clock = new VirtualClock({ start: 0, scale: 0 })
    const ran: string[] = []
    const lane: TimerLane<string> = new TimerLane<string>(clock, 'p', 10, (name) => {
      ran.push(name)
      if (name === 'first') lane.add('second')
    })
    lane.add('first')
    clock.advance(10)
    expect(ran).toEqual(['first'])
    clock.advance(10)
    expect(ran).toEqual(['first', 'second'])
  })

  it('in real time, a late firing serves every entry due by then, and stops before another timer', async () => {
    // Real time is faked so the firing comes late without a sleep: 200 ms pass before the clock looks.
    vi.useFakeTimers({ toFake: ['performance'] })
    try {
      const clock = new VirtualClock({ start: 0, scale: 1 })
      const ran: string[] = []
      const lane = new TimerLane<string>(clock, 'p', 100, (id) => ran.push(id))
      for (let i = 0; i < 10; i++) {
        lane.add(`m${i}`) // due 100, 101, ... 109
        vi.advanceTimersByTime(1)
      }
      clock.setTimeoutAt(() => ran.push('other'), 105.5)
      const arms = vi.spyOn(clock, 'setTimeoutAt')
      vi.advanceTimersByTime(200)
      await clock.idle()
      expect(ran).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'other', 'm6', 'm7', 'm8', 'm9'])
      // One more lane timer (for m6, after the other timer), not one per entry.
      expect(arms).toHaveBeenCalledTimes(1)
    } finally {
      vi.restoreAllMocks()
      vi.useRealTimers()
    }
  })
})
