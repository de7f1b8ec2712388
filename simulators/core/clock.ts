/**
 * The virtual clock: the only source of time in standin. Real time by default;
 * it can be advanced, set and scaled (scale 3600 runs a provider-hour in a real
 * second), and its timers fire in virtual time, so retry schedules of days run
 * in seconds. Scale 0 freezes time: timers then fire only when it is advanced.
 */
import { rememberLast } from './remember.ts'
import { type QueuedTimer, TimerQueue } from './timer-queue.ts'

export interface ClockSnapshot {
  now: string
  epochMs: number
  scale: number
  offsetMs: number
  pendingTimers: number
  /** When the earliest pending timer falls due (virtual epoch ms), or null: lets a caller step through due times. */
  nextDueMs: number | null
}

export interface Timer {
  /** Whether it has yet to fire (false once fired, cancelled or dropped by a reset). */
  readonly pending: boolean
  cancel(): void
}

/** The earliest instant the clock holds: the Unix epoch. */
export const MIN_CLOCK_MS = 0
/**
 * The latest instant the clock holds: 9999-12-31T23:59:59.999Z, the last time
 * ISO 8601 writes with four year digits. Far inside JavaScript's date range
 * (±8.64e15 ms), so `now + any retry delay` is still a date.
 */
export const MAX_CLOCK_MS = 253_402_300_799_999
/** The longest single advance: a hundred years. */
export const MAX_ADVANCE_MS = 100 * 365.25 * 86_400_000

/** A timer callback; a returned promise is waited for when the clock is advanced (like `tickAsync`). */
export type TimerCallback = () => unknown

/**
 * A pending timer, and the handle `setTimeout` returns for it: one object per timer (a handle holding a
 * `cancel` closure was a second one, and under tsx a `__name` call each).
 */
class Scheduled implements QueuedTimer, Timer {
  pending = true

  constructor(
    private readonly clock: VirtualClock,
    readonly id: number,
    readonly due: number,
    readonly fn: TimerCallback,
    /** Owner of the timer (a provider name), so one provider's reset drops only its own. */
    readonly tag: string | undefined,
  ) {}

  cancel(): void {
    this.clock.cancel(this)
  }
}

/** Under load many requests, messages and attempts fall in the same millisecond: they share one string. */
const isoOfMs = rememberLast((ms: number) => new Date(ms).toISOString())

/** ISO 8601 of a virtual instant, clamped to the clock's range so it never throws. */
export function isoTime(epochMs: number): string {
  return isoOfMs(
    Math.floor(
      Number.isNaN(epochMs) ? MIN_CLOCK_MS : Math.min(MAX_CLOCK_MS, Math.max(MIN_CLOCK_MS, epochMs)),
    ),
  )
}

/** Why a clock value is refused, or undefined when it is inside the clock's range. */
export function clockRangeProblem(epochMs: number): string | undefined {
  if (!Number.isFinite(epochMs)) return `expected a finite time, got ${epochMs}`
  if (epochMs < MIN_CLOCK_MS || epochMs > MAX_CLOCK_MS)
    return `time ${epochMs} is outside the clock's range (${isoTime(MIN_CLOCK_MS)} to ${isoTime(MAX_CLOCK_MS)})`
  return undefined
}

export class VirtualClock {
  private anchorReal: number
  private anchorVirtual: number
  private scaleFactor: number
  private readonly timers = new TimerQueue<Scheduled>()
  private realTimer: NodeJS.Timeout | undefined
  private nextId = 1
  /** While an advance runs, time stands at the instant being processed. */
  private holding = false
  /** While the timers due in real time run: the real timer is armed once, after them. */
  private draining = false
  /** Work started by timers (a webhook attempt's HTTP call) that an advance waits for before moving on. */
  private readonly inflight = new Set<Promise<unknown>>()
  private queue: Promise<unknown> = Promise.resolve()
  private readonly onError: (error: unknown) => void

  constructor(options: { start?: number; scale?: number; onError?: (error: unknown) => void } = {}) {
    this.anchorReal = performance.now()
    this.anchorVirtual = options.start ?? Date.now()
    this.scaleFactor = options.scale ?? 1
    this.onError = options.onError ?? (() => {})
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    if (this.holding) return this.anchorVirtual
    const now = this.anchorVirtual + (performance.now() - this.anchorReal) * this.scaleFactor
    return Math.min(now, MAX_CLOCK_MS)
  }

