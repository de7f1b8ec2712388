import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto'
import { jsonBytes } from '../core/json-bytes.ts'
import type { ProviderContext } from '../core/provider.ts'
import type { WebhookSpec } from '../core/webhooks/types.ts'
import type { SendgridEvent, SendgridState } from './models.ts'

/**
 * The Signed Event Webhook. SendGrid signs `timestamp + rawBody` with ECDSA
 * P-256 / SHA-256, sends the DER signature base64 in
 * `X-Twilio-Email-Event-Webhook-Signature` and the unix seconds in
 * `X-Twilio-Email-Event-Webhook-Timestamp`, and shows the verification key as
 * base64 DER SubjectPublicKeyInfo (`MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…`).
 *
 * @note Key pairs: each account has one, derived from the account name, so a
 * restarted hub gives the same public key. An endpoint's `secret` names its
 * key: left unset (the default), it is the account's seed and
 * `GET /v3/user/webhooks/event/settings/signed` returns the matching public
 * key; a PEM P-256 private key is used as is (bring your own key); any other
 * string seeds a key whose public half {@link publicKeyFor} gives.
 */
export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature'
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp'

/** Events collect this long (virtual) before a batch is posted; SendGrid waits up to ~30 s, see README. */
export const BATCH_WINDOW_MS = 1_000
/** A batch is posted at once when it reaches this size, as SendGrid does at 768 KB. */
export const BATCH_MAX_BYTES = 768 * 1024

export const accountKeySeed = (account: string) => `standin:sendgrid:event-webhook:${account}`

const keys = new Map<string, { privateKey: KeyObject; publicKey: string }>()

function keyPair(secret: string): { privateKey: KeyObject; publicKey: string } {
  let pair = keys.get(secret)
  if (pair) return pair
  const privateKey = secret.startsWith('-----BEGIN') ? createPrivateKey(secret) : derivePrivateKey(secret)
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64')
  pair = { privateKey, publicKey }
  keys.set(secret, pair)
  return pair
}

/** A P-256 key whose scalar is SHA-256 of the seed (re-hashed in the ~2^-32 case it is out of range). */
function derivePrivateKey(seed: string): KeyObject {
  const ecdh = createECDH('prime256v1')
  let d = createHash('sha256').update(seed).digest()
  for (;;) {
    try {
      ecdh.setPrivateKey(d)
      break
    } catch {
      d = createHash('sha256').update(d).digest()
    }
  }
  const point = ecdh.getPublicKey()
  const b64url = (b: Buffer) => b.toString('base64url')
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64url(d),
      x: b64url(point.subarray(1, 33)),
      y: b64url(point.subarray(33)),
    },
    format: 'jwk',
  })
}

/** The verification key (base64 DER SPKI) for an endpoint secret. */
export function publicKeyFor(secret: string): string {
  return keyPair(secret).publicKey
}

/** The account's verification key, as `GET /v3/user/webhooks/event/settings/signed` returns it. */
export function accountPublicKey(account: string): string {
  return publicKeyFor(accountKeySeed(account))
}

/**
 * The default secret means "the key of the account the events belong to", so
 * an endpoint registered for every account ('*') signs each account's batches
 * with the key that account's `GET …/settings/signed` shows.
 */
export function signingSecret(secret: string, endpointAccount: string, eventAccount: string): string {
  return secret === accountKeySeed(endpointAccount) ? accountKeySeed(eventAccount) : secret
}

/** The signature headers for `body` at `timestampMs` (pure: the bad-signature rule signs other bytes). */
export function signEventBatch(secret: string, timestampMs: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(timestampMs / 1000))
  const signature = sign(
    'sha256',
    Buffer.from(timestamp + body, 'utf8'),
    keyPair(secret).privateKey,
  ).toString('base64')
  return { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp }
}

/** SendGrid's wire form: one compact event per line, `,\r\n` between them, `\r\n` after the array. */
export function serializeEvents(events: readonly unknown[]): string {
  return `[${events.map((e) => JSON.stringify(e)).join(',\r\n')}]\r\n`
}

/**
 * Retries: SendGrid retries a failed batch on a rolling 24 h schedule and then
 * drops it. The spacing is not published; these steps sum to ~22.4 h.
 */
export const RETRY_SCHEDULE = [
  60_000,
  300_000,
  900_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
] as const

export const sendgridWebhooks: WebhookSpec = {
  schedule: RETRY_SCHEDULE,
  serialize: (event) => serializeEvents(Array.isArray(event.payload) ? event.payload : [event.payload]),
  sign: ({ event, endpoint, timestamp, body }) => ({
    'content-type': 'application/json',
    'user-agent': 'SendGrid Event API',
    // Webhooks made through the settings API start unsigned, as on SendGrid; config endpoints always sign.
    ...(endpoint.meta.signed === false
      ? {}
      : signEventBatch(signingSecret(endpoint.secret, endpoint.account, event.account), timestamp, body)),
  }),
  timeoutMs: 10_000,
  defaultSecret: (account) => accountKeySeed(account),
}

/** The webhook event type of a batch: its event name when all agree, else 'batch' (match payloads to be sure). */
export function batchType(events: readonly SendgridEvent[]): string {
  const first = events[0]?.event
  return first && events.every((e) => e.event === first) ? first : 'batch'
}

/**
 * Adds an event to the account's open batch; the first event of a batch
 * starts its window. The dispatcher delivers one event per emit, so a batch is
 * one emit whose payload is the array.
 */
export function enqueueEvent(ctx: ProviderContext<SendgridState>, event: SendgridEvent): void {
  const state = ctx.state
  state.outbox.push(event)
  // Its bytes in the batch's body (see serializeEvents), counted, not written: most batches are never sent.
  state.outboxBytes += jsonBytes(event) + 3
  if (state.outboxBytes >= BATCH_MAX_BYTES) {
    flushEvents(ctx)
    return
  }
  state.flush ??= ctx.later(BATCH_WINDOW_MS, () => flushEvents(ctx))
}

/** The event type registered on API-made webhooks, which no batch carries: they are fed one by one below. */
export const API_WEBHOOK_EVENTS = 'sendgrid:settings-api'

/** Event name → the settings flag that selects it. */
export const EVENT_FLAGS: Record<string, string> = {
  processed: 'processed',
  delivered: 'delivered',
  deferred: 'deferred',
  bounce: 'bounce',
  dropped: 'dropped',
  open: 'open',
  click: 'click',
  spamreport: 'spam_report',
  unsubscribe: 'unsubscribe',
  group_unsubscribe: 'group_unsubscribe',
  group_resubscribe: 'group_resubscribe',
}

export function flushEvents(ctx: ProviderContext<SendgridState>): void {
  const state = ctx.state
  state.flush?.cancel()
  state.flush = undefined
  const events = state.outbox.splice(0)
  state.outboxBytes = 0
  if (events.length === 0) return
  // Config endpoints take every event.
  ctx.webhooks.emit({ type: batchType(events), payload: events })
  // API-made webhooks take the events their flags select, each its own batch.
  for (const endpoint of ctx.webhooks.endpoints.list()) {
    if (!endpoint.enabled || !endpoint.events.includes(API_WEBHOOK_EVENTS)) continue
    const wanted = events.filter((e) => endpoint.meta[EVENT_FLAGS[e.event] ?? e.event] === true)
    if (wanted.length === 0) continue
    ctx.webhooks.emit({
      type: batchType(wanted),
      payload: wanted,
      to: { url: endpoint.url, secret: endpoint.secret, meta: endpoint.meta },
    })
  }
}
