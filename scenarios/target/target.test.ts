import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkProfile } from './check.ts'
import { loadProfile, ProfileError, parseProfile } from './load-profile.ts'
import type { ProfileInput } from './profile.ts'
import { Target, TargetError } from './target.ts'
import { pointer, render } from './template.ts'

/**
 * An app shaped nothing like the reference target: snake_case fields under
 * /api/v2, a session cookie instead of a bearer token, errors as
 * `{"errors":[{"reason":…}]}` with 400/403 statuses, ids as numbers.
 */
async function otherShapedApp(): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify()
  const codes = new Map<string, string>()
  app.post('/api/v2/sms-login', async (req, reply) => {
    const { phone_number } = req.body as { phone_number: string }
    codes.set(phone_number, '4321')
    return reply.code(200).send({ sent: true })
  })
  app.post('/api/v2/sms-login/confirm', async (req, reply) => {
    const { phone_number, otp } = req.body as { phone_number: string; otp: string }
    if (codes.get(phone_number) !== otp) return reply.code(400).send({ errors: [{ reason: 'BAD_OTP' }] })
    return reply
      .header('set-cookie', `sid=s-${phone_number.slice(-4)}; Path=/; HttpOnly`)
      .send({ account: { account_id: 42 } })
  })
  app.get('/api/v2/wallet', async (req, reply) => {
    if (!req.headers.cookie?.includes('sid=s-'))
      return reply.code(403).send({ errors: [{ reason: 'NO_SESSION' }] })
    return { wallet: { credit_count: 7 }, entries: [{ entry_id: 'a' }, { entry_id: 'b' }] }
  })
  app.post('/api/v2/orders/:gateway', async (req) => {
    const { gateway } = req.params as { gateway: string }
    return { order_ref: `${gateway}-${(req.body as { sku: string }).sku}`, state: 'PAID' }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url }
}

const baseProfile = (url: string): ProfileInput => ({
  name: 'other-shaped',
  baseUrl: url,
  health: '/api/v2/wallet',
  auth: { via: 'cookie', name: 'sid' },
  errorCodePointer: '/errors/0/reason',
  capabilities: { flows: [] },
  rules: { packages: [{ id: 'p1', credits: 10 }] },
  refusals: { otpWrong: { status: 400, code: 'BAD_OTP' }, unauthorized: { status: 403 } },
  providers: {},
  steps: {
    startPhoneSignup: { method: 'POST', path: '/api/v2/sms-login', body: { phone_number: '{{phone}}' } },
    submitOtp: {
      method: 'POST',
      path: '/api/v2/sms-login/confirm',
      body: { phone_number: '{{phone}}', otp: '{{code}}' },
      out: { token: { cookie: 'sid' }, userId: '/account/account_id' },
    },
    balance: {
      method: 'GET',
      path: '/api/v2/wallet',
      out: { credits: '/wallet/credit_count' },
    },
    buyCredits: [
      {
        when: { provider: ['stripe', 'toss'] },
        method: 'POST',
        path: '/api/v2/orders/{{provider}}',
        body: { sku: '{{packageId}}', card: '{{paymentMethod}}' },
        out: { paymentId: '/order_ref', status: { pointer: '/state', map: { PAID: 'succeeded' } } },
      },
    ],
  },
})

let app: FastifyInstance
let url: string
beforeAll(async () => {
  ;({ app, url } = await otherShapedApp())
})
afterAll(() => app.close())

