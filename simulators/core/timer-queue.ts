/**
 * The clock's pending timers, earliest first: a binary heap ordered by due
 * time, then by id (so timers due at the same instant fire in the order they
 * were set). Under load the queue is large and not in due order: every Twilio
 * message sets four timers 50 ms to 2 s ahead, 8,000 messages a second. A
 * sorted array paid a walk back past thousands of later timers on each insert
 * and a shift of the whole array on each fire (60 % of the hub's CPU for
 * Twilio message create); here both are O(log n).
 *
 * A cancelled timer is only marked (no longer `pending`), and dropped when it
 * reaches the top, or all at once when the dead outnumber the live.
 */
export interface QueuedTimer {
  readonly id: number
  readonly due: number
  readonly tag: string | undefined
  /** In the queue and not cancelled: false once taken, cancelled or cleared. */
  pending: boolean
}

export class TimerQueue<T extends QueuedTimer> {
  private heap: T[] = []
  private dead = 0

  /** Timers still pending (cancelled ones not counted). */
  get size(): number {
    return this.heap.length - this.dead
  }

  /** The earliest pending timer, without taking it. */
  peek(): T | undefined {
    this.dropCancelledTop()
    return this.heap[0]
  }

  push(timer: T): void {
    const heap = this.heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(timer, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = timer
  }

  /** Takes the earliest pending timer if it is due by `time`. */
  takeDue(time: number): T | undefined {
    const first = this.peek()
    if (first === undefined || first.due > time) return undefined
    this.popTop()
    first.pending = false
    return first
  }

  /** Cancels a pending timer; one already taken or cancelled is left as it is. */
  cancel(timer: T): void {
    if (!timer.pending) return
    timer.pending = false
    this.dead++
    if (this.dead > 64 && this.dead > this.heap.length / 2) this.rebuild()
  }

  /** Drops every timer, or those of one tag. */
  clear(tag?: string): void {
    if (tag === undefined) {
      for (const timer of this.heap) timer.pending = false
      this.heap = []
      this.dead = 0
      return
    }
    for (const timer of this.heap) if (timer.tag === tag && timer.pending) timer.pending = false
    this.rebuild()
  }

  /** Keeps the pending timers and makes them a heap again bottom-up (Floyd's way: linear, where a sort was n log n). */
  private rebuild(): void {
    const live: T[] = []
    for (const timer of this.heap) if (timer.pending) live.push(timer)
    this.heap = live
    this.dead = 0
    for (let i = (live.length >> 1) - 1; i >= 0; i--) this.siftDown(i, live[i]!)
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && !this.heap[0]!.pending) {
      this.popTop()
      this.dead--
    }
  }

  private popTop(): void {
    const last = this.heap.pop()!
    // The last timer goes down from the top.
    if (this.heap.length > 0) this.siftDown(0, last)
  }

  /** Puts `timer` at slot `i` or below, moving earlier children up past it. */
  private siftDown(i: number, timer: T): void {
    const heap = this.heap
    const n = heap.length
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left
      if (!before(heap[child]!, timer)) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = timer
  }
}

function before(a: QueuedTimer, b: QueuedTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id)
}
