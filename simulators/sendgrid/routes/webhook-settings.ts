import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import type { WebhookEndpoint } from '../../core/webhooks/types.ts'
import { fail, MESSAGES, sgError } from '../errors.ts'
import type { SendgridState } from '../models.ts'
import { API_WEBHOOK_EVENTS, accountKeySeed, accountPublicKey, publicKeyFor } from '../webhooks.ts'
import { body, noContent, parse, sgRoute } from './common.ts'

/**
 * Event Webhook settings (`/v3/user/webhooks/event/settings…`) and the
 * signing key where SendGrid exposes it (`…/settings/signed[/{id}]` →
 * `{ id, public_key }`).
 *
 * Two kinds of webhook feed one account: those from config
 * (`core.webhooks.addEndpoint`, every event, always signed with the account
 * key) and those made through this API, which behave like SendGrid's: they
 * get only the events their flags select, start unsigned, and each has its
 * own key once `PATCH …/signed/{id}` enables signing.
 */
type Ctx = ProviderContext<SendgridState>

const MAX_WEBHOOKS = 5

const Flags = {
  enabled: z.boolean().optional(),
  group_resubscribe: z.boolean().optional(),
  delivered: z.boolean().optional(),
  group_unsubscribe: z.boolean().optional(),
  spam_report: z.boolean().optional(),
  bounce: z.boolean().optional(),
  deferred: z.boolean().optional(),
  unsubscribe: z.boolean().optional(),
  processed: z.boolean().optional(),
  open: z.boolean().optional(),
  click: z.boolean().optional(),
  dropped: z.boolean().optional(),
  account_status_change: z.boolean().optional(),
  friendly_name: z.string().max(100).nullable().optional(),
  oauth_client_id: z.string().optional(),
  oauth_client_secret: z.string().optional(),
  oauth_token_url: z.string().optional(),
}
const CreateWebhook = z.object({ url: z.url(), ...Flags })
const UpdateWebhook = z.object({ url: z.url().optional(), ...Flags })

/** The settings object as SendGrid answers it (flags false unless set; the OAuth secret never comes back). */
function settingsOf(endpoint: WebhookEndpoint, withKey: boolean) {
  const m = endpoint.meta as Record<string, unknown>
  const flag = (name: string) => m[name] === true
  return {
    id: endpoint.id,
    url: endpoint.url,
    enabled: endpoint.enabled,
    friendly_name: (m.friendly_name as string | null | undefined) ?? null,
    created_date: m.created_date,
    updated_date: m.updated_date,
    account_status_change: flag('account_status_change'),
    group_resubscribe: flag('group_resubscribe'),
    delivered: flag('delivered'),
    group_unsubscribe: flag('group_unsubscribe'),
    spam_report: flag('spam_report'),
    bounce: flag('bounce'),
    deferred: flag('deferred'),
    unsubscribe: flag('unsubscribe'),
    processed: flag('processed'),
    open: flag('open'),
    click: flag('click'),
    dropped: flag('dropped'),
    oauth_client_id: (m.oauth_client_id as string | undefined) ?? '',
    oauth_token_url: (m.oauth_token_url as string | undefined) ?? '',
    ...(withKey && m.signed === true ? { public_key: publicKeyFor(endpoint.secret) } : {}),
  }
}

function find(ctx: Ctx, id: string): WebhookEndpoint {
  return ctx.webhooks.endpoints.get(id) ?? fail(sgError(404, MESSAGES.notFound))
}

function oldest(ctx: Ctx): WebhookEndpoint | undefined {
  return ctx.webhooks.endpoints.list().sort((a, b) => a.createdAt - b.createdAt)[0]
}

function create(ctx: Ctx, input: z.output<typeof CreateWebhook>): WebhookEndpoint {
  if (ctx.webhooks.endpoints.list().length >= MAX_WEBHOOKS)
    fail(sgError(400, `You have reached the maximum number of webhooks (${MAX_WEBHOOKS}).`, null))
  const now = ctx.clock.date().toISOString()
  const { url, enabled, oauth_client_secret: _secret, ...flags } = input
  const id = ctx.ids.uuid()
  return ctx.webhooks.endpoints.add({
    id,
    url,
    // Its own key, made when signing is enabled; the seed keeps it stable.
    secret: `${accountKeySeed(ctx.account)}:${id}`,
    events: [API_WEBHOOK_EVENTS],
    meta: { ...flags, enabled: enabled ?? true, signed: false, created_date: now, updated_date: now },
  })
}

