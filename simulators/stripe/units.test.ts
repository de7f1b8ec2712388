import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { isLegacy, render, renderShared, requestVersion } from './codec.ts'
import { check, type ParamError } from './params.ts'
import { parseQuery } from './search.ts'
import { operationParams } from './spec.ts'
import { lookupCard } from './test-values.ts'
import { signatureHeader, verifySignature } from './webhooks.ts'

/** The pure pieces on their own: signer, parameter checks, search parser, version codec, test cards. */
describe('webhook signer', () => {
  it('matches the reference vector and the SDK test header', () => {
    const body = '{"id":"evt_test_1","object":"event","type":"payment_intent.succeeded"}'
    const header = signatureHeader('whsec_standin_test_secret', 1_700_000_000, body)
    expect(header).toBe('t=1700000000,v1=fdc90d8625959ded5fbf41deef6e801dc185792f44246fc0b190fa89650a1e22')
    const sdk = new Stripe('sk_test_x').webhooks.generateTestHeaderString({
      payload: body,
      secret: 'whsec_standin_test_secret',
      timestamp: 1_700_000_000,
    })
    expect(header).toBe(sdk)
    expect(verifySignature(body, header, 'whsec_standin_test_secret', 300, 1_700_000_301)).toBe(false)
    expect(
      verifySignature(
        body,
        `${header},v1=${'0'.repeat(64)}`,
        'whsec_standin_test_secret',
        300,
        1_700_000_100,
      ),
    ).toBe(true)
  })
})

describe('parameter checks from the spec', () => {
  const create = operationParams('POST', '/v1/payment_intents')
  const fails = (value: unknown) => {
    try {
      check(create, value, [])
    } catch (error) {
      return error as ParamError
    }
    throw new Error('expected a ParamError')
  }

  it('coerces form strings by the schema and keeps the empty-string unset', () => {
    const out = check(
      create,
      { amount: '100', currency: 'usd', confirm: 'true', metadata: { a: '1', b: '' } },
      [],
    ) as Record<string, unknown>
    expect(out).toMatchObject({ amount: 100, confirm: true, metadata: { a: '1', b: '' } })
    const update = check(operationParams('POST', '/v1/customers/{customer}'), { description: '' }, [])
    expect(update).toEqual({ description: '' })
  })

  it('names nested parameters the way Stripe does', () => {
    expect(
      fails({ amount: 1, currency: 'usd', shipping: { address: { line1: 'x' }, name: 'n', color: 'red' } })
        .param,
    ).toBe('shipping[color]')
    const missing = fails({ amount: 1, currency: 'usd', shipping: { name: 'n' } })
    expect([missing.code, missing.param]).toEqual(['parameter_missing', 'shipping[address]'])
    let bad: ParamError | undefined
    try {
      check(
        operationParams('POST', '/v1/subscriptions'),
        { customer: 'c', items: [{ price: 'p', quantity: 'x' }] },
        [],
      )
    } catch (error) {
      bad = error as ParamError
    }
    expect([bad?.code, bad?.param]).toEqual(['parameter_invalid_integer', 'items[0][quantity]'])
  })

  it('names a parameter after an alternative that failed deep inside another', () => {
    // `a`'s first alternative fails at a[x] and its second takes it: `b`'s error must not carry a[x].
    const schema = {
      type: 'object',
      properties: {
        a: {
          anyOf: [
            { type: 'object', properties: { x: { type: 'integer' } } },
            { type: 'object', additionalProperties: true },
          ],
        },
        b: { type: 'integer' },
      },
    } as Parameters<typeof check>[0]
    let bad: ParamError | undefined
    try {
      check(schema, { a: { x: 'not a number' }, b: 'x' }, [])
    } catch (error) {
      bad = error as ParamError
    }
    expect([bad?.code, bad?.param]).toEqual(['parameter_invalid_integer', 'b'])
  })

  it('turns an integer-keyed metadata map back into an object', () => {
    const out = check(create, { amount: '1', currency: 'usd', metadata: ['zero', 'one'] }, []) as {
      metadata: unknown
    }
    expect(out.metadata).toEqual({ 0: 'zero', 1: 'one' })
  })
})