  /** Virtual time as whole epoch seconds (what most provider APIs put on the wire). */
  unix(): number {
    return Math.floor(this.now() / 1000)
  }

  date(): Date {
    return new Date(this.now())
  }

  get scale(): number {
    return this.scaleFactor
  }

  /** Real monotonic milliseconds, for measuring durations that a client experiences (latency, timeouts). */
  realNow(): number {
    return performance.now()
  }

  snapshot(): ClockSnapshot {
    const now = this.now()
    const first = this.timers.peek()
    return {
      now: isoTime(now),
      epochMs: Math.floor(now),
      scale: this.scaleFactor,
      offsetMs: Math.round(now - Date.now()),
      pendingTimers: this.timers.size,
      nextDueMs: first ? Math.ceil(first.due) : null,
    }
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer that falls due, in
   * order, each at its own due time (a timer it schedules counts from there).
   * Synchronous: work a timer starts asynchronously finishes later; use
   * {@link advanceAsync} to wait for it and for what it schedules in turn.
   */
  advance(ms: number): void {
    const target = this.advanceTarget(ms)
    this.holding = true
    try {
      for (let next = this.timers.takeDue(target); next; next = this.timers.takeDue(target)) {
        if (next.due > this.anchorVirtual) this.anchorVirtual = next.due
        this.run(next)
      }
    } finally {
      this.holding = false
    }
    this.reanchor(target)
    this.arm()
  }

  /**
   * Moves virtual time forward by `ms` as fake timers' `tickAsync` does: runs
   * every timer due within the span in time order, each at its own due time,
   * waiting for the work it starts (a webhook attempt) before the next, so a
   * retry scheduled by an attempt inside the span runs inside it too. A
   * three-day retry schedule completes in one `advanceAsync(3 days)`.
   * @example await clock.advanceAsync(3 * 86_400_000)
   */
  advanceAsync(ms: number): Promise<void> {
    const by = this.checkAdvance(ms)
    return this.exclusive(() => this.runUntil(this.advanceTarget(by)))
  }

  /** Sets virtual time; timers due by then fire in order (a set backwards fires nothing new). */
  set(epochMs: number): void {
    this.checkTime(epochMs)
    this.reanchor(epochMs)
    this.fireDue()
  }

  /** Sets virtual time, running what falls due on the way like {@link advanceAsync}. */
  setAsync(epochMs: number): Promise<void> {
    this.checkTime(epochMs)
    return this.exclusive(() => this.runUntil(epochMs))
  }

  setScale(scale: number): void {
    if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`scale must be >= 0, got ${scale}`)
    this.reanchor(this.now())
    this.scaleFactor = scale
    this.arm()
  }

  /** Runs `fn` after `ms` of virtual time. A promise `fn` returns is waited for by {@link advanceAsync}. */
  setTimeout(fn: TimerCallback, ms: number, tag?: string): Timer {
    const delay = Number.isNaN(ms) ? 0 : Math.max(0, ms)
    return this.setTimeoutAt(fn, this.now() + delay, tag)
  }

  /**
   * Runs `fn` at the virtual instant `epochMs`. An instant already past is
   * still its due: the timer fires at once, in due order with the others
   * (before any due later), which a delay of 0 from now would not keep.
   */
  setTimeoutAt(fn: TimerCallback, epochMs: number, tag?: string): Timer {
    // A timer beyond the clock's range can never fire; it stays pending at the range's end.
    const due = Number.isNaN(epochMs) ? this.now() : Math.min(MAX_CLOCK_MS, epochMs)
    const entry = new Scheduled(this, this.nextId++, due, fn, tag)
    this.timers.push(entry)
    // Re-arm the real timer only when this one is now the first due: a
    // clearTimeout + setTimeout on every message lifecycle step was ~6 % of the
    // hub's CPU under load (the armed timer already serves an earlier entry).
    // Not while due timers are being run either: that run arms once it ends.
    if (!this.draining && this.timers.peek() === entry) this.arm()
    return entry
  }

