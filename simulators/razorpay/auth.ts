import { ProviderError } from '../core/errors.ts'
import type { PlainRequest } from '../core/http.ts'
import type { ProviderServices } from '../core/provider.ts'
import { rememberLast } from '../core/remember.ts'
import { errorResponse, fail, MESSAGES } from './errors.ts'
import type { RazorpayState } from './models.ts'

/** `rzp_test_…` / `rzp_live_…`; real key ids have 14 characters after the mode, fakes in apps' tests often fewer. */
const KEY_ID = /^rzp_(test|live)_[A-Za-z0-9]+$/

/** Decodes `Authorization: Basic base64(key_id:key_secret)`; the docs insist on exactly `Basic `. */
export function credentials(req: PlainRequest): { keyId: string; keySecret: string } {
  const header = req.headers.authorization
  if (header === undefined || header === '')
    throw new ProviderError(errorResponse({ status: 401, description: MESSAGES.authMissing }))
  return decodeBasic(header)
}

/** Remembers the last header: a load test sends the same key pair on every request. */
const decodeBasic = rememberLast((header: string): Readonly<{ keyId: string; keySecret: string }> => {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header)
  const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  const keyId = colon < 0 ? '' : decoded.slice(0, colon)
  const keySecret = colon < 0 ? '' : decoded.slice(colon + 1)
  if (!KEY_ID.test(keyId) || keySecret === '')
    throw new ProviderError(errorResponse({ status: 401, description: MESSAGES.authFailed }))
  return Object.freeze({ keyId, keySecret })
})

/**
 * The core's authenticate step: the key id is the account (the state
 * partition), and the secret half of the pair must be the one the account
 * knows. standin has no dashboard to mint keys, so the first request for a
 * key id fixes its secret (until reset); a later request with another secret
 * is refused as Razorpay refuses a wrong one. Checkout signatures are made
 * with this secret. Routes with `auth: false` (hosted pages) ignore a refusal.
 */
export function authenticate(req: PlainRequest, services: ProviderServices<RazorpayState>): string {
  const { keyId, keySecret } = credentials(req)
  const state = services.store.get(keyId)
  const known = state.keySecret
  if (known === undefined) {
    state.keySecret = keySecret
    return keyId
  }
  // A plain comparison: a simulator's test secrets need no defence against timing.
  if (known !== keySecret) fail({ status: 401, description: MESSAGES.authFailed })
  return keyId
}