describe('the HTTP adapter, driven by a profile alone', () => {
  it('signs in with a cookie session and reads outputs by pointer, header-free', async () => {
    const target = new Target(parseProfile(baseProfile(url)))
    expect((await target.run('startPhoneSignup', { phone: '+15551230001' })).ok).toBe(true)
    const wrong = await target.run('submitOtp', { phone: '+15551230001', code: '0000' })
    expect(target.isRefusal(wrong, 'otpWrong')).toBe(true)
    const ok = await target.run('submitOtp', { phone: '+15551230001', code: '4321' })
    const session = target.sessionFrom(ok, '+15551230001')
    expect(session).toEqual({ token: 's-0001', userId: '42', phone: '+15551230001' })
    const balance = await target.must('balance', {}, session)
    expect(balance.out.credits).toBe(7)
    const anonymous = await target.run('balance', {}, { token: 'forged' })
    expect(target.isRefusal(anonymous, 'unauthorized')).toBe(true)
    expect(target.isRefusal(anonymous, 'otpWrong')).toBe(false)
  })

  it('chooses a step variant by its variables and maps values onto the journeys’ words', async () => {
    const target = new Target(parseProfile(baseProfile(url)))
    const session = { token: 's-1' }
    const bought = await target.must('buyCredits', { provider: 'toss', packageId: 'p1' }, session)
    expect(bought.out).toEqual({ paymentId: 'toss-p1', status: 'succeeded' })
    await expect(
      target.run('buyCredits', { provider: 'razorpay', packageId: 'p1' }, session),
    ).rejects.toThrow(/none of its variants matches/)
  })

  it('mixes an escape-hatch module with the profile step by step', async () => {
    const target = new Target(parseProfile(baseProfile(url)), {
      module: {
        steps: {
          balance: async (_vars, ctx) => {
            const result = await ctx.http(
              {
                method: 'GET',
                path: '/api/v2/wallet',
                out: { ids: { pointer: '/entries', each: '/entry_id' } },
              },
              {},
            )
            return { ...result, out: { credits: (result.out.ids as string[]).length } }
          },
        },
      },
    })
    const session = target.sessionFrom(
      await target.run('submitOtp', { phone: '+15551230002', code: '4321' }).then(async (r) => {
        if (r.ok) return r
        await target.run('startPhoneSignup', { phone: '+15551230002' })
        return target.run('submitOtp', { phone: '+15551230002', code: '4321' })
      }),
    )
    expect((await target.must('balance', {}, session)).out.credits).toBe(2)
  })

  it('refuses to run an undeclared step, or an authenticated one without a session, in plain words', async () => {
    const target = new Target(parseProfile(baseProfile(url)))
    await expect(target.run('like', { userId: 'x' }, { token: 't' })).rejects.toThrow(
      'Failed to run step "like": the profile "other-shaped" does not declare it.',
    )
    await expect(target.run('balance', {})).rejects.toThrow(/needs a signed-in user/)
    expect(() => target.refusal('giftCardExpired')).toThrow(/refusals\.giftCardExpired/)
    expect(target.notApplicable({ flow: 'calls' })).toBe('flow "calls" not declared by the profile')
    expect(target.notApplicable({ clock: true })).toMatch(/clock cannot be moved/)
  })

  it('names the URL when the app is unreachable', async () => {
    const target = new Target(parseProfile({ ...baseProfile('http://127.0.0.1:1'), name: 'down' }))
    await expect(target.run('startPhoneSignup', { phone: '+15551230003' })).rejects.toThrow(
      /Failed to reach the app for step "startPhoneSignup" at POST http:\/\/127\.0\.0\.1:1\/api\/v2\/sms-login/,
    )
    await expect(target.run('startPhoneSignup', { phone: '+1' })).rejects.toBeInstanceOf(TargetError)
  })
})

