import { describe, expect, it } from 'vitest'
import { createRandom } from './random.ts'
import { type QueuedTimer, TimerQueue } from './timer-queue.ts'

interface T extends QueuedTimer {
  due: number
}

/** Takes every timer due by `now` and checks them against the definition: `reference` sorted by (due, id). */
function takeAllDue(queue: TimerQueue<T>, reference: T[], now: number): T[] {
  reference.sort((x, y) => x.due - y.due || x.id - y.id)
  const expected = reference.filter((t) => t.due <= now)
  const taken: T[] = []
  for (let t = queue.takeDue(now); t; t = queue.takeDue(now)) taken.push(t)
  expect(taken.map((t) => t.id)).toEqual(expected.map((t) => t.id))
  return taken
}

describe('timer queue', () => {
  it('hands out timers by due time, then in the order they were set, through cancels and clears', () => {
    const random = createRandom(11)
    const queue = new TimerQueue<T>()
    let reference: T[] = [] // the definition: pending timers sorted by (due, id)
    let id = 0
    let now = 0
    for (let step = 0; step < 20_000; step++) {
      const roll = random()
      if (roll < 0.55) {
        // Few distinct offsets, so many timers share a due time.
        const timer: T = {
          id: ++id,
          due: now + [0, 50, 100, 500, 2000][Math.floor(random() * 5)]!,
          tag: random() < 0.5 ? 'a' : 'b',
          pending: true,
        }
        queue.push(timer)
        reference.push(timer)
      } else if (roll < 0.7 && reference.length > 0) {
        const victim = reference[Math.floor(random() * reference.length)]!
        queue.cancel(victim)
        queue.cancel(victim) // twice is once
        reference = reference.filter((t) => t !== victim)
      } else if (roll < 0.7005) {
        queue.clear('a')
        reference = reference.filter((t) => t.tag !== 'a')
      } else {
        now += Math.floor(random() * 60)
        const taken = takeAllDue(queue, reference, now)
        reference = reference.slice(taken.length)
        for (const t of taken) queue.cancel(t) // cancelling a fired timer changes nothing
      }
      expect(queue.size).toBe(reference.length)
    }
  })
})

describe('timer queue, mostly cancelled', () => {
  it('stays in order when cancels outnumber the live and the queue is rebuilt (a Toss confirm cancels its payment expiry)', () => {
    const random = createRandom(5)
    const queue = new TimerQueue<T>()
    let reference: T[] = []
    let id = 0
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 400; i++) {
        const timer: T = { id: ++id, due: Math.floor(random() * 10_000), tag: undefined, pending: true }
        queue.push(timer)
        reference.push(timer)
      }
      // Cancel three in four, in random order: the dead pass half the queue and it is rebuilt.
      for (const timer of reference) if (random() < 0.75) queue.cancel(timer)
      reference = reference.filter((t) => t.pending)
      expect(queue.size).toBe(reference.length)
      const now = round * 200
      reference = reference.slice(takeAllDue(queue, reference, now).length)
    }
  })
})
