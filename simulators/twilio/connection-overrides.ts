import type {
  AttemptFailure,
  RetryDecisionInput,
  WebhookDelivery,
  WebhookEndpoint,
} from '../core/webhooks/types.ts'

/**
 * Twilio's webhook connection overrides ("Webhooks (HTTP callbacks):
 * Connection Overrides"): key-value pairs in the callback URL's fragment,
 * e.g. `https://app.example/status#rc=3&rp=all&ct=2000&rt=5000&tt=15000`,
 * read by Twilio and never sent (the fragment is not part of the request).
 *
 * | key  | meaning                                                   | range     | default |
 * | ---- | --------------------------------------------------------- | --------- | ------- |
 * | `ct` | connect timeout, ms                                       | 100–10000 | 5000    |
 * | `rt` | read timeout (first response packet, between packets), ms | 100–15000 | 15000   |
 * | `tt` | total time for all attempts, retries included, ms         | 100–15000 | 15000   |
 * | `rc` | retry count                                               | 0–5       | 1       |
 * | `rp` | retry policy: `ct`, `rt`, `4xx`, `5xx`, `all`             |           | `ct` (UNVERIFIED) |
 *
 * `e` (edge) and `sni` are accepted and have no effect here.
 */
export interface ConnectionSettings {
  ct: number
  rt: number
  tt: number
  rc: number
  rp: Set<RetryClass>
}

export type RetryClass = 'ct' | 'rt' | '4xx' | '5xx' | 'all'
const CLASSES = new Set<RetryClass>(['ct', 'rt', '4xx', '5xx', 'all'])

export const DEFAULTS: ConnectionSettings = { ct: 5_000, rt: 15_000, tt: 15_000, rc: 1, rp: new Set(['ct']) }

function bounded(value: string | null, min: number, max: number, fallback: number): number {
  if (value === null || !/^\d+$/.test(value)) return fallback
  return Math.min(max, Math.max(min, Number(value)))
}

/** The settings a callback URL asks for; out-of-range numbers are clamped, unknown `rp` entries ignored. */
export function connectionSettings(url: string): ConnectionSettings {
  const hash = url.indexOf('#')
  if (hash < 0) return DEFAULTS
  const params = new URLSearchParams(url.slice(hash + 1))
  const rp = (params.get('rp') ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v): v is RetryClass => CLASSES.has(v as RetryClass))
  return {
    ct: bounded(params.get('ct'), 100, 10_000, DEFAULTS.ct),
    rt: bounded(params.get('rt'), 100, 15_000, DEFAULTS.rt),
    tt: bounded(params.get('tt'), 100, 15_000, DEFAULTS.tt),
    rc: bounded(params.get('rc'), 0, 5, DEFAULTS.rc),
    rp: rp.length > 0 ? new Set(rp) : DEFAULTS.rp,
  }
}

/**
 * The retry class of a failed attempt: no connection → `ct`; no (complete)
 * answer in time or a broken connection → `rt`; an HTTP status → `4xx` /
 * `5xx` (a 3xx is no class: never retried). An attempt lost by a standin drop
 * rule never reached the app, as a connection that could not be made.
 */
export function retryClass(failure: AttemptFailure, status: number | undefined): RetryClass | undefined {
  switch (failure) {
    case 'connect':
    case 'dropped':
      return 'ct'
    case 'timeout':
    case 'reset':
      return 'rt'
    case 'http':
      if (status !== undefined && status >= 400 && status < 500) return '4xx'
      if (status !== undefined && status >= 500) return '5xx'
      return undefined
  }
}

/** Real ms the attempts of this delivery have used so far. */
function elapsed(delivery: WebhookDelivery): number {
  return delivery.attempts.reduce((sum, a) => sum + a.durationMs, 0)
}

/**
 * Twilio's decision after a failed callback attempt: retry at once while
 * retries are left (`rc`), the failure's class is in `rp` (or `rp=all`), and
 * the total time `tt` is not used up.
 */
export function retryDecision(input: RetryDecisionInput): number | undefined {
  const settings = connectionSettings(input.endpoint.url)
  if (input.failures > settings.rc) return undefined
  const kind = retryClass(input.failure, input.attempt.status)
  if (kind === undefined) return undefined
  if (!settings.rp.has('all') && !settings.rp.has(kind)) return undefined
  if (elapsed(input.delivery) >= settings.tt) return undefined
  return 0
}

/**
 * One attempt waits `rt` for the answer, within what is left of the total
 * time `tt`. @note `ct` is not enforced on its own (the dispatcher's fetch has
 * one timeout): a refused connection fails at once either way, and a
 * connection that hangs runs into `rt` and is classed `rt`, not `ct`.
 */
export function attemptTimeout(endpoint: WebhookEndpoint, delivery: WebhookDelivery): number {
  const settings = connectionSettings(endpoint.url)
  return Math.max(1, Math.min(settings.rt, settings.tt - elapsed(delivery)))
}
