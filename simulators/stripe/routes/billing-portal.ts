import { z } from 'zod'
import type { PlainResponse } from '../../core/http.ts'
import { cancelSubscription, changeSubscription } from '../billing.ts'
import type { PortalConfiguration, PortalSession } from '../billing-objects.ts'
import { invalidRequest } from '../errors.ts'
import type { Subscription } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { emitEvent } from '../webhooks.ts'
import { esc, money, notFound, page, redirect } from './hosted.ts'
import { find, list, mergeMetadata, previousOf, respond, route, source, timeFor } from './shared.ts'

export type { PortalConfiguration, PortalSession }

type Features = Record<string, Record<string, unknown>>

function mergeFeatures(base: Features, patch: Features | undefined): Features {
  const out = structuredClone(base)
  for (const [key, value] of Object.entries(patch ?? {})) out[key] = { ...(out[key] ?? {}), ...value }
  return out
}

export function newConfiguration(
  ctx: StripeContext,
  at: number,
  input: {
    business_profile?: Record<string, unknown>
    features?: Features
    default_return_url?: string | null
    metadata?: Record<string, string>
  },
  isDefault: boolean,
): PortalConfiguration {
  const base = blank('billing_portal.configuration') as unknown as PortalConfiguration
  const config: PortalConfiguration = {
    ...base,
    id: ctx.ids.mint('bpc_', 24),
    object: 'billing_portal.configuration',
    active: true,
    business_profile: {
      headline: null,
      privacy_policy_url: null,
      terms_of_service_url: null,
      ...(input.business_profile ?? {}),
    },
    created: at,
    default_return_url: input.default_return_url ?? null,
    features: mergeFeatures(base.features, input.features),
    is_default: isDefault,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: input.metadata ?? {},
    updated: at,
  }
  ctx.state.portalConfigurations.insert(config)
  return config
}

/**
 * The configuration a session uses: the one named, else the account's default.
 * Stripe refuses a session when no default has been saved in the Dashboard;
 * standin has no Dashboard, so it creates a default that offers cancelling and
 * the invoice history.
 */
function configurationFor(ctx: StripeContext, id: string | undefined, at: number): PortalConfiguration {
  if (id) {
    const config = find(ctx.state.portalConfigurations, id, 'configuration', 'configuration')
    if (!config.active) invalidRequest(`The configuration ${id} is not active.`, 'configuration')
    return config
  }
  return (
    ctx.state.portalConfigurations.filter((c) => c.is_default)[0] ??
    newConfiguration(
      ctx,
      at,
      {
        features: {
          subscription_cancel: { enabled: true, mode: 'at_period_end' },
          invoice_history: { enabled: true },
          payment_method_update: { enabled: true },
        },
      },
      true,
    )
  )
}

function findPortalSession(ctx: StripeContext, id: string) {
  const hit = ctx.store.find((state) => state.portalSessions.get(id))
  return hit ? { ctx: ctx.forAccount(hit.account), session: hit.found } : undefined
}

function portalPage(ctx: StripeContext, session: PortalSession, notice?: string): PlainResponse {
  const config = ctx.state.portalConfigurations.get(session.configuration)!
  const canCancel = config.features.subscription_cancel?.enabled === true
  const subs = ctx.state.subscriptions.filter(
    (s) => s.customer === session.customer && !['canceled', 'incomplete_expired'].includes(s.status),
  )
  const rows = subs
    .map((s) => {
      const price = s.items.data[0]?.price as { unit_amount: number | null; currency: string } | undefined
      const cancel =
        canCancel && !s.cancel_at_period_end
          ? `<form method="post" action="/p/session/${esc(session.id)}/cancel/${esc(s.id)}"><button data-testid="cancel-${esc(s.id)}">Cancel plan</button></form>`
          : s.cancel_at_period_end
            ? '<p data-testid="cancels">Cancels at the end of the period</p>'
            : ''
      return `<li data-testid="subscription" data-id="${esc(s.id)}">${esc(s.status)} · ${price ? money(price.unit_amount ?? 0, price.currency) : ''}${cancel}</li>`
    })
    .join('')
  const invoices =
    config.features.invoice_history?.enabled === true
      ? `<h2>Invoice history</h2><ul>${ctx.state.invoices
          .filter((i) => i.customer === session.customer && i.status !== 'draft')
          .map(
            (i) =>
              `<li data-testid="invoice">${esc(i.number ?? i.id)} · ${money(i.total as number, i.currency)} · ${esc(i.status)}</li>`,
          )
          .join('')}</ul>`
      : ''
  const back = session.return_url ?? config.default_return_url
  return page(
    'Billing',
    `<h1>Manage your billing</h1>${notice ? `<p data-testid="notice">${esc(notice)}</p>` : ''}<h2>Current plan</h2><ul>${rows || '<li>No active subscriptions</li>'}</ul>${invoices}${back ? `<p><a data-testid="return" href="${esc(back)}">Return</a></p>` : ''}`,
  )
}

function cancelFromPortal(ctx: StripeContext, config: PortalConfiguration, sub: Subscription): void {
  const src = { ctx, at: timeFor(ctx, sub.customer), request: null }
  if (config.features.subscription_cancel?.mode === 'immediately') {
    cancelSubscription(src, sub, 'cancellation_requested')
    return
  }
  changeSubscription(src, sub, (s) => {
    s.cancel_at_period_end = true
    s.cancel_at = s.current_period_end
    s.canceled_at = src.at
  })
}

