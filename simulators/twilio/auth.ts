import type { PlainRequest } from '../core/http.ts'
import type { ProviderServices, RequestScope } from '../core/provider.ts'
import { rememberLast } from '../core/remember.ts'
import { twilioError } from './errors.ts'
import type { TwilioState } from './models.ts'

/**
 * HTTP Basic, as Twilio reads it: `AccountSid:AuthToken`, or `ApiKeySid:secret`
 * with the AccountSid in the URL path.
 *
 * @note How the simulator knows a token: Twilio knows every account's token;
 * the simulator learns it. The first request of an AccountSid (since the last
 * reset) fixes its token, any later request with another token is Twilio's
 * 401 / 20003 "Authenticate". An API key (`SK…`) is learnt the same way on its
 * first use against a `/2010-04-01/Accounts/AC…` URL (or made with
 * `POST …/Keys.json`); Verify URLs carry no AccountSid, so a key must be known
 * before it can call Verify.
 */

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/
const KEY_SID = /^SK[0-9a-fA-F]{32}$/

interface Credentials {
  readonly username: string
  readonly password: string
}

/** The credentials of a Basic Authorization header, if it holds any. */
export function credentialsOf(req: PlainRequest): Credentials | undefined {
  return decodeCredentials(req.headers.authorization ?? '')
}

/** Remembers the last header: a client sends the same one on every request. */
const decodeCredentials = rememberLast((header: string): Credentials | undefined => {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (!m) return undefined
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  return Object.freeze({ username: decoded.slice(0, colon), password: decoded.slice(colon + 1) })
})

/** The AccountSid a 2010-04-01 URL names (`/2010-04-01/Accounts/AC…/Messages.json`). */
export function accountInPath(path: string): string | undefined {
  const m = /\/2010-04-01\/Accounts\/([^/.]+)/.exec(path)
  return m?.[1]
}

/**
 * `provider.auth`: the account a request acts for, from its credentials alone
 * (the token is checked against the account's state by {@link authenticate}).
 * A key SID on a Verify URL names itself until {@link authenticate} finds its account.
 */
export function accountOf(req: PlainRequest): string {
  return accountFor(req, credentialsOf(req))
}

function accountFor(req: PlainRequest, creds: Credentials | undefined): string {
  if (!creds || creds.username === '')
    throw twilioError('20003', { reason: 'Authentication Error - No credentials provided' })
  if (ACCOUNT_SID.test(creds.username)) return creds.username
  if (KEY_SID.test(creds.username)) return accountInPath(req.path) ?? creds.username
  throw twilioError('20003', { reason: 'Authentication Error - invalid username' })
}

/**
 * Checks the secret against what the account remembers (learning it on first
 * use) and returns the context of the account the request acts for.
 */
export function authenticate(req: PlainRequest, services: ProviderServices<TwilioState>): string {
  const creds = credentialsOf(req)
  const account = accountFor(req, creds)
  const { username, password } = creds!
  const state = services.store.get(account)
  const pathAccount = accountInPath(req.path)
  if (password === '') throw twilioError('20003')
  if (ACCOUNT_SID.test(username)) {
    // Another account's URL with these credentials: Twilio refuses to authenticate it.
    if (pathAccount !== undefined && pathAccount !== username) throw twilioError('20003')
    if (state.authToken === undefined) {
      state.authToken = password
      state.firstSeen = services.clock.now()
    } else if (state.authToken !== password) throw twilioError('20003')
    return account
  }
  if (pathAccount !== undefined) {
    if (!ACCOUNT_SID.test(pathAccount)) throw twilioError('20003')
    const key = state.keys.get(username)
    if (!key)
      state.keys.insert({
        id: username,
        secret: password,
        friendlyName: username,
        created: services.clock.now(),
      })
    else if (key.secret !== password) throw twilioError('20003')
    return account
  }
  const found = services.store.find((state) => state.keys.get(username))
  if (!found || found.found.secret !== password) throw twilioError('20003')
  return found.account
}

/**
 * Twilio's per-account limit (20429), a pre-validation hook: more than
 * `rateLimit` requests in one virtual second are refused unprocessed.
 */
export function enforceRateLimit({ ctx }: RequestScope<TwilioState>): undefined {
  const now = ctx.clock.now()
  const state = ctx.state
  const recent = state.recent
  let start = state.recentStart
  while (start < recent.length && recent[start]! <= now - 1000) start++
  // Expired times are cut off in one splice once they are half the array: a shift() per request
  // copied the whole window each time once it outgrew V8's in-place trimming.
  if (start > 0 && start * 2 >= recent.length) {
    recent.splice(0, start)
    start = 0
  }
  state.recentStart = start
  if (recent.length - start >= state.rateLimit) throw twilioError('20429')
  recent.push(now)
  return undefined
}
