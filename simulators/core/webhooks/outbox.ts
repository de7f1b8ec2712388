import { getStoreLimit } from '../store.ts'
import type { FiredRule } from './rule-book.ts'
import { typeMatches } from './rule-book.ts'
import type { WebhookDelivery, WebhookEndpoint, WebhookEvent } from './types.ts'

/** One delivery of an event to an endpoint, with what the dispatcher needs to carry it on. */
export interface DeliveryState {
  delivery: WebhookDelivery
  event: WebhookEvent
  endpoint: WebhookEndpoint
  /** The rules that act on its attempts. */
  rules: FiredRule[]
  timer?: { cancel(): void } | undefined
  sending: boolean
  /** Virtual time the next attempt is due. */
  dueAt?: number | undefined
  /**
   * Virtual time the current attempt was due: the next one is scheduled from it, not from when the
   * attempt ended or (after a synchronous advance past it) from when it went out.
   */
  attemptAt?: number | undefined
  /** Duplicate copies of this delivery, sent once it has ended (a provider resending what it already sent). */
  followers?: DeliveryState[] | undefined
}

export interface DeliveryQuery {
  provider?: string | undefined
  account?: string | undefined
  eventType?: string | undefined
  eventId?: string | undefined
  endpointId?: string | undefined
  status?: WebhookDelivery['status'] | undefined
  /** Only deliveries with at least this many attempts. */
  minAttempts?: number | undefined
  /** Substring of the JSON of the event payload (an order id, an email). */
  payloadContains?: string | undefined
  limit?: number | undefined
}

interface StoredEvent {
  event: WebhookEvent
  /** Made with the first delivery: most events (a load test's, with no endpoint listening) get none. */
  deliveries: DeliveryState[] | undefined
}

/** Which events a list asks for (newest first, at most `limit`). */
export interface EventFilter {
  provider?: string | undefined
  type?: string | undefined
  account?: string | undefined
  limit?: number | undefined
}

/**
 * Events and their deliveries, kept apart (as svix does), and the waiters for a
 * delivery to reach a state. Bounded: past its cap, the oldest events whose
 * deliveries have all ended are forgotten; nothing pending is ever dropped.
 * The cap is the store limit (`STANDIN_STORE_LIMIT`, 10,000 by default) unless
 * given: the providers' own event lists keep as many, so a larger history here
 * only held their snapshots longer (50,000 before: 41 MB more heap under a
 * PaymentIntent load, for events nobody could list from the provider any more).
 */
export class Outbox {
  private readonly events = new Map<string, StoredEvent>()
  private readonly deliveries = new Map<string, DeliveryState>()
  private waiters: { query: DeliveryQuery; resolve: (d: WebhookDelivery | undefined) => void }[] = []
  /** Size below which no trim runs again: set when a trim found only pending events above the target. */
  private trimAgainAt = 0

  constructor(private readonly maxEvents?: number) {}

  /** Read per event, not kept: a test or the control plane may change the store limit while the hub runs. */
  private cap(): number {
    return this.maxEvents ?? getStoreLimit()
  }

  addEvent(event: WebhookEvent): void {
    const stored = this.events.get(event.id)
    // An event sent again under its own id (providers that store their events) keeps its earlier deliveries.
    if (stored) {
      stored.event = event
      return
    }
    // Trimmed before the new event goes in: it has no deliveries yet, and must not pass for an ended one.
    const size = this.events.size
    if (size >= this.trimAgainAt && size >= this.cap()) this.trim()
    this.events.set(event.id, { event, deliveries: undefined })
  }

  addDelivery(state: DeliveryState): void {
    this.deliveries.set(state.delivery.id, state)
    const stored = this.events.get(state.event.id)
    if (stored === undefined) return
    if (stored.deliveries === undefined) stored.deliveries = [state]
    else stored.deliveries.push(state)
  }

  has(state: DeliveryState): boolean {
    return this.deliveries.get(state.delivery.id) === state
  }

  state(deliveryId: string): DeliveryState | undefined {
    return this.deliveries.get(deliveryId)
  }

