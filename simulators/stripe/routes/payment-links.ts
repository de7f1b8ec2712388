import { z } from 'zod'
import type { PlainRequest } from '../../core/http.ts'
import type { PaymentLink } from '../billing-objects.ts'
import { wire } from '../codec.ts'
import { invalidRequest } from '../errors.ts'
import type { CheckoutSession, Price } from '../models.ts'
import { expandShape, listShape, params } from '../params.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { type EventSource, emitEvent } from '../webhooks.ts'
import { checkoutSessions } from './checkout.ts'
import { esc, notFound, page, redirect } from './hosted.ts'
import { find, list, mergeMetadata, previousOf, respond, route, source, versionOf } from './shared.ts'

export type { PaymentLink }

const afterCompletion = z
  .looseObject({
    type: z.enum(['hosted_confirmation', 'redirect']),
    hosted_confirmation: z.looseObject({ custom_message: z.string().optional() }).optional(),
    redirect: z.looseObject({ url: z.string() }).optional(),
  })
  .optional()

function completion(input: z.infer<typeof afterCompletion>): PaymentLink['after_completion'] {
  if (!input) return { type: 'hosted_confirmation', hosted_confirmation: { custom_message: null } }
  if (input.type === 'redirect') {
    if (!input.redirect?.url)
      invalidRequest(
        'Missing required param: after_completion[redirect].',
        'after_completion[redirect]',
        'parameter_missing',
      )
    return { type: 'redirect', redirect: { url: input.redirect!.url } }
  }
  return {
    type: 'hosted_confirmation',
    hosted_confirmation: { custom_message: input.hosted_confirmation?.custom_message ?? null },
  }
}

function linkItems(ctx: StripeContext, link: PaymentLink) {
  const data = link._lineItems.map((l, i) => {
    const price = ctx.state.prices.get(l.price)!
    const amount = (price.unit_amount ?? 0) * l.quantity
    return {
      id: `li_${link.id.slice(6, 26)}${i}`,
      object: 'item',
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: ctx.state.products.get(price.product)?.name ?? '',
      price,
      quantity: l.quantity,
    }
  })
  return { object: 'list', data, has_more: false, url: `/v1/payment_links/${link.id}/line_items` }
}

function findLink(ctx: StripeContext, id: string) {
  const hit = ctx.store.find((state) => state.paymentLinks.get(id))
  return hit ? { ctx: ctx.forAccount(hit.account), link: hit.found } : undefined
}

/** A Checkout Session for one visit of the link, made by the Checkout Sessions API's own route. */
function sessionFor(ctx: StripeContext, link: PaymentLink): CheckoutSession {
  const create = checkoutSessions.find((r) => r.operation === 'checkout.sessions.create')!
  const recurring = link._lineItems.some((l) => ctx.state.prices.get(l.price)?.type === 'recurring')
  const successUrl =
    link.after_completion.type === 'redirect'
      ? link.after_completion.redirect!.url
      : `${ctx.baseUrl}/b/${link.id}/done?session_id={CHECKOUT_SESSION_ID}`
  const body = {
    mode: recurring ? 'subscription' : 'payment',
    line_items: link._lineItems.map((l) => ({ price: l.price, quantity: l.quantity })),
    success_url: successUrl,
  }
  const req: PlainRequest = {
    method: 'POST',
    path: '/v1/checkout/sessions',
    url: '/v1/checkout/sessions',
    host: '',
    headers: {},
    query: {},
    rawBody: Buffer.alloc(0),
    body,
    contentType: 'application/x-www-form-urlencoded',
    files: [],
    params: {},
  }
  const res = create.handler(req, ctx, create.input!.parse(body)) as { body: { id: string } }
  const session = ctx.state.checkoutSessions.get(res.body.id)!
  session.payment_link = link.id
  session.cancel_url = link.url
  return session
}

/** A payment link for these prices, with its payment_link.created event. */
export function newPaymentLink(
  ctx: StripeContext,
  at: number,
  prices: { price: Price; quantity: number }[],
  options: { metadata?: Record<string, string> | undefined; after?: z.infer<typeof afterCompletion> } = {},
  src: EventSource = { ctx, at, request: null },
): PaymentLink {
  const id = ctx.ids.mint('plink_', 24)
  const link = {
    ...blank('payment_link'),
    id,
    object: 'payment_link',
    active: true,
    after_completion: completion(options.after),
    allow_promotion_codes: false,
    application_fee_amount: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false },
    billing_address_collection: 'auto',
    currency: prices[0]!.price.currency,
    customer_creation: 'if_required',
    livemode: false,
    metadata: options.metadata ?? {},
    payment_method_collection: 'always',
    payment_method_types: null,
    submit_type: 'auto',
    url: `${ctx.baseUrl}/b/${id}`,
    _lineItems: prices.map((l) => ({ price: l.price.id, quantity: l.quantity })),
  } as unknown as PaymentLink
  ctx.state.paymentLinks.insert(link)
  emitEvent(src, 'payment_link.created', link)
  return link
}

