/**
 * Which store account a Stripe request acts in: the secret key, or
 * `<key>/acct_…` when a Stripe-Account header scopes it to a connected account
 * (connect.ts). A leaf, so the event emitter and auth can name scopes without
 * importing Connect's behaviour.
 */
const SEPARATOR = '/'

/** The store account of a request: the key, or `<key>/acct_…` under a Stripe-Account header. */
export function scopedAccount(key: string, header: string | undefined): string {
  const acct = header?.trim()
  return acct ? `${key}${SEPARATOR}${acct}` : key
}

/** The platform key and, when the request is scoped, the connected account id. */
export function scopeOf(account: string): { platform: string; connected?: string } {
  const i = account.indexOf(SEPARATOR)
  return i < 0 ? { platform: account } : { platform: account.slice(0, i), connected: account.slice(i + 1) }
}

/** The core account under which a platform's Connect webhook endpoints are registered. */
export const connectEndpointsAccount = (platform: string) => `${platform}${SEPARATOR}connect`
