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

  it('compiles fault path patterns', () => {
    expect(pathMatcher('/v1/payment_intents/:id/confirm')('/v1/payment_intents/pi_1/confirm')).toBe(true)
    expect(pathMatcher('/v1/*')('/v1/anything/at/all')).toBe(true)
    expect(pathMatcher('/v1/charges')('/v1/charges/ch_1')).toBe(false)
  })
})
