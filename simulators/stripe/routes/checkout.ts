import { z } from 'zod'
import { expireSession, scheduleExpiry } from '../checkout.ts'
import { refuseUnpayableTypes } from '../checkout-methods.ts'
import { wire } from '../codec.ts'
import { invalidRequest } from '../errors.ts'
import { assertSessionExpirable, type CheckoutSession, type Price } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { blank } from '../spec.ts'
import type { StripeContext } from '../state.ts'
import { newPrice } from './products.ts'
import { find, list, matchesGiven, respond, route, source, versionOf } from './shared.ts'

const lineItem = z.looseObject({
  price: z.string().optional(),
  price_data: z
    .looseObject({
      currency: z.string(),
      product: z.string().optional(),
      product_data: z.looseObject({ name: z.string() }).optional(),
      unit_amount: z.number().optional(),
      recurring: z
        .looseObject({
          interval: z.enum(['day', 'week', 'month', 'year']),
          interval_count: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  quantity: z.number().optional(),
})

const MIN_EXPIRY = 30 * 60
const MAX_EXPIRY = 24 * 3600

export const checkoutSessions = [
  route({
    operation: 'checkout.sessions.create',
    method: 'POST',
    path: '/v1/checkout/sessions',
    input: params('POST', '/v1/checkout/sessions', {
      ...expandShape,
      ...metadataShape,
      mode: z.enum(['payment', 'subscription', 'setup']).optional(),
      line_items: z.array(lineItem).optional(),
      success_url: z.string(),
      cancel_url: z.string().optional(),
      customer: z.string().optional(),
      customer_email: z.string().optional(),
      customer_creation: z.enum(['always', 'if_required']).optional(),
      client_reference_id: z.string().optional(),
      expires_at: z.number().optional(),
      payment_method_types: z.array(z.string()).optional(),
      payment_intent_data: z
        .looseObject({
          metadata: z.record(z.string(), z.string()).optional(),
          capture_method: z.string().optional(),
        })
        .optional(),
      subscription_data: z
        .looseObject({
          metadata: z.record(z.string(), z.string()).optional(),
          trial_period_days: z.number().optional(),
        })
        .optional(),
    }),
    handler: (req, ctx, input) => {
      const now = ctx.clock.unix()
      if (!input.mode) invalidRequest('Missing required param: mode.', 'mode', 'parameter_missing')
      if (input.mode === 'setup')
        invalidRequest('standin simulates Checkout in payment and subscription mode only.', 'mode')
      if (!input.line_items?.length)
        invalidRequest('Missing required param: line_items.', 'line_items', 'parameter_missing')
      refuseUnpayableTypes(input.payment_method_types)
      if (input.customer) find(ctx.state.customers, input.customer, 'customer', 'customer')
      if (input.customer && input.customer_email)
        invalidRequest(
          'You may only specify one of these parameters: customer, customer_email.',
          'customer_email',
        )
      const items = input.line_items!.map((item, i) => {
        let price: Price
        if (item.price) price = find(ctx.state.prices, item.price, 'price', `line_items[${i}][price]`)
        else if (item.price_data) price = newPrice(ctx, now, item.price_data)
        else
          return invalidRequest(
            `Missing required param: line_items[${i}][price].`,
            `line_items[${i}][price]`,
            'parameter_missing',
          )
        const quantity = item.quantity ?? 1
        if (input.mode === 'payment' && price.type === 'recurring')
          invalidRequest(
            'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
            'line_items',
          )
        return {
          price: price.id,
          quantity,
          amount: (price.unit_amount ?? 0) * quantity,
          currency: price.currency,
        }
      })
      if (
        input.mode === 'subscription' &&
        !items.some((i) => ctx.state.prices.get(i.price)?.type === 'recurring')
      )
        invalidRequest(
          'You must specify at least one recurring price in `subscription` mode when using prices.',
          'line_items',
        )
      const expiresAt = input.expires_at ?? now + MAX_EXPIRY
      if (expiresAt < now + MIN_EXPIRY || expiresAt > now + MAX_EXPIRY)
        invalidRequest(
          'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
          'expires_at',
        )
      const id = ctx.ids.mint('cs_test_', 58)
      const total = items.reduce((sum, i) => sum + i.amount, 0)
      const session = {
        ...blank('checkout.session'),
        id,
        object: 'checkout.session',
        after_expiration: null,
        allow_promotion_codes: null,
        amount_subtotal: total,
        amount_total: total,
        automatic_tax: { enabled: false, status: null },
        billing_address_collection: null,
        cancel_url: input.cancel_url ?? null,
        client_reference_id: input.client_reference_id ?? null,
        consent: null,
        consent_collection: null,
        created: now,
        currency: items[0]!.currency,
        custom_fields: [],
        custom_text: {
          shipping_address: null,
          submit: null,
        },
        customer: input.customer ?? null,
        customer_creation: input.mode === 'payment' ? (input.customer_creation ?? 'if_required') : null,
        customer_details: null,
        customer_email: input.customer_email ?? null,
        expires_at: expiresAt,
        invoice: null,
        invoice_creation: null,
        livemode: false,
        locale: null,
        metadata: input.metadata === '' ? {} : (input.metadata ?? {}),
        mode: input.mode,
        payment_intent: null,
        payment_link: null,
        payment_method_collection: 'always',
        payment_method_options: {},
        payment_method_types: input.payment_method_types ?? ['card'],
        payment_status: 'unpaid',
        phone_number_collection: { enabled: false },
        recovered_from: null,
        setup_intent: null,
        shipping_address_collection: null,
        shipping_cost: null,
        shipping_details: null,
        shipping_options: [],
        status: 'open',
        submit_type: null,
        subscription: null,
        success_url: input.success_url,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        url: `${ctx.baseUrl}/c/pay/${id}`,
        collected_information: null,
        _lineItems: items,
        _piData: input.payment_intent_data ?? {},
        _subData: input.subscription_data ?? {},
      } as unknown as CheckoutSession
      ctx.state.checkoutSessions.insert(session)
      scheduleExpiry(ctx, session)
      return respond(req, ctx, session, input.expand)
    },
  }),
  route({
    operation: 'checkout.sessions.retrieve',
    method: 'GET',
    path: '/v1/checkout/sessions/:session',
    input: params('GET', '/v1/checkout/sessions/{session}', expandShape),
    handler: (req, ctx, input) => {
      const session = find(ctx.state.checkoutSessions, req.params.session!, 'checkout.session', 'session')
      const body = wire(
        session,
        versionOf(req),
        ctx.state,
        input.expand?.filter((e) => e !== 'line_items'),
      )
      if (input.expand?.includes('line_items')) body.line_items = lineItems(ctx, session)
      return { status: 200, body }
    },
  }),
  route({
    operation: 'checkout.sessions.list',
    method: 'GET',
    path: '/v1/checkout/sessions',
    input: params('GET', '/v1/checkout/sessions', {
      ...listShape,
      customer: z.string().optional(),
      payment_intent: z.string().optional(),
      subscription: z.string().optional(),
      status: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.checkoutSessions, input, '/v1/checkout/sessions', (s) =>
        matchesGiven(input, s, ['customer', 'payment_intent', 'subscription', 'status']),
      ),
  }),
  route({
    operation: 'checkout.sessions.list_line_items',
    method: 'GET',
    path: '/v1/checkout/sessions/:session/line_items',
    input: params('GET', '/v1/checkout/sessions/{session}/line_items', listShape),
    handler: (req, ctx) => {
      const session = find(ctx.state.checkoutSessions, req.params.session!, 'checkout.session', 'session')
      return { status: 200, body: wire(lineItems(ctx, session), versionOf(req), ctx.state) }
    },
  }),
  route({
    operation: 'checkout.sessions.expire',
    method: 'POST',
    path: '/v1/checkout/sessions/:session/expire',
    input: params('POST', '/v1/checkout/sessions/{session}/expire', expandShape),
    handler: (req, ctx, input) => {
      const session = find(ctx.state.checkoutSessions, req.params.session!, 'checkout.session', 'session')
      assertSessionExpirable(session)
      expireSession(source(req, ctx), session)
      return respond(req, ctx, session, input.expand)
    },
  }),
]

function lineItems(ctx: StripeContext, session: CheckoutSession) {
  const data = session._lineItems.map((l, i) => {
    const price = ctx.state.prices.get(l.price)!
    const product = ctx.state.products.get(price.product)
    return {
      id: `li_${session.id.slice(8, 30)}${i}`,
      object: 'item',
      amount_discount: 0,
      amount_subtotal: l.amount,
      amount_tax: 0,
      amount_total: l.amount,
      currency: price.currency,
      description: product?.name ?? '',
      price,
      quantity: l.quantity,
    }
  })
  return { object: 'list', data, has_more: false, url: `/v1/checkout/sessions/${session.id}/line_items` }
}