const featuresShape = z.record(z.string(), z.record(z.string(), z.unknown())).optional()

export const billingPortal = [
  route({
    operation: 'billing_portal.configurations.create',
    method: 'POST',
    path: '/v1/billing_portal/configurations',
    input: params('POST', '/v1/billing_portal/configurations', {
      ...expandShape,
      metadata: z.record(z.string(), z.string()).optional(),
      business_profile: z.record(z.string(), z.unknown()),
      features: featuresShape,
      default_return_url: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      const config = newConfiguration(
        ctx,
        src.at,
        {
          ...input,
          features: input.features as Features | undefined,
          default_return_url: input.default_return_url || null,
        },
        ctx.state.portalConfigurations.size === 0,
      )
      emitEvent(src, 'billing_portal.configuration.created', config)
      return respond(req, ctx, config, input.expand)
    },
  }),
  route({
    operation: 'billing_portal.configurations.retrieve',
    method: 'GET',
    path: '/v1/billing_portal/configurations/:configuration',
    input: params('GET', '/v1/billing_portal/configurations/{configuration}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.portalConfigurations, req.params.configuration!, 'configuration', 'configuration'),
        input.expand,
      ),
  }),
  route({
    operation: 'billing_portal.configurations.update',
    method: 'POST',
    path: '/v1/billing_portal/configurations/:configuration',
    input: params('POST', '/v1/billing_portal/configurations/{configuration}', {
      ...expandShape,
      ...metadataShape,
      active: z.boolean().optional(),
      business_profile: z.record(z.string(), z.unknown()).optional(),
      features: featuresShape,
      default_return_url: z.union([z.string(), z.literal('')]).optional(),
    }),
    handler: (req, ctx, input) => {
      const config = find(
        ctx.state.portalConfigurations,
        req.params.configuration!,
        'configuration',
        'configuration',
      )
      const src = source(req, ctx)
      const before = structuredClone(config)
      if (input.active !== undefined) {
        if (!input.active && config.is_default)
          invalidRequest('You cannot deactivate the default configuration.', 'active')
        config.active = input.active
      }
      if (input.business_profile)
        config.business_profile = { ...config.business_profile, ...input.business_profile }
      if (input.features) config.features = mergeFeatures(config.features, input.features as Features)
      if (input.default_return_url !== undefined) config.default_return_url = input.default_return_url || null
      config.metadata = mergeMetadata(config.metadata, input.metadata)
      config.updated = src.at
      const previous = previousOf(before as never, config as never)
      delete previous.updated
      if (Object.keys(previous).length > 0)
        emitEvent(src, 'billing_portal.configuration.updated', config, previous)
      return respond(req, ctx, config, input.expand)
    },
  }),
  route({
    operation: 'billing_portal.configurations.list',
    method: 'GET',
    path: '/v1/billing_portal/configurations',
    input: params('GET', '/v1/billing_portal/configurations', {
      ...listShape,
      active: z.boolean().optional(),
      is_default: z.boolean().optional(),
    }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.portalConfigurations,
        input,
        '/v1/billing_portal/configurations',
        (c) =>
          (input.active === undefined || c.active === input.active) &&
          (input.is_default === undefined || c.is_default === input.is_default),
      ),
  }),
  route({
    operation: 'billing_portal.sessions.create',
    method: 'POST',
    path: '/v1/billing_portal/sessions',
    input: params('POST', '/v1/billing_portal/sessions', {
      ...expandShape,
      customer: z.string(),
      configuration: z.string().optional(),
      return_url: z.string().optional(),
      locale: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const customer = find(ctx.state.customers, input.customer, 'customer', 'customer')
      const src = source(req, ctx, timeFor(ctx, customer.id))
      const config = configurationFor(ctx, input.configuration, src.at)
      const id = ctx.ids.mint('bps_', 24)
      const session: PortalSession = {
        id,
        object: 'billing_portal.session',
        configuration: config.id,
        created: src.at,
        customer: customer.id,
        flow: null,
        livemode: false,
        locale: input.locale ?? null,
        on_behalf_of: null,
        return_url: input.return_url ?? config.default_return_url,
        url: `${ctx.baseUrl}/p/session/${id}`,
      }
      ctx.state.portalSessions.insert(session)
      emitEvent(src, 'billing_portal.session.created', session)
      return respond(req, ctx, session, input.expand)
    },
  }),
  route({
    operation: 'billing_portal.hosted_page',
    method: 'GET',
    path: '/p/session/:session',
    auth: false,
    handler: (req, ctx) => {
      const hit = findPortalSession(ctx, req.params.session!)
      return hit ? portalPage(hit.ctx, hit.session) : notFound()
    },
  }),
  route({
    operation: 'billing_portal.hosted_cancel',
    method: 'POST',
    path: '/p/session/:session/cancel/:subscription',
    auth: false,
    handler: (req, ctx) => {
      const hit = findPortalSession(ctx, req.params.session!)
      if (!hit) return notFound()
      const { ctx: actx, session } = hit
      const config = actx.state.portalConfigurations.get(session.configuration)!
      const sub = actx.state.subscriptions.get(req.params.subscription!)
      if (!sub || sub.customer !== session.customer || config.features.subscription_cancel?.enabled !== true)
        return notFound()
      if (sub.status !== 'canceled') cancelFromPortal(actx, config, sub)
      return redirect(`/p/session/${session.id}`)
    },
  }),
]
