import { z } from 'zod'
import { twilioError } from '../errors.ts'
import { API_VERSION, rfc2822 } from '../models.ts'
import { param } from '../params.ts'
import { twilioRoute } from '../route.ts'

/**
 * The account itself (apps fetch it to check their credentials) and API keys
 * (`SK…` + secret), which a later request may use instead of the auth token.
 */

export const accountRoutes = [
  ...twilioRoute({
    operation: 'accounts.fetch',
    method: 'GET',
    product: 'api',
    path: '/Accounts/:AccountSid.json',
    handler: (req, ctx) => {
      const sid = ctx.state.accountSid
      if (req.params.AccountSid !== sid) throw twilioError('20404', { resource: req.path })
      const uri = `/${API_VERSION}/Accounts/${sid}`
      const created = rfc2822(ctx.state.firstSeen ?? ctx.clock.now())
      return {
        status: 200,
        body: {
          auth_token: ctx.state.authToken ?? '',
          date_created: created,
          date_updated: created,
          friendly_name: `${sid} (standin)`,
          owner_account_sid: sid,
          sid,
          status: 'active',
          subresource_uris: {
            calls: `${uri}/Calls.json`,
            messages: `${uri}/Messages.json`,
            keys: `${uri}/Keys.json`,
          },
          type: ctx.state.trial ? 'Trial' : 'Full',
          uri: `${uri}.json`,
        },
      }
    },
  }),
  ...twilioRoute({
    operation: 'keys.create',
    method: 'POST',
    product: 'api',
    path: '/Accounts/:AccountSid/Keys.json',
    input: z.object({ FriendlyName: param }),
    handler: (_req, ctx, input) => {
      const now = ctx.clock.now()
      const key = ctx.state.keys.insert({
        id: ctx.ids.mint('SK', 32, 'hex'),
        secret: ctx.ids.mint('', 32, 'alnum'),
        friendlyName: input.FriendlyName ?? '',
        created: now,
      })
      return {
        status: 201,
        body: {
          sid: key.id,
          friendly_name: key.friendlyName,
          date_created: rfc2822(now),
          date_updated: rfc2822(now),
          secret: key.secret,
        },
      }
    },
  }),
]
