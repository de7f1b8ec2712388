import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { failure, LEGACY_VERSION, PINNED_VERSION, useHarness } from './test-support.ts'

/**
 * The wire protocol around the resources: keys, the error envelope, request
 * validation against the spec, idempotency, fault rules by catalogue name, and
 * bad input that must get Stripe's error while the simulator keeps serving.
 */
const h = useHarness()

const raw = (path: string, init: RequestInit & { key?: string | null; version?: string } = {}) => {
  const headers = new Headers(init.headers)
  if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? 'sk_test_protocolraw'}`)
  if (init.version) headers.set('stripe-version', init.version)
  return fetch(`http://127.0.0.1:${h.port}${path}`, { ...init, headers })
}

describe('authentication', () => {
  it('answers a missing key with 401 and the no-key message', async () => {
    const res = await raw('/v1/customers', { key: null })
    expect(res.status).toBe(401)
    expect(res.headers.get('request-id')).toMatch(/^req_/)
    const body = (await res.json()) as { error: { type: string; message: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toMatch(/^You did not provide an API key\./)
  })

  it('masks a wrong key in the 401 and maps it to StripeAuthenticationError', async () => {
    const s = h.client({ key: 'sk_nope_abcdefgh1234' })
    const error = await failure(s.customers.list())
    expect(error.type).toBe('StripeAuthenticationError')
    expect(error.statusCode).toBe(401)
    expect(error.message).toBe('Invalid API Key provided: sk_nope_********1234')
  })

  it('refuses live-mode keys, saying standin is a test double', async () => {
    const error = await failure(h.client({ key: 'sk_live_51Habcdefghijklmnop' }).customers.list())
    expect(error.statusCode).toBe(401)
    expect(error.message).toContain('standin is a test double')
    expect(error.message).not.toContain('abcdefghijklmnop')
  })

  it('accepts Basic auth with the key as user and keeps accounts apart by key', async () => {
    const basic = `Basic ${Buffer.from('sk_test_basicuser:').toString('base64')}`
    const created = await raw('/v1/customers', {
      key: null,
      method: 'POST',
      headers: { authorization: basic },
      body: new URLSearchParams({ email: 'b@example.com' }),
    })
    expect(created.status).toBe(200)
    const { id } = (await created.json()) as { id: string }
    const bearer = await raw(`/v1/customers/${id}`, { key: 'sk_test_basicuser' })
    expect(bearer.status).toBe(200)
    const other = await raw(`/v1/customers/${id}`, { key: 'sk_test_someoneelse' })
    expect(other.status).toBe(404)
  })

  it('tells a publishable key it cannot call the API', async () => {
    const res = await raw('/v1/customers', { key: 'pk_test_123' })
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'publishable API key',
    )
  })
})

describe('request validation against the spec', () => {
  it('names the parameter for unknown, missing, bad integer, bad enum and bad boolean', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const unknown = await failure(s.customers.create({ emial: 'x' } as Stripe.CustomerCreateParams))
    expect([unknown.code, unknown.param, unknown.message]).toEqual([
      'parameter_unknown',
      'emial',
      'Received unknown parameter: emial',
    ])
    const nested = await failure(
      s.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424242', colour: 'red' },
      } as unknown as Stripe.PaymentMethodCreateParams),
    )
    expect([nested.code, nested.param]).toEqual(['parameter_unknown', 'card[colour]'])
    const missing = await failure(
      s.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    )
    expect([missing.code, missing.param, missing.message]).toEqual([
      'parameter_missing',
      'amount',
      'Missing required param: amount.',
    ])
    const integer = await failure(
      s.paymentIntents.create({ amount: 'ten' as unknown as number, currency: 'usd' }),
    )
    expect([integer.code, integer.param, integer.message]).toEqual([
      'parameter_invalid_integer',
      'amount',
      'Invalid integer: ten',
    ])
    const enumValue = await failure(
      s.paymentIntents.create({ amount: 100, currency: 'usd', capture_method: 'later' as 'manual' }),
    )
    expect(enumValue.param).toBe('capture_method')
    expect(enumValue.message).toBe(
      'Invalid capture_method: must be one of automatic, automatic_async, or manual',
    )
    const bool = await failure(
      s.paymentIntents.create({ amount: 100, currency: 'usd', confirm: 'maybe' as unknown as boolean }),
    )
    expect([bool.param, bool.message]).toEqual(['confirm', 'Invalid boolean: maybe'])
    const empty = await failure(s.paymentIntents.create({ amount: '' as unknown as number, currency: 'usd' }))
    expect(empty.code).toBe('parameter_invalid_empty')
    const limit = await failure(s.customers.list({ limit: 101 }))
    expect(limit.param).toBe('limit')
  })

  it('refuses huge metadata with Stripe limits', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))
    expect((await failure(s.customers.create({ metadata: many }))).message).toBe(
      'You can have up to 50 metadata keys, but you passed in 51 keys.',
    )
    const longValue = await failure(s.customers.create({ metadata: { note: 'x'.repeat(501) } }))
    expect(longValue.param).toBe('metadata[note]')
    const longKey = await failure(s.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } }))
    expect(longKey.message).toContain('Metadata keys can have up to 40 characters')
  })
})

