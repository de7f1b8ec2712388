import type { Timer, TimerCallback } from './clock.ts'

/** What a lane needs of the clock. */
export interface LaneClock {
  now(): number
  setTimeoutAt(fn: TimerCallback, epochMs: number, tag?: string): Timer
  /** The earliest pending timer's due, or undefined. */
  nextDue(): number | undefined
}

/**
 * Timers that all wait the same virtual delay fall due in the order they
 * were set. A lane keeps them in a queue served by one clock timer at a time,
 * armed for the head: a message lifecycle that sets four timers per message
 * then costs four queue entries, not four clock timers and four closures
 * that live up to two seconds (long enough to be promoted, then collected
 * with the old generation, whose collections grow with the stored state).
 *
 * Each firing runs the entries due at the instant it was armed for, and
 * after them those due by now that fall before every other pending timer (in
 * real time, a firing a millisecond late serves the dozens of messages due
 * meanwhile, where it served one, each with a clock timer of its own); then
 * it arms for the next head at that head's own due, even one already past.
 * So the clock's loop still interleaves lanes and other timers in due order,
 * and an advance or a set that jumps past many steps runs them as separate
 * timers would. An entry whose due falls before the lane's last (the clock
 * was set back meanwhile) gets a timer of its own.
 */
export class TimerLane<T> {
  private dues: number[] = []
  private items: (T | undefined)[] = []
  private head = 0
  private timer: Timer | undefined
  private armedFor = 0
  private firing = false

  constructor(
    private readonly clock: LaneClock,
    /** The owner's tag (a provider name): the owner's reset drops the lane's timer. */
    private readonly tag: string,
    private readonly delayMs: number,
    private readonly run: (item: T) => void,
  ) {}

  /** Runs `run(item)` once `delayMs` of virtual time has passed. */
  add(item: T): void {
    // A lane whose timer a reset dropped (no longer pending, yet never fired) drops its entries with it.
    if (!this.firing && this.timer !== undefined && !this.timer.pending) this.clear()
    const due = this.clock.now() + this.delayMs
    const last = this.dues.length > this.head ? this.dues[this.dues.length - 1]! : -Infinity
    if (due < last) {
      this.clock.setTimeoutAt(() => this.run(item), due, this.tag)
      return
    }
    this.dues.push(due)
    this.items.push(item)
    if (!this.firing && this.timer === undefined) this.arm()
  }

  /** Entries still waiting. */
  get size(): number {
    return this.dues.length - this.head
  }

  private arm(): void {
    this.timer = undefined
    if (this.head >= this.dues.length) return
    this.armedFor = this.dues[this.head]!
    this.timer = this.clock.setTimeoutAt(this.fire, this.armedFor, this.tag)
  }

  private readonly fire = (): void => {
    const until = this.armedFor
    const now = this.clock.now()
    this.firing = true
    try {
      while (this.head < this.dues.length && this.dueNow(this.dues[this.head]!, until, now)) {
        const item = this.items[this.head] as T
        this.items[this.head] = undefined
        this.head++
        this.run(item)
      }
    } finally {
      // Also after a throw (the clock reports it): the rest of the lane still runs.
      this.firing = false
      this.compact()
      this.arm()
    }
  }

  /** Due at the armed instant, or due by now and before every other pending timer (asked each time: a run may set one). */
  private dueNow(due: number, until: number, now: number): boolean {
    if (due <= until) return true
    if (due > now) return false
    const other = this.clock.nextDue()
    return other === undefined || due < other
  }

  private clear(): void {
    this.dues = []
    this.items = []
    this.head = 0
    this.timer = undefined
  }

  /** Drops the entries already run once they are most of the queue: amortized O(1) per entry. */
  private compact(): void {
    if (this.head < 1024 || this.head * 2 < this.dues.length) return
    this.dues.splice(0, this.head)
    this.items.splice(0, this.head)
    this.head = 0
  }
}

/**
 * A provider's lanes, made once per account state and kept with it: a reset gives the account a new
 * state, so the old lanes stay behind with the old state's entries (the reset dropped their timer) and
 * the new state starts with lanes of its own.
 */
export function lanesPerState<C extends { state: object }, L>(make: (ctx: C) => L): (ctx: C) => L {
  const lanes = new WeakMap<object, L>()
  return (ctx) => {
    let made = lanes.get(ctx.state)
    if (made === undefined) {
      made = make(ctx)
      lanes.set(ctx.state, made)
    }
    return made
  }
}