function update(ctx: Ctx, endpoint: WebhookEndpoint, input: z.output<typeof UpdateWebhook>): WebhookEndpoint {
  const { url, enabled, oauth_client_secret: _secret, ...flags } = input
  const meta = { ...endpoint.meta, ...flags, updated_date: ctx.clock.date().toISOString() }
  return ctx.webhooks.endpoints.update(endpoint.id, {
    ...(url !== undefined ? { url } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    meta,
  })!
}

const signedKey = (ctx: Ctx, id: string) => {
  const endpoint = ctx.webhooks.endpoints.get(id)
  // Config endpoints are not visible to the API; their key is the account's.
  return {
    status: 200,
    body: { id, public_key: endpoint ? publicKeyFor(endpoint.secret) : accountPublicKey(ctx.account) },
  }
}

export const webhookSettings = [
  sgRoute({
    operation: 'webhooks.event.create',
    method: 'POST',
    path: '/v3/user/webhooks/event/settings',
    handler: (req, ctx) => ({
      status: 201,
      body: settingsOf(create(ctx, parse(CreateWebhook, body(req))), false),
    }),
  }),
  sgRoute({
    operation: 'webhooks.event.legacy.get',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings',
    handler: (_req, ctx) => {
      const endpoint = oldest(ctx)
      return endpoint
        ? { status: 200, body: settingsOf(endpoint, true) }
        : fail(sgError(404, MESSAGES.notFound))
    },
  }),
  sgRoute({
    operation: 'webhooks.event.legacy.update',
    method: 'PATCH',
    path: '/v3/user/webhooks/event/settings',
    handler: (req, ctx) => {
      // The single-webhook API of old: it edits the oldest webhook, or makes one.
      const endpoint = oldest(ctx)
      if (endpoint)
        return { status: 200, body: settingsOf(update(ctx, endpoint, parse(UpdateWebhook, body(req))), true) }
      return { status: 200, body: settingsOf(create(ctx, parse(CreateWebhook, body(req))), true) }
    },
  }),
  sgRoute({
    operation: 'webhooks.event.list',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings/all',
    handler: (_req, ctx) => ({
      status: 200,
      body: {
        max_allowed: MAX_WEBHOOKS,
        webhooks: ctx.webhooks.endpoints.list().map((e) => settingsOf(e, true)),
      },
    }),
  }),
  sgRoute({
    operation: 'webhooks.event.get',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings/:id',
    handler: (req, ctx) => ({ status: 200, body: settingsOf(find(ctx, req.params.id!), true) }),
  }),
  sgRoute({
    operation: 'webhooks.event.update',
    method: 'PATCH',
    path: '/v3/user/webhooks/event/settings/:id',
    handler: (req, ctx) => {
      const endpoint = find(ctx, req.params.id!)
      return { status: 200, body: settingsOf(update(ctx, endpoint, parse(UpdateWebhook, body(req))), true) }
    },
  }),
  sgRoute({
    operation: 'webhooks.event.delete',
    method: 'DELETE',
    path: '/v3/user/webhooks/event/settings/:id',
    handler: (req, ctx) => {
      find(ctx, req.params.id!)
      ctx.webhooks.endpoints.remove(req.params.id!)
      return noContent()
    },
  }),
  sgRoute({
    operation: 'webhooks.event.signed.get',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings/signed',
    handler: (_req, ctx) => {
      // Without an id SendGrid answers for the oldest webhook.
      const endpoint = oldest(ctx)
      return endpoint
        ? signedKey(ctx, endpoint.id)
        : { status: 200, body: { id: '', public_key: accountPublicKey(ctx.account) } }
    },
  }),
  sgRoute({
    operation: 'webhooks.event.signed.get_by_id',
    method: 'GET',
    path: '/v3/user/webhooks/event/settings/signed/:id',
    handler: (req, ctx) => signedKey(ctx, req.params.id!),
  }),
  sgRoute({
    operation: 'webhooks.event.signed.update',
    method: 'PATCH',
    path: '/v3/user/webhooks/event/settings/signed/:id',
    handler: (req, ctx) => {
      const input = parse(z.object({ enabled: z.boolean() }), body(req))
      const endpoint = ctx.webhooks.endpoints.get(req.params.id!)
      if (endpoint)
        ctx.webhooks.endpoints.update(endpoint.id, { meta: { ...endpoint.meta, signed: input.enabled } })
      const answer = signedKey(ctx, req.params.id!)
      return input.enabled ? answer : { status: 200, body: { id: req.params.id!, public_key: '' } }
    },
  }),
  sgRoute({
    operation: 'webhooks.event.test',
    method: 'POST',
    path: '/v3/user/webhooks/event/test',
    handler: (req, ctx) => {
      const input = parse(z.object({ url: z.url(), id: z.string().optional() }), body(req))
      const endpoint = input.id ? ctx.webhooks.endpoints.get(input.id) : undefined
      const now = ctx.clock.unix()
      ctx.webhooks.emit({
        type: 'processed',
        to: {
          url: input.url,
          secret: endpoint?.secret ?? accountKeySeed(ctx.account),
          ...(endpoint ? { meta: endpoint.meta } : {}),
        },
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
