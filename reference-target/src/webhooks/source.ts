import type { Ctx } from '../context.ts'
import { ApiError } from '../errors.ts'

/** One event as received: its provider id (the dedupe key), its type and its parsed payload. */
export interface InboundEvent {
  eventId: string
  type: string
  payload: unknown
}

/** One event as stored in `webhook_events`, which the `webhook.process` job acts on. */
export interface StoredEvent {
  id: number
  provider: string
  type: string
  payload: Record<string, unknown>
  processed_at: Date | null
}

/** A delivery as the endpoint got it: the exact bytes (signatures are over them), headers, the path called. */
export interface WebhookRequest {
  raw: Buffer
  header(name: string): string | undefined
  /** The path and query the provider called (Twilio signs the full URL). */
  url: string
}

/** What routes.ts asks of a source: the defects switch these off, nothing else does. */
export interface WebhookChecks {
  /** Verify the signature (or, for an unsigned provider, believe the API rather than the body). */
  signature: boolean
  /** Refuse signed timestamps older than the tolerance. */
  age: boolean
}

/**
 * The webhooks of one provider: where it posts, how a delivery is verified
 * and split into events, and what each stored event does. A new provider is
 * its source file plus one line in sources.ts.
 */
export interface WebhookSource {
  /** The name stored with each event (webhook_events.provider). */
  provider: string
  path: string
  /** Verifies and parses a delivery; throws a 400 ApiError when it does not verify or parse. */
  receive(ctx: Ctx, req: WebhookRequest, checks: WebhookChecks): InboundEvent[]
  /** Acts on one stored event. Runs after the 2xx, maybe more than once: only idempotent operations. */
  process(ctx: Ctx, event: StoredEvent, checks: WebhookChecks): Promise<void>
}

/** Signed timestamps older than this are refused (Stripe's default tolerance; ours for SendGrid). */
export const STALE_MS = 5 * 60_000

export const invalidSignature = (field: string, message = 'The signature does not verify.') =>
  new ApiError(400, 'invalid_signature', message, field)

export const staleTimestamp = (field: string) =>
  new ApiError(400, 'stale_timestamp', 'The signature timestamp is too old.', field)

export function parseJson(raw: Buffer, field = 'body'): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ApiError(400, 'invalid_request', 'The body is not valid JSON.', field)
  }
}

/** The checks every source applies, as the defects leave them. */
export function webhookChecks(ctx: Ctx): WebhookChecks {
  return {
    signature: !ctx.defects.has('skip-webhook-signature'),
    age: !ctx.defects.has('accept-stale-webhook'),
  }
}