  /** When the earliest pending timer falls due (virtual epoch ms), or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.timers.peek()?.due
  }

  /** Resolves after `ms` of virtual time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms))
  }

  /**
   * Registers work in flight that an advance must wait for before it moves on
   * (an attempt started outside a timer, e.g. an immediate webhook delivery).
   */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    )
    this.inflight.add(settled)
    void settled.then(() => this.inflight.delete(settled))
    return work
  }

  /** Resolves when no tracked work is in flight (including work that work started). */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight])
  }

  /**
   * Resolves once the system has settled: no tracked work in flight (a webhook
   * attempt, an immediate delivery) and no timer due at the current virtual
   * time, including what that work schedules in turn. Timers due later stay
   * pending: move time with {@link advanceAsync} to run them.
   */
  async idle(): Promise<void> {
    for (;;) {
      await this.settle()
      // One macrotask: I/O callbacks and immediates queued by the work just finished get to run.
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (this.inflight.size > 0) continue
      const first = this.timers.peek()
      if (!first || first.due > this.now()) return
      // While an advance runs it fires them in order: wait for it instead.
      if (this.holding) await this.queue
      else this.fireDue()
    }
  }

  /** Resolves after `ms` of real time: for latency a client must really experience. */
  sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0) return resolve()
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Drops pending timers: every one, or those of one tag (reset). */
  clearTimers(tag?: string): void {
    this.timers.clear(tag)
    this.arm()
  }

  /** Back to real time at scale 1, no timers. */
  reset(): void {
    this.clearTimers()
    this.anchorReal = performance.now()
    this.anchorVirtual = Date.now()
    this.scaleFactor = 1
  }

  private checkAdvance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance takes a non-negative number of ms, got ${ms}`)
    if (ms > MAX_ADVANCE_MS) throw new RangeError(`advance takes at most ${MAX_ADVANCE_MS} ms, got ${ms}`)
    return ms
  }

  private advanceTarget(ms: number): number {
    this.checkAdvance(ms)
    const target = this.now() + ms
    this.checkTime(target)
    return target
  }

  private checkTime(epochMs: number) {
    const problem = clockRangeProblem(epochMs)
    if (problem) throw new RangeError(problem)
  }

  /** One advance at a time: a second waits for the first, then moves on from where it ended. */
  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work)
    this.queue = run.catch(() => {})
    return run
  }

  private async runUntil(target: number): Promise<void> {
    this.reanchor(this.now())
    this.holding = true
    try {
      for (;;) {
        await this.settle()
        const next = this.timers.takeDue(target)
        if (!next) break
        if (next.due > this.anchorVirtual) this.anchorVirtual = next.due
        this.run(next)
      }
    } finally {
      this.holding = false
      this.reanchor(target)
      this.arm()
    }
  }

  /** Runs one timer; neither a throw nor a rejection escapes (a timer owns its errors), both are reported. */
  private run(entry: Scheduled) {
    try {
      const result = entry.fn()
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        this.track(
          (result as Promise<unknown>).then(undefined, (error: unknown) => {
            this.onError(error)
          }),
        )
      }
    } catch (error) {
      this.onError(error)
    }
  }

  private reanchor(virtual: number) {
    this.anchorReal = performance.now()
    this.anchorVirtual = virtual
  }

  /** A timer's `cancel()`: drops it if it has not fired. */
  cancel(entry: Scheduled): void {
    // The real timer stays armed even when this was the first due: it then wakes early, fires nothing
    // and arms for the next (one idle wake at most). Re-arming on each cancel cost a clearTimeout and a
    // setTimeout per Toss confirm (it cancels its payment's expiry, the earliest timer): 7 % of its CPU.
    this.timers.cancel(entry)
  }

  private fireDue() {
    if (this.holding || this.draining) return // the advance or the run in progress fires them in order
    const now = this.now()
    this.draining = true
    try {
      for (let next = this.timers.takeDue(now); next; next = this.timers.takeDue(now)) this.run(next)
    } finally {
      this.draining = false
    }
    this.arm()
  }

  private arm() {
    if (this.realTimer) clearTimeout(this.realTimer)
    this.realTimer = undefined
    const first = this.timers.peek()
    if (!first || this.scaleFactor === 0 || this.holding) return
    const realDelay = Math.max(0, (first.due - this.now()) / this.scaleFactor)
    // setTimeout caps at 2^31-1 ms; re-arm when a far timer's wait runs out.
    this.realTimer = setTimeout(() => this.fireDue(), Math.min(realDelay, 2 ** 31 - 1))
    this.realTimer.unref()
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `250`, `'250ms'`, `'30s'`, `'15m'`, `'2h'`, `'3d'` into milliseconds; undefined when malformed. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value)
  if (!match) return undefined
  return Number(match[1]) * UNITS[match[2] ?? 'ms']!
}
