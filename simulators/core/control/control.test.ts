import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testkit } from '../../testkit/index.ts'
import { type RunningProviders, startProviders } from '../testing.ts'
import { startReceiver } from '../webhooks/receiver.ts'
import { injectFetch, StandinClient, StandinClientError } from './client.ts'
import { loadPresets } from './presets.ts'
import { buildControlApp } from './server.ts'

let sims: RunningProviders
let app: ReturnType<typeof buildControlApp>
let standin: StandinClient

beforeAll(async () => {
  sims = await startProviders([testkit], { timeScale: 0 })
  app = buildControlApp(sims.core, await loadPresets('scenarios/presets'))
  standin = new StandinClient({ url: 'http://control.local', fetch: injectFetch(app) })
})
afterAll(async () => {
  await app.close()
  await sims.close()
})

async function refusal(
  call: Promise<unknown>,
): Promise<{ status: number; field?: string | undefined; code: string }> {
  try {
    await call
  } catch (error) {
    if (error instanceof StandinClientError)
      return { status: error.status, field: error.field, code: error.code }
    throw error
  }
  throw new Error('the call was accepted')
}

const post = (url: string, payload: string, type = 'application/json') =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } })

describe('control plane', () => {
  it('reports health and where providers listen', async () => {
    const health = await standin.health()
    expect(health.status).toBe('ok')
    expect(health.providers).toEqual([{ name: 'testkit', url: sims.url('testkit') }])
  })

  it('filters the journal by body fields (where[...]) over HTTP, not silently ignoring them', async () => {
    const url = `${sims.url('testkit')}/v1/widgets`
    for (const name of ['where-a', 'where-b'])
      await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer tk_where', 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      })
    const { entries: only } = await standin.journal.list({ provider: 'testkit', where: { name: 'where-b' } })
    expect(only.map((e) => (e.body as { name: string }).name)).toEqual(['where-b'])
    expect((await standin.journal.list({ provider: 'testkit', where: { name: 'nobody' } })).entries).toEqual(
      [],
    )
  })

  it('answers bad input with a 400 naming the field', async () => {
    expect(await refusal(standin.faults.add({} as never))).toMatchObject({ status: 400, field: 'effect' })
    expect(
      await refusal(standin.faults.add({ effect: { type: 'status', status: 'teapot' } } as never)),
    ).toMatchObject({ status: 400, field: 'effect.status' })
    expect(
      await refusal(
        standin.faults.add({
          match: { provider: 'testkit', colour: 'red' },
          effect: { type: 'hang' },
        } as never),
      ),
    ).toMatchObject({
      status: 400,
      field: 'match.colour',
    })
    expect(await refusal(standin.presets.apply('no-such-preset'))).toMatchObject({
      status: 400,
      field: 'name',
    })
    expect(await refusal(standin.presets.apply('provider-flaky-5xx'))).toMatchObject({
      status: 400,
      field: 'vars.provider',
    })
    expect(await refusal(standin.presets.apply('provider-flaky-5xx', { provider: 'ghost' }))).toMatchObject({
      status: 400,
      field: 'vars.provider',
    })
    expect(await refusal(standin.clock.advance('soon'))).toMatchObject({ status: 400, field: 'by' })
    expect(
      await refusal(standin.webhooks.endpoints.add({ provider: 'testkit', url: 'not a url' })),
    ).toMatchObject({ status: 400, field: 'url' })
    expect(await refusal(standin.reset({ provider: 'ghost' }))).toMatchObject({
      status: 400,
      field: 'provider',
    })
    expect(await refusal(standin.journal.list({ limit: -3 }))).toMatchObject({ status: 400, field: 'limit' })
    expect(await refusal(standin.faults.get('fault_9999'))).toMatchObject({ status: 404, field: 'id' })
  })

  it('answers malformed JSON and unknown routes clearly, and keeps serving', async () => {
    const malformed = await post('/_standin/faults', '{"effect":')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().error).toMatchObject({ code: 'STANDIN_BAD_REQUEST', field: 'body' })
    const wrongType = await post('/_standin/faults', 'effect=hang', 'text/plain')
    expect(wrongType.statusCode).toBe(400)
    expect(wrongType.json().error.field).toBe('body')
    const unknown = await app.inject({ method: 'GET', url: '/_standin/nothing' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error.code).toBe('STANDIN_NOT_FOUND')
    const huge = await post('/_standin/faults', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }))
    expect(huge.statusCode).toBe(413)
    for (let i = 0; i < 50; i++) await post('/_standin/webhooks/rules', `\u0000garbage${i}{`)
    expect((await standin.health()).status).toBe('ok')
  })

  it('adds, explains, counts and removes fault rules; during() removes even when the body throws', async () => {
    const url = `${sims.url('testkit')}/v1/widgets`
    const request = () =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer tk_c', 'content-type': 'application/json' },
        body: '{"name":"n"}',
      })
    await expect(
      standin.faults.during(
        {
          match: { provider: 'testkit', operation: 'widgets.create' },
          effect: { type: 'provider-error', error: 'declined' },
        },
        async (rule) => {
          expect((await request()).status).toBe(402)
          expect((await standin.faults.get(rule.id)).fired).toBe(1)
          throw new Error('body failed')
        },
      ),
    ).rejects.toThrow('body failed')
    expect(await standin.faults.list()).toEqual([])
    expect((await request()).status).toBe(200)
  })

  it('applies a preset with its vars filled in', async () => {
    const applied = await standin.presets.apply('provider-flaky-5xx', { provider: 'testkit' })
    expect(applied.faults[0]!.match.provider).toBe('testkit')
    expect(applied.faults[0]!.explanation).toContain('respond HTTP 503, 2 times')
    await standin.faults.clear()
  })

  it('lists presets from scenarios/presets', async () => {
    const names = (await standin.presets.list()).map((p) => p.name)
    expect(names).toContain('webhook-retry-storm')
    expect(names).toContain('sms-outage-twilio')
  })

  it('registers endpoints, triggers events and shows deliveries with their attempts', async () => {
    const receiver = await startReceiver()
    try {
      await standin.webhooks.endpoints.add({ provider: 'testkit', url: receiver.url, secret: 'whsec_c' })
      const { result } = await standin.webhooks.events.send({ provider: 'testkit', event: 'widget.shipped' })
      const eventId = (result as { id: string }).id
      const delivery = await standin.webhooks.deliveries.wait({
        eventId,
        status: 'delivered',
        timeoutMs: 3000,
      })
      expect(delivery.attempts[0]).toMatchObject({ outcome: 'delivered', status: 200 })
      expect(Object.keys(delivery.attempts[0]!.requestHeaders)).toContain('testkit-signature')
      expect(receiver.received).toHaveLength(1)
      expect(
        await refusal(standin.webhooks.events.send({ provider: 'testkit', event: 'nope.nope' })),
      ).toMatchObject({ status: 400, field: 'event' })
    } finally {
      await receiver.close()
    }
  })

  it('captured messages: OTP and links for one recipient among many', async () => {
    const inbox = sims.runtime('testkit').services.inboxFor('acct')
    for (let i = 0; i < 20; i++)
      inbox.capture({
        channel: 'sms',
        to: `+8210000000${i.toString().padStart(2, '0')}`,
        from: '1600',
        text: `[App] code ${100000 + i}`,
      })
    inbox.capture({
      channel: 'email',
      to: 'Ana@Corp.example',
      from: 'no-reply@app.example',
      subject: 'Verify',
      text: 'Go: https://app.example/verify?t=abc',
      html: '<a href="https://app.example/verify?t=abc&amp;x=1">verify</a>',
    })
    expect((await standin.messages.code({ to: '010-0000-0007' })).code).toBe('100007')
    expect((await standin.messages.links({ to: 'ana@corp.example' })).links).toEqual([
      'https://app.example/verify?t=abc&x=1',
      'https://app.example/verify?t=abc',
    ])
    expect(await refusal(standin.messages.code({ to: '+15550000000', timeoutMs: 50 }))).toMatchObject({
      status: 408,
    })
  })

  it('moves the clock', async () => {
    const before = await standin.clock.get()
    const after = await standin.clock.advance('2h')
    expect(after.epochMs - before.epochMs).toBeGreaterThanOrEqual(7_200_000)
    expect((await standin.clock.scale(60)).scale).toBe(60)
    await standin.clock.scale(0)
  })

  it('serves an OpenAPI document covering every route', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/_standin/openapi.json' })).json()
    expect(doc.openapi).toBe('3.1.0')
    for (const path of [
      '/_standin/faults',
      '/_standin/webhooks/deliveries/{id}/redeliver',
      '/_standin/messages/code',
      '/_standin/clock/advance',
      '/_standin/presets/{name}/apply',
    ])
      expect(Object.keys(doc.paths)).toContain(path)
    expect(
      doc.paths['/_standin/faults'].post.requestBody.content['application/json'].schema.properties.effect,
    ).toBeDefined()
  })
})
