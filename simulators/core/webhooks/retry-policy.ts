import type { ReceiverAnswer } from './post.ts'
import type {
  AttemptFailure,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
  WebhookSpec,
} from './types.ts'

/** After a failed attempt: wait `waitMs` (virtual) and try again, or give up (and maybe switch the endpoint off). */
export type RetryVerdict = { retry: true; waitMs: number } | { retry: false; disableEndpoint: boolean }

/**
 * The provider's retry decision after a failed scheduled attempt: its schedule,
 * or its own `retry` function, a 410 that switches the endpoint off, and a
 * Retry-After the receiver asked for.
 */
export function decideRetry(
  spec: WebhookSpec,
  input: {
    event: WebhookEvent
    endpoint: WebhookEndpoint
    /** The delivery with every attempt so far, the failed one last. */
    delivery: WebhookDelivery
    attempt: WebhookAttempt
    response: ReceiverAnswer | undefined
  },
): RetryVerdict {
  const { delivery, attempt } = input
  let failures = 0
  for (const a of delivery.attempts) if (a.trigger !== 'manual' && a.outcome !== 'delivered') failures++
  const gone = spec.disableOn410 === true && attempt.status === 410
  const scheduled = spec.schedule[failures - 1]
  // A provider whose retries depend on how the attempt failed decides itself (WebhookSpec.retry).
  const next = spec.retry
    ? spec.retry({
        event: input.event,
        endpoint: input.endpoint,
        delivery,
        attempt,
        failure: failureOf(attempt),
        failures,
        scheduled,
      })
    : scheduled
  if (gone || next === undefined)
    return { retry: false, disableEndpoint: gone || spec.disableOnExhaustion === true }
  const retryAfter = spec.honourRetryAfter ? retryAfterMs(input.response) : undefined
  return { retry: true, waitMs: retryAfter ?? next }
}

/** A Retry-After in seconds; a receiver asking for more than a day is taken at a day (the schedule's own spacing is never longer). */
export function retryAfterMs(response: ReceiverAnswer | undefined): number | undefined {
  const value = response?.headers['retry-after']
  if (!value) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 86_400) * 1000 : undefined
}

/** How a failed attempt failed, read from what it recorded (the sender's `code:` error prefix, or the status). */
export function failureOf(attempt: WebhookAttempt): AttemptFailure {
  if (attempt.outcome === 'dropped') return 'dropped'
  if (attempt.status !== undefined) return 'http'
  const error = attempt.error ?? ''
  if (error.startsWith('timeout')) return 'timeout'
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b/.test(error))
    return 'connect'
  return 'reset'
}
