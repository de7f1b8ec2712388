import { describe, expect, it } from 'vitest'
import { pathMatcher, Router } from './router.ts'

const routes = [
  { method: 'GET' as const, path: '/v1/customers', id: 'list' },
  { method: 'POST' as const, path: '/v1/customers', id: 'create' },
  { method: 'GET' as const, path: '/v1/customers/:customer', id: 'retrieve' },
  { method: 'GET' as const, path: '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json', id: 'message' },
  { method: 'GET' as const, path: '/v2/Services', hosts: ['verify.twilio.com'], id: 'verify-services' },
]

describe('router', () => {
  const router = new Router(routes)

  it('matches static and parameterised paths', () => {
    const found = router.lookup('GET', '/v1/customers/cus_123', 'x')
    expect(found.kind === 'found' && found.match.route.id).toBe('retrieve')
    expect(found.kind === 'found' && found.match.params).toEqual({ customer: 'cus_123' })
  })

  it('reads a param followed by a literal suffix', () => {
    const found = router.lookup('GET', '/2010-04-01/Accounts/AC1/Messages/SM9.json', 'x')
    expect(found.kind === 'found' && found.match.params).toEqual({ AccountSid: 'AC1', Sid: 'SM9' })
  })

  it('tells method-not-allowed from not-found', () => {
    expect(router.lookup('DELETE', '/v1/customers', 'x')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET', 'POST'],
    })
    expect(router.lookup('GET', '/v1/nothing', 'x')).toEqual({ kind: 'not-found' })
  })

  it('routes by host when a route names hosts', () => {
    expect(router.lookup('GET', '/v2/Services', 'verify.twilio.com').kind).toBe('found')
    expect(router.lookup('GET', '/v2/Services', 'api.twilio.com').kind).toBe('not-found')
  })

  it('treats a trailing slash alike for static and parameterised routes, in either direction', () => {
    const slashed = new Router([
      { method: 'POST' as const, path: '/send/', id: 'send' },
      { method: 'POST' as const, path: '/token/create/:time/:unit/', id: 'token' },
      { method: 'GET' as const, path: '/v1/orders/:id', id: 'order' },
    ])
    for (const path of ['/send', '/send/']) {
      const found = slashed.lookup('POST', path, 'x')
      expect(found.kind === 'found' && found.match.route.id).toBe('send')
    }
    for (const path of ['/token/create/30/s', '/token/create/30/s/']) {
      const found = slashed.lookup('POST', path, 'x')
      expect(found.kind === 'found' && found.match.params).toEqual({ time: '30', unit: 's' })
    }
    const order = slashed.lookup('GET', '/v1/orders/order_1/', 'x')
    expect(order.kind === 'found' && order.match.params).toEqual({ id: 'order_1' })
  })

  it('keeps the first of two declarations that differ only by a trailing slash', () => {
    const twice = new Router([
      { method: 'POST' as const, path: '/send/', id: 'first' },
      { method: 'POST' as const, path: '/send', id: 'second' },
    ])
    const found = twice.lookup('POST', '/send', 'x')
    expect(found.kind === 'found' && found.match.route.id).toBe('first')
  })

  it('answers method-not-allowed for a parameterised path too, naming only methods that match it', () => {
    expect(router.lookup('DELETE', '/v1/customers/cus_1', 'x')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET'],
    })
    expect(router.lookup('POST', '/v2/Services', 'api.twilio.com')).toEqual({ kind: 'not-found' })
    expect(router.lookup('POST', '/v2/Services', 'verify.twilio.com')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET'],
    })
  })

  it('prefers a route naming the host over one naming none, and decodes params', () => {
    const hosted = new Router([
      { method: 'GET' as const, path: '/v1/things/:id', id: 'any' },
      { method: 'GET' as const, path: '/v1/things/:id', hosts: ['API.Example.com'], id: 'hosted' },
      { method: 'GET' as const, path: '/files/*', id: 'files' },
    ])
    const onHost = hosted.lookup('GET', '/v1/things/a%20b', 'api.example.com')
    expect(onHost.kind === 'found' && onHost.match).toEqual({
      route: expect.objectContaining({ id: 'hosted' }),
      params: { id: 'a b' },
    })
    const elsewhere = hosted.lookup('GET', '/v1/things/t1', 'other.example.com')
    expect(elsewhere.kind === 'found' && elsewhere.match.route.id).toBe('any')
    const long = hosted.lookup('GET', `/v1/things/${'a'.repeat(1500)}`, 'x')
    expect(long.kind === 'found' && long.match.params.id?.length).toBe(1500)
    const files = hosted.lookup('GET', '/files/a/b.txt', 'x')
    expect(files.kind === 'found' && files.match.params).toEqual({ wildcard: 'a/b.txt' })
  })

  it('compiles fault path patterns', () => {
    expect(pathMatcher('/send/')('/send')).toBe(true)
    expect(pathMatcher('/send')('/send/')).toBe(true)
    expect(pathMatcher('/token/:time/')('/token/30')).toBe(true)
    expect(pathMatcher('/v1/payment_intents/:id/confirm')('/v1/payment_intents/pi_1/confirm')).toBe(true)
    expect(pathMatcher('/v1/*')('/v1/anything/at/all')).toBe(true)
    expect(pathMatcher('/v1/charges')('/v1/charges/ch_1')).toBe(false)
  })
})
