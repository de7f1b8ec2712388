import { createHmac } from 'node:crypto'
import type { ProviderContext } from '../core/provider.ts'
import type { WebhookSpec } from '../core/webhooks/types.ts'
import { attemptTimeout, retryDecision } from './connection-overrides.ts'
import type { TwilioState } from './models.ts'

/**
 * Twilio's callbacks (message and call status): a form-encoded POST to the
 * per-resource StatusCallback URL, signed with `X-Twilio-Signature` =
 * base64(HMAC-SHA1(AuthToken, URL + each param name and value, names sorted)).
 * twilio-node's `validateRequest` accepts exactly this (see webhooks.test.ts).
 */

/** Twilio's request signature over a URL and the decoded POST params (twilio-node `getExpectedTwilioSignature`). */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): string {
  let data = url
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value]
    for (const v of values) data += name + v
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64')
}

/**
 * The URL Twilio requests and signs: the configured URL without its fragment
 * (`#rc=2&ct=1000` connection overrides are read by Twilio, never sent).
 */
export function requestUrl(url: string): string {
  const hash = url.indexOf('#')
  return hash < 0 ? url : url.slice(0, hash)
}

function formParams(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(body)) {
    const seen = out[k]
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v]
  }
  return out
}

/**
 * The webhook spec.
 *
 * @note Retries follow the callback URL's connection overrides
 * (connection-overrides.ts): by default one retry, at once, only when no
 * connection could be made (`rc=1`, `rp=ct`); `#rc=`, `#rp=`, `#ct=`, `#rt=`,
 * `#tt=` change that per URL. Timeout per attempt: `rt`, within `tt`.
 */
export const webhooks: WebhookSpec = {
  schedule: [0],
  timeoutMs: 15_000,
  retry: retryDecision,
  attemptTimeoutMs: attemptTimeout,
  serialize: (event) => new URLSearchParams(event.payload as Record<string, string>).toString(),
  sign: ({ event, endpoint, body }) => ({
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'user-agent': 'TwilioProxy/1.1',
    // The same token on every retry of one event: apps dedupe on it.
    'i-twilio-idempotency-token': event.id,
    'x-twilio-signature': twilioSignature(endpoint.secret, requestUrl(endpoint.url), formParams(body)),
  }),
}

/**
 * Sends one status callback to a resource's StatusCallback URL, signed with
 * the account's auth token. Nothing is sent while the token is unknown (an
 * app that only uses API keys): set it with the `account.auth_token` trigger.
 */
export function emitStatusCallback(
  ctx: ProviderContext<TwilioState>,
  input: { type: string; url: string | undefined; params: Record<string, string> },
): void {
  if (!input.url) return
  if (ctx.state.authToken === undefined) {
    ctx.log.warn(
      'twilio callback not sent: the account has used only API keys, so its auth token is unknown',
      {
        account: ctx.state.accountSid,
        type: input.type,
        hint: "set it with the 'account.auth_token' trigger",
      },
    )
    return
  }
  ctx.webhooks.emit({
    type: input.type,
    payload: input.params,
    to: { url: input.url, secret: ctx.state.authToken },
  })
}
