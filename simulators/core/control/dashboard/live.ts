import type { Core } from '../../runtime.ts'

/** What the dashboard shows, each refetched on its own when it changes. */
export const TOPICS = ['journal', 'messages', 'deliveries', 'faults', 'webhookRules', 'clock'] as const
export type Topic = (typeof TOPICS)[number]
/** Topics whose view changed; `cleared` those emptied since (the page refetches them whole). */
export interface Change {
  topics: Topic[]
  cleared: Topic[]
}

/**
 * A cheap fingerprint per topic: a number or short string that changes when
 * what the dashboard shows of it changes. The clock's is its offset and
 * scale, not its time: the page ticks the time itself from those.
 */
function revisions(core: Core): Record<Topic, string> {
  const newestMessage = core.inbox.list({ limit: 1 })[0]
  let deliveries = ''
  for (const d of core.webhooks.listDeliveries({ limit: 100 }))
    deliveries += `${d.id}:${d.attempts.length}:${d.status};`
  const clock = core.clock.snapshot()
  return {
    journal: `${core.journal.lastSeq}:${core.journal.size}`,
    messages: newestMessage?.id ?? '',
    deliveries,
    faults: core.faults
      .list()
      .map((r) => `${r.id}:${r.seen}:${r.fired}`)
      .join(),
    webhookRules: core.webhooks
      .listRules()
      .map((r) => r.id)
      .join(),
    clock: `${clock.offsetMs}:${clock.scale}:${clock.pendingTimers}`,
  }
}

/**
 * The dashboard's live feed: one server-sent event per change, naming the
 * topics that changed, so the page refetches only those (and the journal only
 * past the last entry it has).
 * @note The core has no change events of its own, so while at least one page
 * listens the fingerprints above are compared every `intervalMs` — a few
 * comparisons of in-memory counters, never a table sent to a page that did not
 * change. With no page open, nothing runs.
 */
export class LiveFeed {
  private readonly listeners = new Set<(change: Change) => void>()
  private timer: NodeJS.Timeout | undefined
  private last: Record<Topic, string> | undefined
  private journalSize = 0

  constructor(
    private readonly core: Core,
    private readonly intervalMs = 200,
  ) {}

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener)
    if (!this.timer) {
      this.last = revisions(this.core)
      this.journalSize = this.core.journal.size
      this.timer = setInterval(() => this.check(), this.intervalMs)
      this.timer.unref()
    }
    return () => {
      this.listeners.delete(listener)
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }

  private check() {
    const now = revisions(this.core)
    const changed = TOPICS.filter((t) => now[t] !== this.last?.[t])
    // Fewer entries than before: cleared (or reset), so the page starts its list over instead of adding to it.
    const cleared: Topic[] = this.core.journal.size < this.journalSize ? ['journal'] : []
    this.journalSize = this.core.journal.size
    this.last = now
    if (changed.length) for (const listener of this.listeners) listener({ topics: changed, cleared })
  }
}
