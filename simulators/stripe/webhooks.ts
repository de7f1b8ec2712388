import { createHmac, timingSafeEqual } from 'node:crypto'
import { copyJson } from '../core/json-copy.ts'
import type { WebhookSpec } from '../core/webhooks/types.ts'
import { PINNED_VERSION, render } from './codec.ts'
import type { StripeEvent } from './models.ts'
import { connectEndpointsAccount, scopeOf } from './scope.ts'
import { snapshotOf } from './snapshots.ts'
import type { StripeContext } from './state.ts'

/**
 * Stripe's webhook wire format: the Event JSON pretty-printed (2-space indent,
 * as raw-byte dumps of real deliveries show), signed
 * `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
 * with the whole `whsec_...` string as the key.
 */
export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex')
}

export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${signPayload(secret, timestampSeconds, body)}`
}

/** The verifier beside the signer (what stripe.webhooks.constructEvent checks), for tests and the hub. */
export function verifySignature(
  body: string,
  header: string,
  secret: string,
  toleranceSeconds: number,
  nowSeconds: number,
): boolean {
  const parts = header.split(',').map((p) => p.split('='))
  const t = Number(parts.find(([k]) => k === 't')?.[1])
  if (!Number.isFinite(t)) return false
  const expected = Buffer.from(signPayload(secret, t, body))
  const ok = parts
    .filter(([k]) => k === 'v1')
    .some(
      ([, v]) => v !== undefined && v.length === expected.length && timingSafeEqual(Buffer.from(v), expected),
    )
  return ok && (toleranceSeconds <= 0 || nowSeconds - t <= toleranceSeconds)
}

/**
 * Test-mode retries: Stripe documents "up to three times over a few hours" in
 * test mode (live: up to three days with exponential backoff) without the
 * intervals; these are standin's choice: 1 h, 2 h, 4 h after each failure.
 */
export const TEST_MODE_RETRY_SCHEDULE = [3_600_000, 7_200_000, 14_400_000] as const

export const webhookSpec: WebhookSpec = {
  schedule: TEST_MODE_RETRY_SCHEDULE,
  serialize: (event, endpoint) => {
    // Rendered in the endpoint's api_version when it set one, as Stripe does.
    const version = (endpoint.meta.api_version as string | null | undefined) ?? PINNED_VERSION
    const payload = { ...(render(event.payload, version) as Record<string, unknown>), api_version: version }
    return JSON.stringify(payload, null, 2)
  },
  sign: ({ endpoint, timestamp, body }) => ({
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    accept: '*/*; q=0.5, application/xml',
    'stripe-signature': signatureHeader(endpoint.secret, Math.floor(timestamp / 1000), body),
  }),
  timeoutMs: 10_000,
  defaultSecret: () => 'whsec_standin_default_secret',
}

export interface EventSource {
  ctx: StripeContext
  /** Unix seconds the event happened at (a test clock's frozen time when a clock drives it). */
  at: number
  request: { id: string | null; idempotency_key: string | null } | null
}

/**
 * `data`: the object as it is now, a snapshot that later changes do not reach (internal shape; rendered
 * for the reader's version when read; what it shares with the object: snapshots.ts), and what changed.
 */
function eventData(object: object, previous: Record<string, unknown> | undefined): StripeEvent['data'] {
  const snapshot = snapshotOf(object)
  return previous === undefined
    ? { object: snapshot }
    : { object: snapshot, previous_attributes: copyJson(previous) }
}

/**
 * Records an Event (retrievable at /v1/events) and hands that same object to
 * the dispatcher for every endpoint that listens; `data.object` is a snapshot
 * of the object now. Stored once: the dispatcher's outbox holds a reference to
 * it, not a copy.
 */
export function emitEvent(
  source: EventSource,
  type: string,
  object: object,
  previous?: Record<string, unknown>,
): StripeEvent {
  const { ctx } = source
  const { platform, connected } = scopeOf(ctx.account)
  // A connected account's events also go to its platform's Connect endpoints, naming the account.
  const connectTools = connected ? ctx.webhooksFor(connectEndpointsAccount(platform)) : undefined
  const id = ctx.ids.mint('evt_', 24)
  const data = eventData(object, previous)
  const pending =
    listening(ctx.webhooks.endpoints.list(), type) + listening(connectTools?.endpoints.list(), type)
  // Two literals rather than a spread of the optional `account` into one: V8 builds a literal from one
  // known shape, and a spread made every event a slow, out-of-line object.
  const event: StripeEvent = connected
    ? {
        id,
        object: 'event',
        account: connected,
        api_version: null,
        created: source.at,
        data,
        livemode: false,
        pending_webhooks: pending,
        request: source.request,
        type,
      }
    : {
        id,
        object: 'event',
        api_version: null,
        created: source.at,
        data,
        livemode: false,
        pending_webhooks: pending,
        request: source.request,
        type,
      }
  // Bounded (EVENTS_KEPT): past it the collection drops the oldest.
  ctx.state.events.insert(event)
  ctx.webhooks.emit({ type, id: event.id, payload: event })
  connectTools?.emit({ type, id: event.id, payload: event })
  return event
}

function listening(endpoints: { enabled: boolean; events: string[] }[] | undefined, type: string): number {
  let n = 0
  for (const e of endpoints ?? []) if (e.enabled && (e.events.includes('*') || e.events.includes(type))) n++
  return n
}
