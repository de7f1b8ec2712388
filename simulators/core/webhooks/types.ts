import { z } from 'zod'

/** Where a provider's events go: registered by the provider's own API (a webhook_endpoints resource) or by config. */
export const WebhookEndpoint = z.object({
  id: z.string(),
  provider: z.string(),
  account: z.string(),
  url: z.url(),
  secret: z.string(),
  /** Event types this endpoint receives; '*' for all. */
  events: z.array(z.string()),
  source: z.enum(['api', 'config']),
  enabled: z.boolean(),
  createdAt: z.number(),
  /** Provider specifics (api_version, description, ...). */
  meta: z.record(z.string(), z.unknown()),
})
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>

/** An event: stable id and payload, kept apart from its delivery attempts (as svix does). */
export const WebhookEvent = z.object({
  id: z.string(),
  provider: z.string(),
  account: z.string(),
  type: z.string(),
  payload: z.unknown(),
  createdAt: z.number(),
})
export type WebhookEvent = z.infer<typeof WebhookEvent>

export const AttemptOutcome = z.enum(['delivered', 'failed', 'dropped'])

export const WebhookAttempt = z.object({
  n: z.number().int(),
  at: z.string(),
  trigger: z.enum(['scheduled', 'manual', 'duplicate']),
  outcome: AttemptOutcome,
  status: z.number().int().optional(),
  error: z.string().optional(),
  durationMs: z.number(),
  requestHeaders: z.record(z.string(), z.string()),
  responseExcerpt: z.string().optional(),
  /** Rules that changed this attempt (bad-signature, stale-timestamp, drop...). */
  tampering: z.array(z.string()),
})
export type WebhookAttempt = z.infer<typeof WebhookAttempt>

export const DeliveryStatus = z.enum(['pending', 'retrying', 'delivered', 'failed'])

export const WebhookDelivery = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  provider: z.string(),
  account: z.string(),
  endpointId: z.string(),
  url: z.string(),
  status: DeliveryStatus,
  attempts: z.array(WebhookAttempt),
  nextAttemptAt: z.string().optional(),
  createdAt: z.string(),
})
export type WebhookDelivery = z.infer<typeof WebhookDelivery>

export interface WebhookEncodeInput {
  event: WebhookEvent
  endpoint: WebhookEndpoint
  /** Virtual epoch ms the signature is made at (older when a stale-timestamp rule fires). */
  timestamp: number
  /** The serialized body to sign (the transport sends exactly these bytes). */
  body: string
  /** 1 for the first attempt of a delivery; providers that number retries in a header read it. */
  attempt?: number
}

/**
 * How one provider delivers webhooks: its wire body, its signature scheme and
 * its retry schedule. `sign` is a pure function of its input, so a
 * bad-signature rule can sign other bytes than those it sends.
 */
export interface WebhookSpec {
  /** Virtual ms to wait before each retry after a failed attempt; attempts = schedule.length + 1. */
  schedule: readonly number[]
  /** The bytes to send. Default: JSON of the event payload. */
  serialize?(event: WebhookEvent, endpoint: WebhookEndpoint): string
  /** Headers to send, signature included. */
  sign(input: WebhookEncodeInput): Record<string, string>
  /** Real ms the receiver has to answer before the attempt counts as failed. Default 10 000. */
  timeoutMs?: number
  /** Stop retrying an endpoint that answers 410 Gone. */
  disableOn410?: boolean
  /** Disable the endpoint when a delivery has used up its whole schedule (providers that switch off a URL after a day of failures). */
  disableOnExhaustion?: boolean
  /** Wait what a 429/503 Retry-After asks instead of the schedule's delay. */
  honourRetryAfter?: boolean
  /** Default secret for an endpoint registered by config without one. */
  defaultSecret?(account: string): string
  /**
   * The provider's retry decision after a failed attempt, instead of `schedule`: the virtual ms to
   * wait before the next attempt, or undefined to give up. For providers whose retries depend on
   * how the attempt failed or on per-endpoint settings.
   *
   * @example retry: ({ failure, failures }) => (failure === 'connect' && failures <= 1 ? 0 : undefined)
   */
  retry?(input: RetryDecisionInput): number | undefined
  /** Real ms the receiver has for one attempt to this endpoint (per-endpoint settings); undefined → `timeoutMs`. */
  attemptTimeoutMs?(endpoint: WebhookEndpoint, delivery: WebhookDelivery): number | undefined
}

/**
 * How an attempt failed: no connection could be made (`connect`), no answer in time (`timeout`), the
 * connection broke after it was made (`reset`), a non-2xx answer (`http`, see `attempt.status`), or
 * lost by a drop rule (`dropped`).
 */
export type AttemptFailure = 'connect' | 'timeout' | 'reset' | 'http' | 'dropped'

export interface RetryDecisionInput {
  event: WebhookEvent
  endpoint: WebhookEndpoint
  /** The delivery with every attempt so far, the failed one last. */
  delivery: WebhookDelivery
  attempt: WebhookAttempt
  failure: AttemptFailure
  /** Failed scheduled attempts so far, this one included (1 after the first failure). */
  failures: number
  /** What `schedule` alone would wait (undefined once it is used up). */
  scheduled: number | undefined
}

export interface EmitInput {
  type: string
  payload: unknown
  /** Event id; minted when absent. Providers that store their events pass their own ids. */
  id?: string
  /**
   * A one-off destination instead of the registered endpoints: a status
   * callback URL given with each message is the example.
   */
  to?: { url: string; secret: string; meta?: Record<string, unknown> }
}

/** The webhook tools a handler sees: bound to its provider and account. */
export interface AccountWebhooks {
  emit(input: EmitInput): WebhookEvent
  endpoints: {
    add(input: {
      url: string
      secret: string
      events?: string[]
      meta?: Record<string, unknown>
      id?: string
    }): WebhookEndpoint
    update(
      id: string,
      patch: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'meta' | 'secret'>>,
    ): WebhookEndpoint | undefined
    remove(id: string): boolean
    get(id: string): WebhookEndpoint | undefined
    list(): WebhookEndpoint[]
  }
}
