import { isoTime, type VirtualClock } from '../clock.ts'
import type { OutgoingAttempt } from './effects/index.ts'
import type { DeliveryState } from './outbox.ts'
import { post, type ReceiverAnswer } from './post.ts'
import type { WebhookAttempt, WebhookSpec } from './types.ts'

const EXCERPT = 500

/**
 * Attempts in flight to one endpoint URL at once; the rest wait their turn in
 * order. Providers send over a bounded pool too, and a burst of 20,000 events
 * must not open 20,000 sockets.
 */
export const MAX_IN_FLIGHT_PER_ENDPOINT = 64

/** One endpoint's lane: attempts in flight, and those waiting in order (a head index, since shift() on a long queue copies it). */
interface Lane {
  busy: number
  waiting: (() => void)[]
  head: number
}

const lanes = new Map<string, Lane>()

/** Runs `send` once the URL has a free lane. */
async function inLane<T>(url: string, send: () => Promise<T>): Promise<T> {
  let lane = lanes.get(url)
  if (!lane) {
    lane = { busy: 0, waiting: [], head: 0 }
    lanes.set(url, lane)
  }
  // A freed lane is handed straight to the next in line, so `busy` only counts up here.
  if (lane.busy >= MAX_IN_FLIGHT_PER_ENDPOINT)
    await new Promise<void>((resolve) => lane.waiting.push(resolve))
  else lane.busy++
  try {
    return await send()
  } finally {
    if (lane.head < lane.waiting.length) {
      const next = lane.waiting[lane.head]!
      lane.waiting[lane.head++] = noop // let the resolved waiter go
      if (lane.head === lane.waiting.length) {
        lane.waiting = []
        lane.head = 0
      }
      next()
    } else if (--lane.busy === 0) lanes.delete(url)
  }
}

const noop = () => {}

/**
 * One attempt on the wire: serialize, let the delivery's rules change what is
 * signed or lose the attempt, sign, send, and record what happened. Never
 * throws for the receiver's failures (refused, timed out, non-2xx): those are
 * the attempt's outcome.
 */
export async function sendAttempt(
  spec: WebhookSpec,
  state: DeliveryState,
  trigger: WebhookAttempt['trigger'],
  clock: VirtualClock,
): Promise<{ attempt: WebhookAttempt; response?: ReceiverAnswer }> {
  const n = state.delivery.attempts.length + 1
  let started = clock.realNow()
  const now = clock.now()
  const at = isoTime(now)
  const body = spec.serialize
    ? spec.serialize(state.event, state.endpoint)
    : JSON.stringify(state.event.payload)

  const outgoing: OutgoingAttempt = {
    n,
    trigger,
    at: now,
    timestamp: now,
    signOtherBytes: false,
    drop: false,
    tampering: [],
  }
  for (const fired of state.rules) fired.definition.attempt?.(fired.effect, outgoing)
  const { tampering } = outgoing

  let headers: Record<string, string>
  try {
    headers = spec.sign({
      event: state.event,
      endpoint: state.endpoint,
      timestamp: outgoing.timestamp,
      // Other bytes than those sent: every scheme (HMAC, ECDSA, URL+params) then fails to verify.
      body: outgoing.signOtherBytes ? `${body} ` : body,
      attempt: n,
    })
  } catch (error) {
    headers = {}
    tampering.push(`sign-failed: ${(error as Error).message}`)
  }
  const base = { n, at, trigger, requestHeaders: headers, tampering }
  if (outgoing.drop)
    return { attempt: { ...base, outcome: 'dropped', durationMs: 0, error: 'dropped by rule' } }

  try {
    const timeoutMs = spec.attemptTimeoutMs?.(state.endpoint, state.delivery) ?? spec.timeoutMs ?? 10_000
    const response = await inLane(state.endpoint.url, () => {
      started = clock.realNow() // the wait for a lane is not the receiver's time
      return post(state.endpoint.url, { headers, body, timeoutMs })
    })
    const ok = response.status >= 200 && response.status < 300
    return {
      attempt: {
        ...base,
        outcome: ok ? 'delivered' : 'failed',
        status: response.status,
        durationMs: Math.round(clock.realNow() - started),
        responseExcerpt: response.text.slice(0, EXCERPT),
      },
      response,
    }
  } catch (error) {
    return {
      attempt: {
        ...base,
        outcome: 'failed',
        error: describeError(error),
        durationMs: Math.round(clock.realNow() - started),
      },
    }
  }
}

function describeError(error: unknown): string {
  const e = error as Error & { code?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError') return 'timeout: the receiver did not answer in time'
  if (e.code) return `${e.code}: ${e.message}`
  return e.cause?.code ? `${e.cause.code}: ${e.cause.message ?? e.message}` : e.message
}
