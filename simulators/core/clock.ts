/**
 * The virtual clock: the only source of time in standin. Real time by default;
 * it can be advanced, set and scaled (scale 3600 runs a provider-hour in a real
 * second), and its timers fire in virtual time, so retry schedules of days run
 * in seconds. Scale 0 freezes time: timers then fire only when it is advanced.
 */
export interface ClockSnapshot {
  now: string
  epochMs: number
  scale: number
  offsetMs: number
  pendingTimers: number
}

export interface Timer {
  cancel(): void
}

interface Scheduled {
  id: number
  due: number
  fn: () => void
  /** Owner of the timer (a provider name), so one provider's reset drops only its own. */
  tag: string | undefined
}

export class VirtualClock {
  private anchorReal: number
  private anchorVirtual: number
  private scaleFactor: number
  private readonly timers: Scheduled[] = []
  private realTimer: NodeJS.Timeout | undefined
  private nextId = 1

  constructor(options: { start?: number; scale?: number } = {}) {
    this.anchorReal = performance.now()
    this.anchorVirtual = options.start ?? Date.now()
    this.scaleFactor = options.scale ?? 1
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return this.anchorVirtual + (performance.now() - this.anchorReal) * this.scaleFactor
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
    return {
      now: new Date(now).toISOString(),
      epochMs: Math.floor(now),
      scale: this.scaleFactor,
      offsetMs: Math.round(now - Date.now()),
      pendingTimers: this.timers.length,
    }
  }

  /** Moves virtual time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance takes a non-negative number of ms, got ${ms}`)
    this.reanchor(this.now() + ms)
    this.fireDue()
  }

  /** Sets virtual time; it may not go backwards past timers already due (they fire). */
  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError(`set takes epoch ms, got ${epochMs}`)
    this.reanchor(epochMs)
    this.fireDue()
  }

  setScale(scale: number): void {
    if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`scale must be >= 0, got ${scale}`)
    this.reanchor(this.now())
    this.scaleFactor = scale
    this.arm()
  }

  /** Runs `fn` after `ms` of virtual time. */
  setTimeout(fn: () => void, ms: number, tag?: string): Timer {
    const entry: Scheduled = { id: this.nextId++, due: this.now() + Math.max(0, ms), fn, tag }
    this.insert(entry)
    this.arm()
    return { cancel: () => this.remove(entry.id) }
  }

  /** Resolves after `ms` of virtual time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms))
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
    if (tag === undefined) this.timers.length = 0
    else {
      const kept = this.timers.filter((t) => t.tag !== tag)
      this.timers.splice(0, this.timers.length, ...kept)
    }
    this.arm()
  }

  /** Back to real time at scale 1, no timers. */
  reset(): void {
    this.clearTimers()
    this.anchorReal = performance.now()
    this.anchorVirtual = Date.now()
    this.scaleFactor = 1
  }

  private reanchor(virtual: number) {
    this.anchorReal = performance.now()
    this.anchorVirtual = virtual
  }

  private insert(entry: Scheduled) {
    // Timers are few (pending webhook attempts, message lifecycles): a sorted array is enough.
    let i = this.timers.length
    while (i > 0 && this.timers[i - 1]!.due > entry.due) i--
    this.timers.splice(i, 0, entry)
  }

  private remove(id: number) {
    const i = this.timers.findIndex((t) => t.id === id)
    if (i >= 0) this.timers.splice(i, 1)
    if (i === 0) this.arm()
  }

  private fireDue() {
    const now = this.now()
    while (this.timers.length > 0 && this.timers[0]!.due <= now) {
      const entry = this.timers.shift()!
      try {
        entry.fn()
      } catch {
        // A timer callback owns its errors; one failing must not stop the others.
      }
    }
    this.arm()
  }

  private arm() {
    if (this.realTimer) clearTimeout(this.realTimer)
    this.realTimer = undefined
    const first = this.timers[0]
    if (!first || this.scaleFactor === 0) return
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
