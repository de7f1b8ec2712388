import { ProviderError } from '../core/errors.ts'
import type { PlainRequest, PlainResponse } from '../core/http.ts'
import { render, requestVersion } from './codec.ts'
import { stripeError } from './errors.ts'
import { scopedAccount } from './scope.ts'

const unauthorized = (message: string, code?: string): never => {
  throw new ProviderError(
    stripeError(
      401,
      { type: 'invalid_request_error', message, code },
      { 'www-authenticate': 'Bearer realm="Stripe"' },
    ),
  )
}

function mask(key: string): string {
  const prefix = /^[a-z]{2}_[a-z]+_/.exec(key)?.[0] ?? ''
  if (key.length <= prefix.length + 4) return key
  return prefix + '*'.repeat(key.length - prefix.length - 4) + key.slice(-4)
}

/** The key a request carries: `Authorization: Bearer <key>` or Basic with the key as user (`curl -u sk_test_x:`). */
function keyOf(req: PlainRequest): string | undefined {
  const header = req.headers.authorization?.trim()
  if (!header) return undefined
  const [scheme, value = ''] = header.split(/\s+/, 2) as [string, string?]
  if (scheme.toLowerCase() === 'bearer') return value
  if (scheme.toLowerCase() === 'basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0]
  return header
}

/**
 * The account is the secret key itself: two keys, two separate worlds. A live
 * key is refused outright: standin is a test double and must never look like
 * it accepted live credentials.
 */
export function bearerSecretKey(req: PlainRequest): string {
  const key = keyOf(req)
  if (!key)
    unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    )
  if (/^(sk|rk)_live_/.test(key!))
    unauthorized(
      `Live-mode API key provided (${mask(key!)}). standin is a test double of Stripe and never accepts live-mode keys: use a test key (sk_test_...) and keep live keys away from test environments.`,
    )
  if (/^pk_(test|live)_/.test(key!))
    unauthorized(
      'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
      'secret_key_required',
    )
  if (!/^(sk|rk)_test_[A-Za-z0-9_]{1,247}$/.test(key!))
    unauthorized(`Invalid API Key provided: ${mask(key!)}`)
  requestVersion(req.headers['stripe-version'])
  // Stripe-Account: the request acts in that connected account's world (connect.ts checks the platform owns it).
  return scopedAccount(key!, req.headers['stripe-account'])
}

/** Headers on every answer: Request-Id, the version rendered, the idempotency key echoed; and the log URL in errors. */
export function finalize(response: PlainResponse, req: PlainRequest, meta: { requestId: string }): void {
  const headers: Record<string, string> = { ...response.headers, 'request-id': meta.requestId }
  let version: string | undefined
  if (req.path.startsWith('/v1/')) {
    try {
      version = requestVersion(req.headers['stripe-version'])
      headers['stripe-version'] = version
    } catch {
      // A malformed version is answered by its own 400; nothing to echo.
    }
    const key = req.headers['idempotency-key']
    if (key && req.method === 'POST') headers['idempotency-key'] = key
  }
  response.headers = headers
  const body = response.body as { error?: Record<string, unknown> } | undefined
  if (!body || typeof body !== 'object' || !body.error) return
  // A copy: a replayed response's body is the stored one and must not change.
  const error = { ...body.error }
  if (response.status !== 401 && error.request_log_url === undefined)
    error.request_log_url = `https://dashboard.stripe.com/test/logs/${meta.requestId}`
  // Objects embedded in an error (the PaymentIntent of a decline) go out in the request's version.
  for (const key of ['payment_intent', 'setup_intent', 'payment_method'])
    if (version && error[key] && typeof error[key] === 'object') error[key] = render(error[key], version)
  response.body = { error }
}
