import { z } from 'zod'
import { requestVersion } from '../codec.ts'
import type { WebhookEndpointObject } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { connectEndpointsAccount, scopeOf } from '../scope.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { find, list, mergeMetadata, respond, route } from './shared.ts'

/**
 * Endpoints registered through Stripe's API; the core's dispatcher delivers
 * to them (same id), signing with the secret returned only at creation.
 */
export const webhookEndpoints = [
  route({
    operation: 'webhook_endpoints.create',
    method: 'POST',
    path: '/v1/webhook_endpoints',
    input: params('POST', '/v1/webhook_endpoints', {
      ...expandShape,
      ...metadataShape,
      url: z.url(),
      enabled_events: z.array(z.string()),
      api_version: z.string().optional(),
      description: z.string().optional(),
      connect: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const apiVersion = input.api_version ? requestVersion(input.api_version) : null
      const id = ctx.ids.mint('we_', 24)
      const secret = ctx.ids.mint('whsec_', 32)
      toolsFor(ctx, input.connect).endpoints.add({
        id,
        url: input.url,
        secret,
        events: input.enabled_events,
        meta: { api_version: apiVersion },
      })
      const endpoint = {
        ...blank('webhook_endpoint'),
        id,
        object: 'webhook_endpoint',
        api_version: apiVersion,
        application: null,
        created: ctx.clock.unix(),
        description: input.description ?? null,
        enabled_events: input.enabled_events,
        livemode: false,
        metadata: input.metadata === '' ? {} : (input.metadata ?? {}),
        status: 'enabled',
        url: input.url,
        _connect: input.connect === true,
      } as unknown as WebhookEndpointObject
      ctx.state.webhookEndpoints.insert(endpoint)
      return respond(req, ctx, { ...endpoint, secret }, input.expand)
    },
  }),
  route({
    operation: 'webhook_endpoints.retrieve',
    method: 'GET',
    path: '/v1/webhook_endpoints/:webhook_endpoint',
    input: params('GET', '/v1/webhook_endpoints/{webhook_endpoint}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(
          ctx.state.webhookEndpoints,
          req.params.webhook_endpoint!,
          'webhook_endpoint',
          'webhook_endpoint',
        ),
        input.expand,
      ),
  }),
  route({
    operation: 'webhook_endpoints.update',
    method: 'POST',
    path: '/v1/webhook_endpoints/:webhook_endpoint',
    input: params('POST', '/v1/webhook_endpoints/{webhook_endpoint}', {
      ...expandShape,
      ...metadataShape,
      url: z.url().optional(),
      enabled_events: z.array(z.string()).optional(),
      disabled: z.boolean().optional(),
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const endpoint = find(
        ctx.state.webhookEndpoints,
        req.params.webhook_endpoint!,
        'webhook_endpoint',
        'webhook_endpoint',
      )
      if (input.url) endpoint.url = input.url
      if (input.enabled_events) endpoint.enabled_events = input.enabled_events
      if (input.disabled !== undefined) endpoint.status = input.disabled ? 'disabled' : 'enabled'
      if (input.description !== undefined) endpoint.description = input.description
      endpoint.metadata = mergeMetadata(endpoint.metadata, input.metadata)
      toolsFor(ctx, endpoint._connect).endpoints.update(endpoint.id, {
        url: endpoint.url,
        events: endpoint.enabled_events,
        enabled: endpoint.status === 'enabled',
      })
      return respond(req, ctx, endpoint, input.expand)
    },
  }),
  route({
    operation: 'webhook_endpoints.delete',
    method: 'DELETE',
    path: '/v1/webhook_endpoints/:webhook_endpoint',
    handler: (req, ctx) => {
      const endpoint = find(
        ctx.state.webhookEndpoints,
        req.params.webhook_endpoint!,
        'webhook_endpoint',
        'webhook_endpoint',
      )
      ctx.state.webhookEndpoints.delete(endpoint.id)
      toolsFor(ctx, endpoint._connect).endpoints.remove(endpoint.id)
      return respond(req, ctx, { id: endpoint.id, object: 'webhook_endpoint', deleted: true })
    },
  }),
  route({
    operation: 'webhook_endpoints.list',
    method: 'GET',
    path: '/v1/webhook_endpoints',
    input: params('GET', '/v1/webhook_endpoints', listShape),
    handler: (req, ctx, input) => list(req, ctx, ctx.state.webhookEndpoints, input, '/v1/webhook_endpoints'),
  }),
]

/** Connect endpoints (`connect=true`) receive the platform's connected accounts' events; they live under their own core account. */
function toolsFor(ctx: StripeContext, connect: unknown) {
  return connect === true
    ? ctx.webhooksFor(connectEndpointsAccount(scopeOf(ctx.account).platform))
    : ctx.webhooks
}