  getEvent(id: string): WebhookEvent | undefined {
    return this.events.get(id)?.event
  }

  /** Newest last in the store, newest first in the answer. */
  listEvents(filter: EventFilter = {}): WebhookEvent[] {
    const out: WebhookEvent[] = []
    for (const { event: e } of this.events.values())
      if (
        (!filter.provider || e.provider === filter.provider) &&
        (!filter.account || e.account === filter.account) &&
        (!filter.type || typeMatches(filter.type, e.type))
      )
        out.push(e)
    return out.slice(-(filter.limit ?? 100)).reverse()
  }

  /** Newest first. */
  listDeliveries(query: DeliveryQuery = {}): WebhookDelivery[] {
    const out: WebhookDelivery[] = []
    const limit = query.limit ?? 100
    const all = [...this.deliveries.values()]
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--)
      if (deliveryMatches(all[i]!, query)) out.push(all[i]!.delivery)
    return out
  }

  /** How many deliveries are in each status. */
  counts(): Record<WebhookDelivery['status'], number> {
    const counts = { pending: 0, retrying: 0, delivered: 0, failed: 0 }
    for (const s of this.deliveries.values()) counts[s.delivery.status]++
    return counts
  }

  /** Resolves with the first delivery matching `query` (status and attempt count included), waiting up to `timeoutMs` real ms. */
  waitFor(query: DeliveryQuery, timeoutMs: number): Promise<WebhookDelivery | undefined> {
    const existing = this.listDeliveries({ ...query, limit: 1 })[0]
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve) => {
      const waiter = {
        query,
        resolve: (d: WebhookDelivery | undefined) => {
          clearTimeout(timer)
          resolve(d)
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(undefined)
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** Tells the waiters a delivery changed. */
  notify(state: DeliveryState): void {
    if (this.waiters.length === 0) return
    this.waiters = this.waiters.filter((w) => {
      if (!deliveryMatches(state, w.query)) return true
      w.resolve(state.delivery)
      return false
    })
  }

  /** Forgets events and deliveries (cancelling pending attempts), of one provider or all. */
  reset(provider?: string): void {
    for (const [id, state] of this.deliveries) {
      if (provider && state.delivery.provider !== provider) continue
      state.timer?.cancel()
      this.deliveries.delete(id)
    }
    for (const [id, stored] of this.events)
      if (!provider || stored.event.provider === provider) this.events.delete(id)
    this.trimAgainAt = 0
  }

  /**
   * Forgets the oldest events whose deliveries have all ended, down to 90 % of the cap: each event
   * knows its deliveries, so a trim costs what it drops, not every delivery for every event.
   */
  private trim() {
    const cap = this.cap()
    const target = Math.floor(cap * 0.9)
    for (const [id, stored] of this.events) {
      if (this.events.size <= target) break
      const deliveries = stored.deliveries
      if (deliveries?.some((s) => s.delivery.status === 'pending' || s.delivery.status === 'retrying'))
        continue
      this.events.delete(id)
      if (deliveries === undefined) continue
      for (const s of deliveries)
        if (this.deliveries.get(s.delivery.id) === s) this.deliveries.delete(s.delivery.id)
    }
    // When only pending events are left above the cap, scan again after another tenth of it has arrived.
    this.trimAgainAt = this.events.size <= target ? 0 : this.events.size + Math.max(1, Math.floor(cap * 0.1))
  }
}

export function deliveryMatches(state: DeliveryState, q: DeliveryQuery): boolean {
  const d = state.delivery
  if (q.provider && d.provider !== q.provider) return false
  if (q.account && d.account !== q.account) return false
  if (q.eventType && !typeMatches(q.eventType, d.eventType)) return false
  if (q.eventId && d.eventId !== q.eventId) return false
  if (q.endpointId && d.endpointId !== q.endpointId) return false
  if (q.status && d.status !== q.status) return false
  if (q.minAttempts !== undefined && d.attempts.length < q.minAttempts) return false
  if (q.payloadContains && !JSON.stringify(state.event.payload).includes(q.payloadContains)) return false
  return true
}