describe('bad input keeps the simulator serving', () => {
  it('answers malformed bodies, wrong content types, unknown routes and huge bodies in Stripe error shape', async () => {
    const json = await raw('/v1/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    })
    expect(json.status).toBe(400)
    expect(((await json.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')
    const xml = await raw('/v1/customers', {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    })
    expect(xml.status).toBe(400)
    const nested = await raw('/v1/customers', {
      method: 'POST',
      body: new URLSearchParams({ 'email[a][b]': 'x' }),
    })
    expect(nested.status).toBe(400)
    expect(((await nested.json()) as { error: { param: string } }).error.param).toBe('email')
    const route = await raw('/v1/widgets', { version: LEGACY_VERSION })
    expect(route.status).toBe(404)
    const routeBody = (await route.json()) as { error: { message: string; type: string } }
    expect(routeBody.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/widgets\)\./)
    const method = await raw('/v1/customers', { method: 'PATCH' })
    expect(method.status).toBe(404)
    const huge = await raw('/v1/customers', {
      method: 'POST',
      body: `description=${'x'.repeat(2 * 1024 * 1024)}`,
    })
    expect(huge.status).toBe(413)
    expect(((await huge.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')
    const version = await raw('/v1/customers', { version: 'yesterday' })
    expect(version.status).toBe(400)
    expect(((await version.json()) as { error: { message: string } }).error.message).toBe(
      'Invalid Stripe API version: yesterday',
    )
    // Still serving.
    const after = await h.client().customers.create({ email: 'still@example.com' })
    expect(after.id).toMatch(/^cus_/)
  })
})

describe('idempotency', () => {
  it('replays the first response, errors included, with Idempotent-Replayed', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const first = await s.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      { idempotencyKey: 'order-1' },
    )
    const again = await s.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      { idempotencyKey: 'order-1' },
    )
    expect(again.id).toBe(first.id)
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(again.lastResponse.headers['idempotency-key']).toBe('order-1')
    expect((await s.paymentIntents.list({ limit: 100 })).data).toHaveLength(1)
    const declined = await failure(
      s.paymentIntents.create(
        { amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true },
        { idempotencyKey: 'order-2' },
      ),
    )
    const replayed = await failure(
      s.paymentIntents.create(
        { amount: 1000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true },
        { idempotencyKey: 'order-2' },
      ),
    )
    expect(replayed.code).toBe('card_declined')
    expect(replayed.payment_intent?.id).toBe(declined.payment_intent?.id)
    expect(replayed.headers?.['idempotent-replayed']).toBe('true')
  })

  it('refuses the same key with other parameters, and forgets keys after 24 h of virtual time', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    await s.customers.create({ email: 'one@example.com' }, { idempotencyKey: 'cust-1' })
    const conflict = await failure(
      s.customers.create({ email: 'two@example.com' }, { idempotencyKey: 'cust-1' }),
    )
    expect(conflict.type).toBe('StripeIdempotencyError')
    expect(conflict.statusCode).toBe(400)
    expect(conflict.message).toContain("Try using a key other than 'cust-1'")
    const otherEndpoint = await failure(s.products.create({ name: 'x' }, { idempotencyKey: 'cust-1' }))
    expect(otherEndpoint.type).toBe('StripeIdempotencyError')
    h.sims.core.clock.advance(24 * 3600_000 + 1000)
    const fresh = await s.customers.create({ email: 'two@example.com' }, { idempotencyKey: 'cust-1' })
    expect(fresh.email).toBe('two@example.com')
    expect(fresh.lastResponse.headers['idempotent-replayed']).toBeUndefined()
  })

  it('compares parameters, not bytes: the same ones in another order replay, another array order conflicts', async () => {
    const post = (body: string) =>
      raw('/v1/customers', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'order-free' },
        body,
      })
    const first = await post(
      'email=a%40example.com&metadata[b]=2&metadata[a]=1&preferred_locales[]=en&preferred_locales[]=fr',
    )
    const reordered = await post(
      'metadata[a]=1&preferred_locales[]=en&metadata[b]=2&preferred_locales[]=fr&email=a%40example.com',
    )
    expect(reordered.headers.get('idempotent-replayed')).toBe('true')
    expect(((await reordered.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id)
    const otherOrder = await post(
      'email=a%40example.com&metadata[b]=2&metadata[a]=1&preferred_locales[]=fr&preferred_locales[]=en',
    )
    expect(otherOrder.status).toBe(400)
    expect(((await otherOrder.json()) as { error: { type: string } }).error.type).toBe('idempotency_error')
  })
})

describe('fault rules by catalogue name', () => {
  it.each([
    ['insufficient_funds', 402, 'StripeCardError', 'card_declined'],
    ['expired_card', 402, 'StripeCardError', 'expired_card'],
    ['incorrect_cvc', 402, 'StripeCardError', 'incorrect_cvc'],
    ['processing_error', 402, 'StripeCardError', 'processing_error'],
    ['authentication_required', 402, 'StripeCardError', 'authentication_required'],
    ['card_declined', 402, 'StripeCardError', 'card_declined'],
    ['rate_limit', 429, 'StripeRateLimitError', 'rate_limit'],
    ['lock_timeout', 429, 'StripeRateLimitError', 'lock_timeout'],
    ['api_error', 500, 'StripeAPIError', undefined],
    ['idempotency_error', 400, 'StripeIdempotencyError', undefined],
  ])('%s answers %i as the SDK expects', async (name, status, type, code) => {
    const s = h.client({ version: PINNED_VERSION })
    const rule = h.sims.core.faults.add({
      match: { provider: 'stripe', operation: 'payment_intents.create', body: { 'metadata.case': name } },
      effect: { type: 'provider-error', error: name },
      times: 1,
    })
    const error = await failure(
      s.paymentIntents.create({ amount: 100, currency: 'usd', metadata: { case: name } }),
    )
    expect([error.statusCode, error.type, error.code]).toEqual([status, type, code])
    expect(error.requestId).toMatch(/^req_/)
    expect(rule.id).toBeTruthy()
    const ok = await s.paymentIntents.create({ amount: 100, currency: 'usd', metadata: { case: name } })
    expect(ok.status).toBe('requires_payment_method')
  })
})

describe('SDK retries against faults', () => {
  it('retries a 500 with the same idempotency key and gets one PaymentIntent', async () => {
    const key = 'sk_test_retrying'
    const s = new Stripe(key, {
      host: '127.0.0.1',
      port: h.port,
      protocol: 'http',
      maxNetworkRetries: 1,
      telemetry: false,
    })
    h.sims.core.faults.add({
      match: { provider: 'stripe', operation: 'payment_intents.create', account: key },
      effect: { type: 'provider-error', error: 'api_error' },
      times: 1,
    })
    const pi = await s.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    })
    expect(pi.status).toBe('succeeded')
    const attempts = h.sims.core.journal.list({
      provider: 'stripe',
      operation: 'payment_intents.create',
      account: key,
    })
    expect(attempts.map((e) => e.status).sort()).toEqual([200, 500])
    expect(new Set(attempts.map((e) => e.headers['idempotency-key'])).size).toBe(1)
    expect((await s.paymentIntents.list()).data).toHaveLength(1)
  })
})

describe('Request-Id and versions', () => {
  it('sends Request-Id and Stripe-Version on every answer', async () => {
    const s = h.client()
    const c = await s.customers.create({})
    expect(c.lastResponse.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/)
    expect(c.lastResponse.headers['stripe-version']).toBe(PINNED_VERSION)
    const legacy = await h.client({ version: LEGACY_VERSION }).customers.create({})
    expect(legacy.lastResponse.headers['stripe-version']).toBe(LEGACY_VERSION)
    expect(new Stripe('sk_test_x').getApiField('version')).toBe(PINNED_VERSION)
  })
})
