// Connect's account scoping on its own: every route is wrapped by it, whatever Connect object it serves.
import { ProviderError } from '../core/errors.ts'
import type { PlainRequest } from '../core/http.ts'
import type { RouteDefinition } from '../core/provider.ts'
import { stripeError } from './errors.ts'
import type { ConnectedAccount } from './models.ts'
import { scopeOf } from './scope.ts'
import type { StripeContext, StripeState } from './state.ts'

/**
 * Connect for platforms that pay merchants.
 *
 * A request carrying `Stripe-Account: acct_…` acts in that connected
 * account's own world: auth.ts names the store account `<key>/acct_…`, so its
 * customers, PaymentIntents, balance and events are apart from the platform's,
 * and `connectScoped` refuses an account the platform does not have (403
 * `account_invalid`) before any handler runs. Events of a connected account go
 * to the platform's Connect endpoints (`connect=true`) with `account` set.
 *
 * @note The core's `auth(req)` returns an account name without access to the
 * store, so it cannot tell whether the platform owns the account; the check is
 * a wrapper around every authenticated route here instead (see README).
 */

function mask(key: string): string {
  const prefix = /^[a-z]{2}_[a-z]+_/.exec(key)?.[0] ?? ''
  return key.length <= prefix.length + 4 ? key : `${prefix}*********${key.slice(-4)}`
}

function noAccess(platform: string, acct: string): never {
  throw new ProviderError(
    stripeError(403, {
      type: 'invalid_request_error',
      code: 'account_invalid',
      message: `The provided key '${mask(platform)}' does not have access to account '${acct}' (or that account does not exist). Application access may have been revoked.`,
    }),
  )
}

/** The connected account a scoped context acts for (or undefined on the platform itself). */
export function connectedOf(ctx: StripeContext): ConnectedAccount | undefined {
  const { platform, connected } = scopeOf(ctx.account)
  if (!connected) return undefined
  const found = ctx.forAccount(platform).state.accounts.get(connected)
  if (!found || found.deleted) noAccess(platform, connected)
  return found
}

/** Wraps authenticated routes so a Stripe-Account the platform does not own is refused before the handler. */
export function connectScoped(routes: RouteDefinition<StripeState>[]): RouteDefinition<StripeState>[] {
  return routes.map((route) =>
    route.auth === false
      ? route
      : {
          ...route,
          handler: (req: PlainRequest, ctx, input) => {
            connectedOf(ctx)
            return route.handler(req, ctx, input)
          },
        },
  )
}
