import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import { type RunningProviders, startProviders } from '../testing.ts'
import { tokenMatches } from './auth.ts'
import { injectFetch, StandinClient, StandinClientError } from './client.ts'
import { routeIds, routes } from './routes.ts'
import { buildControlApp } from './server.ts'

/** Safe to expose: with a token set, nothing under /_standin answers without it; CORS only when asked. */
const TOKEN = 'tok_0123456789abcdef'
let sims: RunningProviders
let app: ReturnType<typeof buildControlApp>
let open: ReturnType<typeof buildControlApp>

beforeAll(async () => {
  sims = await startProviders([testkit], { timeScale: 0 })
  app = buildControlApp(sims.core, new Map(), {}, { token: TOKEN })
  open = buildControlApp(sims.core, new Map())
})
afterAll(async () => {
  await app.close()
  await open.close()
  await sims.close()
})

const concrete = (path: string) => `/_standin${path.replace(/:[A-Za-z]+/g, 'x_1')}`

describe('the control-plane token', () => {
  it.each(routeIds)('%s is refused without the token, with a 401 naming what is missing', async (id) => {
    const spec = routes[id]
    const response = await app.inject({ method: spec.method, url: concrete(spec.path) })
    expect(response.statusCode).toBe(401)
    expect(response.json().error).toMatchObject({ code: 'STANDIN_UNAUTHORIZED', field: 'authorization' })
    expect(response.json().error.message).toContain('Authorization: Bearer <token>')
    expect(response.headers['www-authenticate']).toContain('Bearer')
  })

  it('refuses a wrong token, and the OpenAPI document, unknown routes and a wrong scheme too', async () => {
    for (const headers of [{ authorization: 'Bearer nope' }, { authorization: `Basic ${TOKEN}` }]) {
      const r = await app.inject({ method: 'GET', url: '/_standin/messages', headers })
      expect(r.statusCode).toBe(401)
    }
    expect((await app.inject({ method: 'GET', url: '/_standin/openapi.json' })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/_standin/no-such-route' })).statusCode).toBe(401)
    expect(
      (await app.inject({ method: 'GET', url: '/_standin/messages', cookies: { standin_token: 'nope' } }))
        .statusCode,
    ).toBe(401)
  })

  it('keeps captured codes behind the token, and gives them with it', async () => {
    sims.core.inbox.capture({
      provider: 'testkit',
      account: 'default',
      channel: 'sms',
      from: '+10000000000',
      to: '+821012345678',
      text: 'Your code is 482913',
    })
    const anonymous = new StandinClient({ url: 'http://control.local', fetch: injectFetch(app), token: '' })
    const refused = await anonymous.messages.code({ to: '+821012345678', timeoutMs: 0 }).catch((e) => e)
    expect(refused).toBeInstanceOf(StandinClientError)
    expect(refused.status).toBe(401)
    const holder = new StandinClient({ url: 'http://control.local', fetch: injectFetch(app), token: TOKEN })
    expect((await holder.messages.code({ to: '+821012345678', timeoutMs: 0 })).code).toBe('482913')
  })

  it('logs a browser in with an HttpOnly, SameSite=Strict cookie the API then accepts', async () => {
    const wrong = await app.inject({ method: 'POST', url: '/_standin/login', payload: { token: 'nope' } })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.headers['set-cookie']).toBeUndefined()
    const malformed = await app.inject({ method: 'POST', url: '/_standin/login', payload: { tok: TOKEN } })
    expect(malformed.statusCode).toBe(401)
    const login = await app.inject({ method: 'POST', url: '/_standin/login', payload: { token: TOKEN } })
    expect(login.statusCode).toBe(204)
    const cookie = String(login.headers['set-cookie'])
    expect(cookie).toMatch(/^standin_token=/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    const withCookie = await app.inject({
      method: 'GET',
      url: '/_standin/health',
      headers: { cookie: cookie.split(';')[0]! },
    })
    expect(withCookie.statusCode).toBe(200)
  })

  it('serves the dashboard page without the token (it asks for one when the API answers 401)', async () => {
    const page = await app.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
  })

  it('answers every route with no token configured (loopback use stays as it was)', async () => {
    expect((await open.inject({ method: 'GET', url: '/_standin/health' })).statusCode).toBe(200)
  })

  it('compares tokens whatever their length', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true)
    expect(tokenMatches(TOKEN, `${TOKEN}x`)).toBe(false)
    expect(tokenMatches(TOKEN, '')).toBe(false)
  })
})

describe('CORS', () => {
  it('sends no Access-Control-Allow-Origin by default, not even to a preflight', async () => {
    const headers = { origin: 'https://evil.example', 'access-control-request-method': 'GET' }
    const get = await open.inject({ method: 'GET', url: '/_standin/health', headers })
    expect(get.headers['access-control-allow-origin']).toBeUndefined()
    const preflight = await open.inject({ method: 'OPTIONS', url: '/_standin/health', headers })
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('allows exactly the one origin given, preflight included', async () => {
    const cors = buildControlApp(sims.core, new Map(), {}, { token: TOKEN, cors: 'https://qa.example' })
    try {
      const preflight = await cors.inject({
        method: 'OPTIONS',
        url: '/_standin/faults',
        headers: { origin: 'https://qa.example', 'access-control-request-method': 'POST' },
      })
      expect(preflight.statusCode).toBe(204)
      expect(preflight.headers['access-control-allow-origin']).toBe('https://qa.example')
      expect(preflight.headers['access-control-allow-headers']).toContain('authorization')
      const refused = await cors.inject({ method: 'GET', url: '/_standin/faults' })
      expect(refused.statusCode).toBe(401)
    } finally {
      await cors.close()
    }
  })
})