describe('profile validation', () => {
  const problems = (input: unknown) => {
    try {
      parseProfile(input, 'p.json')
      return ''
    } catch (error) {
      expect(error).toBeInstanceOf(ProfileError)
      return (error as Error).message
    }
  }

  it('names the exact path of a missing field, a wrong type and an unknown flow', () => {
    const { baseUrl: _drop, ...noBase } = baseProfile(url)
    expect(problems(noBase)).toMatch(/^Failed to load the target profile p\.json:\n {2}- baseUrl: /)
    expect(problems({ ...baseProfile(url), rules: { packages: [{ id: 'p', credits: 'ten' }] } })).toContain(
      'rules.packages[0].credits: Invalid input: expected number, received string',
    )
    expect(problems({ ...baseProfile(url), capabilities: { flows: ['dating'] } })).toMatch(
      /capabilities\.flows\[0\]: .*registration/,
    )
    expect(
      problems({
        ...baseProfile(url),
        steps: { ...baseProfile(url).steps, teleport: { method: 'GET', path: '/x' } },
      }),
    ).toContain('steps.teleport')
    expect(
      problems({ ...baseProfile(url), steps: { balance: { method: 'GET', path: 'no-slash' } } }),
    ).toContain('steps.balance')
  })

  it('requires every step of a declared flow, and an account for each payment provider', () => {
    const message = problems({
      ...baseProfile(url),
      capabilities: { flows: ['matching'], payments: { stripe: ['payment_intent'] } },
    })
    expect(message).toContain('steps.discovery: the flow "matching" is declared')
    expect(message).toContain('providers.stripe: payments with stripe are declared')
  })

  it('reads YAML and JSON files, and says which file could not be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-'))
    const yamlFile = join(dir, 'app.yaml')
    writeFileSync(
      yamlFile,
      `name: yaml-app\nbaseUrl: ${url}\nauth: { via: header }\ncapabilities: { flows: [] }\nrules: { packages: [{ id: a, credits: 1 }] }\nproviders: {}\nsteps: {}\n`,
    )
    expect(loadProfile(yamlFile).auth).toEqual({
      via: 'header',
      header: 'authorization',
      value: 'Bearer {{token}}',
    })
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{ "name": ')
    expect(() => loadProfile(broken)).toThrow(/Failed to parse the target profile .*broken\.json/)
    expect(() => loadProfile(join(dir, 'missing.json'))).toThrow(
      /Failed to read the target profile .*missing\.json: ENOENT/,
    )
  })

  it('ships a reference-target profile that validates, and a JSON Schema that matches the zod schema', async () => {
    expect(loadProfile('scenarios/target/profiles/reference-target.json').name).toBe('reference-target')
    const { profileJsonSchema } = await import('./profile.ts')
    const { readFileSync } = await import('node:fs')
    const committed = JSON.parse(readFileSync('scenarios/target/profile.schema.json', 'utf8'))
    // Regenerate with `npm run standin -- profile schema --out scenarios/target/profile.schema.json`.
    expect(committed).toEqual(profileJsonSchema())
  })
})

describe('profile check', () => {
  it('finds the routes the app does not have and the ones it does', async () => {
    const profile = parseProfile({
      ...baseProfile(url),
      steps: { ...baseProfile(url).steps, like: { method: 'POST', path: '/api/v2/likes/{{userId}}' } },
    })
    const lines = await checkProfile(profile)
    const byWhat = Object.fromEntries(lines.map((l) => [l.what, l]))
    expect(byWhat.health?.ok).toBe(false) // the wallet answers 403 without a session
    expect(byWhat['step like']?.ok).toBe(false)
    expect(byWhat['step like']?.detail).toContain('answered HTTP 404')
    expect(byWhat['step balance']?.ok).toBe(true)
    const down = await checkProfile(parseProfile({ ...baseProfile('http://127.0.0.1:1'), name: 'down' }))
    expect(down).toEqual([expect.objectContaining({ ok: false, what: 'app' })])
  })
})

describe('templates and pointers', () => {
  it('keeps types for whole placeholders, drops absent ones, interpolates the rest', () => {
    expect(
      render(
        { a: '{{n}}', b: '{{missing}}', c: 'x-{{n}}-{{missing}}', d: ['{{n}}', '{{missing}}'] },
        { n: 5 },
      ),
    ).toEqual({
      a: 5,
      c: 'x-5-',
      d: [5],
    })
    expect(render('{{session.token}}', { session: { token: 't' } })).toBe('t')
    expect(render('{{$uuid}}', {})).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('resolves RFC 6901 pointers, escapes included', () => {
    const doc = { a: [{ 'b/c': 1, 'd~e': 2 }] }
    expect(pointer(doc, '/a/0/b~1c')).toBe(1)
    expect(pointer(doc, '/a/0/d~0e')).toBe(2)
    expect(pointer(doc, '/a/1/x')).toBeUndefined()
    expect(pointer(doc, '')).toBe(doc)
  })
})