export const paymentLinks = [
  route({
    operation: 'payment_links.create',
    method: 'POST',
    path: '/v1/payment_links',
    input: params('POST', '/v1/payment_links', {
      ...expandShape,
      metadata: z.record(z.string(), z.string()).optional(),
      line_items: z.array(z.looseObject({ price: z.string(), quantity: z.number() })),
      after_completion: afterCompletion,
      allow_promotion_codes: z.boolean().optional(),
    }),
    handler: (req, ctx, input) => {
      const src = source(req, ctx)
      if (input.line_items.length === 0)
        invalidRequest('Missing required param: line_items.', 'line_items', 'parameter_missing')
      const prices: Price[] = input.line_items.map((l, i) => {
        const price = find(ctx.state.prices, l.price, 'price', `line_items[${i}][price]`)
        if (!price.active)
          invalidRequest(`The price \`${price.id}\` is not active.`, `line_items[${i}][price]`)
        return price
      })
      const currency = prices[0]!.currency
      if (prices.some((p) => p.currency !== currency))
        invalidRequest('All prices on a payment link must have the same currency.', 'line_items')
      if (input.allow_promotion_codes)
        invalidRequest('standin does not simulate promotion codes on payment links.', 'allow_promotion_codes')
      const link = newPaymentLink(
        ctx,
        src.at,
        input.line_items.map((l, i) => ({ price: prices[i]!, quantity: l.quantity })),
        { metadata: input.metadata, after: input.after_completion },
        src,
      )
      return respond(req, ctx, link, input.expand)
    },
  }),
  route({
    operation: 'payment_links.retrieve',
    method: 'GET',
    path: '/v1/payment_links/:payment_link',
    input: params('GET', '/v1/payment_links/{payment_link}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.paymentLinks, req.params.payment_link!, 'payment link', 'payment_link'),
        input.expand,
      ),
  }),
  route({
    operation: 'payment_links.update',
    method: 'POST',
    path: '/v1/payment_links/:payment_link',
    input: params('POST', '/v1/payment_links/{payment_link}', {
      ...expandShape,
      metadata: z.union([z.record(z.string(), z.string()), z.literal('')]).optional(),
      active: z.boolean().optional(),
      after_completion: afterCompletion,
    }),
    handler: (req, ctx, input) => {
      const link = find(ctx.state.paymentLinks, req.params.payment_link!, 'payment link', 'payment_link')
      const before = structuredClone(link)
      if (input.active !== undefined) link.active = input.active
      if (input.after_completion) link.after_completion = completion(input.after_completion)
      link.metadata = mergeMetadata(link.metadata, input.metadata)
      const previous = previousOf(before as never, link as never)
      if (Object.keys(previous).length > 0)
        emitEvent(source(req, ctx), 'payment_link.updated', link, previous)
      return respond(req, ctx, link, input.expand)
    },
  }),
  route({
    operation: 'payment_links.list',
    method: 'GET',
    path: '/v1/payment_links',
    input: params('GET', '/v1/payment_links', { ...listShape, active: z.boolean().optional() }),
    handler: (req, ctx, input) =>
      list(
        req,
        ctx,
        ctx.state.paymentLinks,
        input,
        '/v1/payment_links',
        (l) => input.active === undefined || l.active === input.active,
      ),
  }),
  route({
    operation: 'payment_links.line_items',
    method: 'GET',
    path: '/v1/payment_links/:payment_link/line_items',
    input: params('GET', '/v1/payment_links/{payment_link}/line_items', listShape),
    handler: (req, ctx, input) => {
      const link = find(ctx.state.paymentLinks, req.params.payment_link!, 'payment link', 'payment_link')
      return { status: 200, body: wire(linkItems(ctx, link), versionOf(req), ctx.state, input.expand) }
    },
  }),
  route({
    operation: 'payment_links.hosted_page',
    method: 'GET',
    path: '/b/:payment_link',
    auth: false,
    handler: (req, ctx) => {
      const hit = findLink(ctx, req.params.payment_link!)
      if (!hit) return notFound()
      if (!hit.link.active)
        return page('Link inactive', '<h1 data-testid="inactive">This link is no longer active</h1>', 410)
      return redirect(sessionFor(hit.ctx, hit.link).url as string)
    },
  }),
  route({
    operation: 'payment_links.confirmation_page',
    method: 'GET',
    path: '/b/:payment_link/done',
    auth: false,
    handler: (req, ctx) => {
      const hit = findLink(ctx, req.params.payment_link!)
      if (!hit) return notFound()
      const message = hit.link.after_completion.hosted_confirmation?.custom_message
      return page(
        'Thanks',
        `<h1 data-testid="confirmed">Thanks for your payment</h1>${message ? `<p data-testid="message">${esc(message)}</p>` : ''}`,
      )
    },
  }),
]
