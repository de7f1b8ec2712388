import { ProviderError } from '../core/errors.ts'
import type { PlainRequest } from '../core/http.ts'
import { rememberLast } from '../core/remember.ts'
import { langOf, tossError } from './errors.ts'

/**
 * Toss keys and the account (merchant, MID) they name.
 *
 * Real keys: `test_ck_…`/`test_sk_…` (API individual integration: payment window,
 * billing) and `test_gck_…`/`test_gsk_…` (payment widget); `live_` in live mode.
 * The client key and the secret key of one merchant share nothing visible, so
 * standin decides: **the keys of one account share their suffix**. `test_sk_shop1`,
 * `test_ck_shop1`, `test_gsk_shop1` and `test_gck_shop1` all act for account
 * `test_shop1`. The public docs keys used by Toss's samples are paired explicitly
 * so a sample app works unchanged.
 */
export type KeyKind = 'client' | 'secret'
export type KeyFamily = 'api' | 'widget'

export interface TossKey {
  key: string
  mode: 'test' | 'live'
  kind: KeyKind
  family: KeyFamily
  account: string
}

/** The public test keys of docs.tosspayments.com and tosspayments/tosspayments-sample: one docs merchant. */
const DOCS_KEYS: Record<string, string> = {
  test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq: 'test_docs',
  test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R: 'test_docs',
  // The secret key tosspayments-sample's express server pairs with the same client key.
  test_sk_aBX7zk2yd8yoXwoJ0gqVx9POLqKQ: 'test_docs',
  test_gck_docs_Ovk5rk1EwkEbP0W43n07xlzm: 'test_docs',
  test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6: 'test_docs',
}

const KEY = /^(test|live)_(ck|sk|gck|gsk)_([A-Za-z0-9_-]{1,100})$/

export function parseKey(key: string): TossKey | undefined {
  const match = KEY.exec(key)
  if (!match) return undefined
  const [, mode, prefix, suffix] = match as unknown as [
    string,
    'test' | 'live',
    'ck' | 'sk' | 'gck' | 'gsk',
    string,
  ]
  return {
    key,
    mode,
    kind: prefix === 'ck' || prefix === 'gck' ? 'client' : 'secret',
    family: prefix.startsWith('g') ? 'widget' : 'api',
    account: DOCS_KEYS[key] ?? `${mode}_${suffix}`,
  }
}

/**
 * The secret key of a request: `Authorization: Basic base64("<secretKey>:")`.
 * Throws Toss's 401 `UNAUTHORIZED_KEY` for a missing or unknown key (a client key
 * included) and `INCORRECT_BASIC_AUTH_FORMAT` when the colon is missing.
 */
export function secretKeyOf(req: PlainRequest): TossKey {
  const found = readSecretKey(req.headers.authorization ?? '')
  if (typeof found === 'string') throw new ProviderError(tossError(found, langOf(req)))
  return found
}

/**
 * The secret key a header names, or the code of the refusal. Remembers the last header: it is read twice per
 * request (authenticate, then the handler) and is the same on every request of a client.
 */
const readSecretKey = rememberLast(
  (header: string): Readonly<TossKey> | 'UNAUTHORIZED_KEY' | 'INCORRECT_BASIC_AUTH_FORMAT' => {
    const match = /^Basic\s+(\S+)\s*$/i.exec(header)
    if (!match) return 'UNAUTHORIZED_KEY'
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return 'INCORRECT_BASIC_AUTH_FORMAT'
    // A BOM before the key (the docs' "77u/" warning) makes it unknown, as it does at Toss.
    const key = parseKey(decoded.slice(0, colon))
    if (key?.kind !== 'secret' || decoded.slice(colon + 1) !== '') return 'UNAUTHORIZED_KEY'
    return Object.freeze(key)
  },
)

/** `provider.auth`: the account of the request's secret key. */
export function authenticate(req: PlainRequest): string {
  return secretKeyOf(req).account
}

/** The account of a client key (the payment window's `clientKey`); undefined when it is not one. */
export function clientKeyAccount(clientKey: unknown): TossKey | undefined {
  if (typeof clientKey !== 'string') return undefined
  const key = parseKey(clientKey)
  return key?.kind === 'client' ? key : undefined
}
