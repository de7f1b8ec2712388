import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFECTS } from '../src/defects.ts'
import {
  databaseKind,
  grant,
  type Sims,
  settled,
  signUp,
  startApp,
  startSims,
  type TestApp,
  withDefects,
} from './harness.ts'
import { buyStripe } from './pay.ts'

let sims: Sims
let t: TestApp
beforeAll(async () => {
  sims = await startSims()
  t = await startApp(sims)
}, 180_000)
afterAll(async () => {
  await t?.close()
  await sims?.close()
})

interface Operation {
  method: string
  path: string
  secured: boolean
  hasBody: boolean
}

async function operations(): Promise<Operation[]> {
  const doc = (await t.http.get('/openapi.json')).body as {
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>
  }
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path: path.replace(/\{[^}]+\}/g, 'x0000000000'),
      secured: !op.security,
      hasBody: !!op.requestBody,
    })),
  )
}

describe('the API contract', () => {
  it(`runs on ${databaseKind}`, async () => {
    const health = await t.http.get('/health')
    expect(health.body).toMatchObject({ status: 'ok', database: databaseKind })
  })

  it('serves an OpenAPI 3.1 document covering every route', async () => {
    const res = await t.http.get('/openapi.json')
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    expect(Object.keys(res.body.paths).length).toBeGreaterThan(35)
    expect(
      res.body.paths['/v1/payments'].post.requestBody.content['application/json'].schema.required,
    ).toContain('packageId')
  })

  it('answers bad input on every endpoint with a clear 4xx, never a crash', async () => {
    const user = await signUp(t)
    const ops = await operations()
    const bodies: (string | undefined)[] = [
      '{not json',
      '[]',
      '"text"',
      '{"unexpected":{"deep":[1,2]}}',
      'null',
    ]
    for (const op of ops) {
      if (op.path.startsWith('/_test')) continue
      if (op.secured) {
        const anonymous = await t.http[op.method.toLowerCase() as 'get'](op.path)
        expect(anonymous.status, `${op.method} ${op.path} without a token`).toBe(401)
        expect(anonymous.body.error.field).toBe('authorization')
      }
      for (const body of op.hasBody ? bodies : [undefined]) {
        let req = t.http[op.method.toLowerCase() as 'post'](op.path).set(user.auth)
        if (body !== undefined) req = req.set('content-type', 'application/json').send(body)
        const res = await req
        expect(res.status, `${op.method} ${op.path} ${body}: ${JSON.stringify(res.body)}`).toBeLessThan(500)
        // Operations without a body (logout) may succeed; everything else must refuse with a coded error.
        if (op.hasBody || op.path.includes('x0000000000')) {
          expect(
            res.status,
            `${op.method} ${op.path} ${body}: ${JSON.stringify(res.body)}`,
          ).toBeGreaterThanOrEqual(400)
          expect(typeof res.body.error?.code, `${op.method} ${op.path} ${body}`).toBe('string')
          if (res.status === 400)
            expect(
              res.body.error.field,
              `${op.method} ${op.path} ${body}: ${JSON.stringify(res.body)}`,
            ).toBeTruthy()
        }
      }
    }
  })

  it('names the field for wrong types in query and path too', async () => {
    const user = await signUp(t)
    expect((await t.http.get('/v1/discovery?limit=abc').set(user.auth)).body.error.field).toBe('limit')
    expect((await t.http.get('/v1/gift-cards/!!').set(user.auth)).body.error.field).toBe('code')
    expect((await t.http.get('/v1/nope').set(user.auth)).status).toBe(404)
  })
})

describe('defects', () => {
  it('each defect is checked in the source where its bug lives', async () => {
    const files: string[] = []
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name)
        if (entry.isDirectory()) await walk(p)
        else if (p.endsWith('.ts') && !p.endsWith('defects.ts') && !p.endsWith('config.ts'))
          files.push(await readFile(p, 'utf8'))
      }
    }
    await walk(join(import.meta.dirname, '../src'))
    const source = files.join('\n')
    expect(Object.keys(DEFECTS).length).toBeGreaterThanOrEqual(15)
    for (const name of Object.keys(DEFECTS)) expect(source, name).toContain(`defects.has('${name}')`)
  })

  it('otp-no-lockout lets a 6th wrong code be tried', async () => {
    await withDefects(t, ['otp-no-lockout'], async () => {
      const number = `+1415${String(Date.now()).slice(-7)}`
      expect((await t.http.post('/v1/auth/otp').send({ phone: number })).status).toBe(202)
      for (let i = 0; i < 7; i++)
        expect(
          (await t.http.post('/v1/auth/otp/verify').send({ phone: number, code: '000000' })).status,
        ).not.toBe(429)
    })
  })

  it('underage-allowed accepts a 15-year-old', async () => {
    await withDefects(t, ['underage-allowed'], async () => {
      const user = await signUp(t, { profile: false })
      const res = await t.http
        .put('/v1/me/profile')
        .set(user.auth)
        .send({ displayName: 'Kid', birthDate: '2011-06-01', gender: 'other' })
      expect(res.status).toBe(200)
    })
  })

  it('refund-keeps-credits refunds without taking the credits back', async () => {
    await withDefects(t, ['refund-keeps-credits'], async () => {
      const user = await signUp(t)
      await grant(t, user.userId, 0)
      const res = await buyStripe(t, user)
      const { eventually, balance } = await import('./harness.ts')
      await eventually(async () => (await balance(t, user)) === 50)
      expect((await t.http.post(`/v1/payments/${res.body.id}/refund`).set(user.auth)).status).toBe(202)
      expect(await balance(t, user)).toBe(50)
    })
  })

  it('reconciliation-missing leaves a payment whose confirm answer was lost pending', async () => {
    await withDefects(t, ['reconciliation-missing'], async () => {
      const user = await signUp(t)
      const { buyToss } = await import('./pay.ts')
      const rule = sims.core.faults.add({
        match: { provider: 'toss', operation: 'payments.confirm' },
        effect: { type: 'hang', ms: 3000, phase: 'after' },
        times: 10,
      })
      // Toss's PAYMENT_STATUS_CHANGED would settle it too: lose those deliveries so only reconciliation could.
      const lost = sims.core.webhooks.addRule({
        match: { provider: 'toss', account: t.keys.toss.account },
        effect: { type: 'drop', attempts: 10 },
      })
      let id: string
      try {
        const r = await buyToss(t, user, 'small')
        id = r.created.body.id
      } finally {
        sims.core.faults.remove(rule.id)
      }
      await settled(t) // everything due now has happened: webhooks (dropped), the app's jobs
      const payment = await t.http.get(`/v1/payments/${id}`).set(user.auth)
      sims.core.webhooks.removeRule(lost.id)
      expect(payment.body.status).toBe('pending')
    })
  })
})