describe('search query parser', () => {
  it('reads clauses, metadata keys, negation and joins', () => {
    expect(parseQuery('metadata["order"]:"o1" AND -status:"canceled" AND amount>=100')).toEqual({
      join: 'AND',
      clauses: [
        { negate: false, path: ['metadata', 'order'], op: ':', value: 'o1' },
        { negate: true, path: ['status'], op: ':', value: 'canceled' },
        { negate: false, path: ['amount'], op: '>=', value: 100 },
      ],
    })
    expect(() => parseQuery('a:"1" AND b:"2" OR c:"3"')).toThrow()
    expect(() => parseQuery('email = x')).toThrow()
  })
})

describe('versions and test cards', () => {
  it('reads versions and drops fields per shape', () => {
    expect(requestVersion(undefined)).toBe('2026-10-28.endive')
    expect(isLegacy('2024-06-20')).toBe(true)
    expect(isLegacy('2025-03-31.basil')).toBe(false)
    expect(() => requestVersion('latest')).toThrow()
    const sub = {
      object: 'subscription',
      current_period_end: 5,
      items: { object: 'list', data: [{ object: 'subscription_item', current_period_end: 5 }] },
      _private: 1,
    }
    expect(render(sub, '2023-08-16')).toEqual({
      object: 'subscription',
      current_period_end: 5,
      items: { object: 'list', data: [{ object: 'subscription_item' }] },
    })
    expect(render(sub, '2026-10-28.endive')).toEqual({
      object: 'subscription',
      items: { object: 'list', data: [{ object: 'subscription_item', current_period_end: 5 }] },
    })
  })

  it('drops the fields of both version boundaries at once, and reads any `object` as data', () => {
    const discount = {
      object: 'discount',
      coupon: { id: 'c' },
      source: { coupon: 'c' },
      subscription_item: 'si',
    }
    expect(render(discount, '2024-06-20')).toEqual({ object: 'discount', coupon: { id: 'c' } })
    expect(render(discount, '2025-05-28.basil')).toEqual({
      object: 'discount',
      coupon: { id: 'c' },
      subscription_item: 'si',
    })
    expect(render(discount, '2026-10-28.endive')).toEqual({
      object: 'discount',
      source: { coupon: 'c' },
      subscription_item: 'si',
    })
    const stored = {
      object: 'payment_intent',
      a: 1,
      _p: 2,
      invoice: 'in_1',
      b: { _q: 1, c: [{ d: 2 }] },
      _last: 3,
    }
    const legacy = render(stored, '2023-08-16') as Record<string, unknown>
    expect(JSON.stringify(legacy)).toBe(
      '{"object":"payment_intent","a":1,"invoice":"in_1","b":{"c":[{"d":2}]}}',
    )
    expect(JSON.stringify(render(stored, '2026-10-28.endive'))).toBe(
      '{"object":"payment_intent","a":1,"b":{"c":[{"d":2}]}}',
    )
    expect(legacy.b).not.toBe(stored.b)
    expect(render({ object: 'constructor', includes: 1 }, '2023-08-16')).toEqual({
      object: 'constructor',
      includes: 1,
    })
  })

  it('renders an answer sharing with the stored object what the version leaves as it is', () => {
    const stored = {
      object: 'payment_intent',
      a: 1,
      invoice: 'in_1',
      kept: { x: [{ y: 1 }] },
      b: { _q: 1, c: [{ d: 2 }, { object: 'subscription_item', current_period_end: 5 }] },
      _last: 3,
    }
    const before = JSON.stringify(stored)
    for (const version of ['2023-08-16', '2026-10-28.endive']) {
      const shared = renderShared(stored, version) as typeof stored
      expect(shared).toEqual(render(stored, version))
      // Copied: what lost a key, and the objects above it. Shared: the rest.
      expect(shared).not.toBe(stored)
      expect(shared.b).not.toBe(stored.b)
      expect(shared.kept).toBe(stored.kept)
      expect(shared.b.c[0]).toBe(stored.b.c[0])
    }
    expect(JSON.stringify(stored)).toBe(before)
    const plain = { object: 'customer', metadata: { a: '1' }, tags: [{ k: 1 }] }
    expect(renderShared(plain, '2026-10-28.endive')).toBe(plain)
  })

  it('knows the documented cards and refuses numbers that fail Luhn', () => {
    expect(lookupCard('4000 0000 0000 9995')?.behaviour).toEqual({
      kind: 'decline',
      code: 'card_declined',
      declineCode: 'insufficient_funds',
    })
    expect(lookupCard('4242424242424241')).toBeUndefined()
    expect(lookupCard('5105105105105100')?.brand).toBe('mastercard')
  })
})
