import { z } from 'zod'
import { accountKeySeed, accountPublicKey } from '../webhooks.ts'
import { body, parse, sgRoute } from './common.ts'

/**
 * The Signed Event Webhook's verification key, where SendGrid exposes it:
 * `GET /v3/user/webhooks/event/settings/signed[/{id}]` → `{ id, public_key }`.
 * Endpoints come from config (`core.webhooks.addEndpoint`), so every webhook
 * of an account shares the account's key; without an id SendGrid answers
 * for the oldest webhook, which here is the same key.
 */
const signed = (id: string, account: string) => ({
  status: 200,
  body: { id, public_key: accountPublicKey(account) },
})

export const webhookSettings = [
  sgRoute({
    operation: 'webhooks.event.signed.get',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings/signed',
    handler: (_req, ctx) => signed('', ctx.account),
  }),
  sgRoute({
    operation: 'webhooks.event.signed.get_by_id',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings/signed/:id',
    handler: (req, ctx) => signed(req.params.id!, ctx.account),
  }),
  sgRoute({
    operation: 'webhooks.event.signed.update',
    method: 'PATCH',
    path: '/v3/user/webhooks/event/settings/signed/:id',
    handler: (req, ctx) => {
      // Signing cannot be turned off here (see README); the call is accepted and answers the key.
      parse(z.object({ enabled: z.boolean() }), body(req))
      return signed(req.params.id!, ctx.account)
    },
  }),
  sgRoute({
    operation: 'webhooks.event.test',
    method: 'POST',
    path: '/v3/user/webhooks/event/test',
    handler: (req, ctx) => {
      const input = parse(z.object({ url: z.url(), id: z.string().optional() }), body(req))
      const now = ctx.clock.unix()
      ctx.webhooks.emit({
        type: 'processed',
        to: { url: input.url, secret: accountKeySeed(ctx.account) },
        payload: [
          {
            email: 'example@test.com',
            timestamp: now,
            'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
            event: 'processed',
            category: ['cat facts'],
            sg_event_id: ctx.ids.mint('', 22),
            sg_message_id: `${ctx.ids.mint('', 22)}.filterdrecv-standin-0.0`,
          },
        ],
      })
      return { status: 204 }
    },
  }),
]
