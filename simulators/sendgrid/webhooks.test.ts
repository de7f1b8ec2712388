import { generateKeyPairSync } from 'node:crypto'
import { EventWebhook } from '@sendgrid/eventwebhook'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ProviderContext } from '../core/provider.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { sendgrid } from './index.ts'
import type { SendgridState } from './models.ts'
import { type Received, startReceiver } from './test-receiver.ts'
import {
  accountPublicKey,
  enqueueEvent,
  publicKeyFor,
  RETRY_SCHEDULE,
  SIGNATURE_HEADER,
  serializeEvents,
  signEventBatch,
  TIMESTAMP_HEADER,
} from './webhooks.ts'

const ew = new EventWebhook()
const verify = (publicKey: string, r: Pick<Received, 'body' | 'headers'>) =>
  ew.verifySignature(
    ew.convertPublicKeyToECDSA(publicKey),
    r.body,
    String(r.headers[SIGNATURE_HEADER]),
    String(r.headers[TIMESTAMP_HEADER]),
  )

describe('signature (unit)', () => {
  // The two-event shape of the SDK's own spec vectors: one compact event per line, joined by ",\r\n", "\r\n" after.
  const vectorBody =
    '[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]\r\n'

  it('serializes a batch exactly as SendGrid does', () => {
    expect(serializeEvents(JSON.parse(vectorBody))).toBe(vectorBody)
    expect(serializeEvents([{ a: 1 }, { b: 'é' }])).toBe('[{"a":1},\r\n{"b":"é"}]\r\n')
  })

  it('signs timestamp + body so that @sendgrid/eventwebhook verifies it, and a tampered body fails', () => {
    const body = serializeEvents([
      { email: 'a@example.com', event: 'processed' },
      { email: 'ü@example.com', event: 'delivered' },
    ])
    const headers = signEventBatch('seed-1', 1_700_000_000_123, body)
    expect(headers[TIMESTAMP_HEADER]).toBe('1700000000')
    expect(publicKeyFor('seed-1')).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/)
    expect(verify(publicKeyFor('seed-1'), { body, headers })).toBe(true)
    expect(verify(publicKeyFor('seed-1'), { body: body.replace('processed', 'delivered'), headers })).toBe(
      false,
    )
    expect(verify(publicKeyFor('seed-2'), { body, headers })).toBe(false)
    expect(
      verify(publicKeyFor('seed-1'), { body, headers: { ...headers, [TIMESTAMP_HEADER]: '1700000001' } }),
    ).toBe(false)
  })

  it('uses a PEM private key given as the endpoint secret as is', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    expect(publicKeyFor(pem)).toBe(spki)
    const body = serializeEvents([{ event: 'open' }])
    expect(verify(spki, { body, headers: signEventBatch(pem, 1_000, body) })).toBe(true)
  })

  it('derives one stable key per account', () => {
    expect(accountPublicKey('acme')).toBe(accountPublicKey('acme'))
    expect(accountPublicKey('acme')).not.toBe(accountPublicKey('other'))
  })
})

describe('event webhook (end to end)', () => {
  let sims: RunningProviders
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let n = 0
  let account = ''
  let key = ''

  beforeAll(async () => {
    sims = await startProviders([sendgrid], { timeScale: 0 })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await sims.close()
    await receiver.close()
  })
  beforeEach(() => {
    account = `hook${++n}`
    key = `SG.${account}.secret`
    receiver.status = 200
    receiver.received.length = 0
    sims.core.webhooks.addEndpoint({ provider: 'sendgrid', account, url: receiver.url, source: 'config' })
  })
  afterEach(() => {
    sims.core.webhooks.clearRules()
    sims.core.webhooks.reset('sendgrid', { endpoints: true })
  })

  const send = (body: unknown) =>
    fetch(`${sims.url('sendgrid')}/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  const mailTo = (emails: string[], extra: Record<string, unknown> = {}) => ({
    personalizations: [{ to: emails.map((email) => ({ email })), custom_args: { user_id: '42' } }],
    from: { email: 'noreply@example.com' },
    subject: 'Hello',
    content: [{ type: 'text/html', value: '<a href="https://app.example.com/go">go</a>' }],
    categories: ['signup'],
    ...extra,
  })
  const publicKey = async () => {
    const res = await fetch(`${sims.url('sendgrid')}/v3/user/webhooks/event/settings/signed`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(res.status).toBe(200)
    return ((await res.json()) as { public_key: string }).public_key
  }
  /** Advances the frozen clock by `ms` and waits for the batch it flushes. */
  const batchAfter = async (ms: number) => {
    const next = receiver.next()
    for (let t = 0; t < ms; t += 250) sims.core.clock.advance(250)
    const r = await Promise.race([
      next,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no batch arrived')), 3_000)),
    ])
    return { received: r, events: JSON.parse(r.body) as Record<string, unknown>[] }
  }

  it('posts one signed batch per window that @sendgrid/eventwebhook accepts with the key SendGrid exposes', async () => {
    const res = await send(mailTo(['a@example.com', 'b+bounce@example.com', 'c+defer@example.com']))
    expect(res.status).toBe(202)
    const xMessageId = res.headers.get('x-message-id')!
    const { received, events } = await batchAfter(1_000)

    expect(received.headers['content-type']).toBe('application/json')
    expect(received.body).toMatch(/^\[\{.*\},\r\n\{/)
    expect(received.body.endsWith(']\r\n')).toBe(true)
    expect(verify(await publicKey(), received)).toBe(true)
    expect(
      verify(await publicKey(), {
        ...received,
        body: received.body.replace('a@example.com', 'z@example.com'),
      }),
    ).toBe(false)

    expect(events.map((e) => `${e.email}:${e.event}`)).toEqual([
      'a@example.com:processed',
      'b+bounce@example.com:processed',
      'c+defer@example.com:processed',
      'a@example.com:delivered',
      'b+bounce@example.com:bounce',
      'c+defer@example.com:deferred',
    ])
    for (const e of events) {
      expect(String(e.sg_message_id).startsWith(`${xMessageId}.`)).toBe(true)
      expect(e['smtp-id']).toBe(`<${xMessageId}@ismtpd0001p1standin.sendgrid.net>`)
      expect(e).toMatchObject({
        user_id: '42',
        category: 'signup',
        timestamp: expect.any(Number),
        sg_event_id: expect.any(String),
      })
    }
    expect(new Set(events.map((e) => e.sg_event_id)).size).toBe(events.length)
    expect(events[4]).toMatchObject({ type: 'bounce', status: '5.1.1' })

    // The deferred address is delivered a minute later, in its own batch.
    const later = await batchAfter(61_000)
    expect(later.events.map((e) => `${e.email}:${e.event}`)).toEqual(['c+defer@example.com:delivered'])
    expect(sims.core.inbox.list({ account, to: 'c+defer@example.com' })).toHaveLength(1)
    expect(sims.core.inbox.list({ account, to: 'b+bounce@example.com' })).toHaveLength(0)
  })

  it('sends dropped for a suppressed address', async () => {
    await send(mailTo(['d+unsubscribe@example.com']))
    await batchAfter(1_000)
    const engaged = await batchAfter(61_000)
    expect(engaged.events.map((e) => e.event)).toEqual(['unsubscribe'])
    await send(mailTo(['d+unsubscribe@example.com']))
    const { events } = await batchAfter(1_000)
    expect(events.map((e) => [e.event, e.reason])).toEqual([
      ['processed', undefined],
      ['dropped', 'Unsubscribed Address'],
    ])
  })

  it('reports opens and clicks (with the clicked URL) and spam reports', async () => {
    await send(mailTo(['e+click@example.com', 'f+spamreport@example.com']))
    await batchAfter(1_000)
    // delivered at 0.5 s: opened at 30.5 s, clicked and reported at 60.5 s; each batch closes 1 s after its first event
    const open = await batchAfter(31_000)
    expect(open.events.map((e) => `${e.email}:${e.event}`)).toEqual(['e+click@example.com:open'])
    const rest = await batchAfter(30_000)
    expect(rest.events.map((e) => `${e.email}:${e.event}`)).toEqual([
      'e+click@example.com:click',
      'f+spamreport@example.com:spamreport',
    ])
    expect(rest.events[0]).toMatchObject({
      url: 'https://app.example.com/go',
      url_offset: { index: 0, type: 'html' },
    })
  })

  it('a bad-signature rule produces a batch the SDK rejects', async () => {
    sims.core.webhooks.addRule({ match: { provider: 'sendgrid' }, effect: { type: 'bad-signature' } })
    await send(mailTo(['g@example.com']))
    const { received } = await batchAfter(1_000)
    expect(verify(await publicKey(), received)).toBe(false)
  })

  it('retries a failed batch on the rolling schedule', async () => {
    receiver.status = 500
    await send(mailTo(['h@example.com']))
    const first = await batchAfter(1_000)
    receiver.status = 200
    expect(
      await sims.core.webhooks.waitFor({ provider: 'sendgrid', account, status: 'retrying' }, 2_000),
    ).toBeDefined()
    const retry = receiver.next()
    sims.core.clock.advance(RETRY_SCHEDULE[0])
    const second = await retry
    expect(second.body).toBe(first.received.body)
    const delivery = await sims.core.webhooks.waitFor(
      { provider: 'sendgrid', account, status: 'delivered' },
      2_000,
    )
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 200])
  })

  it('posts a batch at once when it reaches 768 KB, without waiting for the window', async () => {
    // runtime(name) is untyped by provider; this one is SendGrid's.
    const ctx = sims.runtime('sendgrid').context(account) as unknown as ProviderContext<SendgridState>
    const next = receiver.next()
    const filler = 'x'.repeat(1000)
    for (let i = 0; i < 800 && ctx.state.outbox.length === i; i++)
      enqueueEvent(ctx, {
        email: `bulk${i}@example.com`,
        timestamp: 1,
        event: 'processed',
        sg_event_id: `e${i}`,
        sg_message_id: 'm',
        'smtp-id': '<m>',
        filler,
      })
    const received = await next
    const events = JSON.parse(received.body) as unknown[]
    expect(events.length).toBeGreaterThan(600)
    expect(events.length).toBeLessThan(800)
    // Posted with the event that reached the size: the batch without it was under.
    expect(Buffer.byteLength(received.body)).toBeGreaterThanOrEqual(768 * 1024)
    expect(Buffer.byteLength(serializeEvents(events.slice(0, -1)))).toBeLessThan(768 * 1024)
    expect(verify(await publicKey(), received)).toBe(true)
  })

  it("an endpoint for every account ('*') signs each account's batches with that account's key", async () => {
    sims.core.webhooks.reset('sendgrid', { endpoints: true })
    sims.core.webhooks.addEndpoint({
      provider: 'sendgrid',
      account: '*',
      url: receiver.url,
      source: 'config',
    })
    await send(mailTo(['any@example.com']))
    const { received } = await batchAfter(1_000)
    expect(verify(await publicKey(), received)).toBe(true)
    expect(verify(accountPublicKey('*'), received)).toBe(false)
  })

  it('POST /v3/user/webhooks/event/test posts a signed sample to a URL', async () => {
    const next = receiver.next()
    const res = await fetch(`${sims.url('sendgrid')}/v3/user/webhooks/event/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url }),
    })
    expect(res.status).toBe(204)
    const received = await next
    expect(JSON.parse(received.body)[0].event).toBe('processed')
    expect(verify(await publicKey(), received)).toBe(true)
  })

  it('webhooks made through the settings API get only their flagged events, unsigned until signing is enabled', async () => {
    sims.core.webhooks.reset('sendgrid', { endpoints: true })
    const api = (method: string, path: string, payload?: unknown) =>
      fetch(`${sims.url('sendgrid')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      })
    const created = await api('POST', '/v3/user/webhooks/event/settings', {
      url: receiver.url,
      delivered: true,
      bounce: true,
      friendly_name: 'ops',
    })
    expect(created.status).toBe(201)
    const hook = (await created.json()) as {
      id: string
      delivered: boolean
      processed: boolean
      enabled: boolean
      public_key?: string
    }
    expect(hook).toMatchObject({ delivered: true, processed: false, enabled: true, friendly_name: 'ops' })
    expect(hook.public_key).toBeUndefined()
    expect((await api('POST', '/v3/user/webhooks/event/settings', { url: 'not a url' })).status).toBe(400)

    await send(mailTo(['i@example.com', 'j+bounce@example.com']))
    const unsigned = await batchAfter(1_000)
    expect(unsigned.events.map((e) => `${e.email}:${e.event}`)).toEqual([
      'i@example.com:delivered',
      'j+bounce@example.com:bounce',
    ])
    expect(unsigned.received.headers[SIGNATURE_HEADER]).toBeUndefined()

    const enabled = await api('PATCH', `/v3/user/webhooks/event/settings/signed/${hook.id}`, {
      enabled: true,
    })
    const { public_key } = (await enabled.json()) as { public_key: string }
    expect(public_key).not.toBe(accountPublicKey(account))
    expect(
      (
        (await (await api('GET', `/v3/user/webhooks/event/settings/signed/${hook.id}`)).json()) as {
          public_key: string
        }
      ).public_key,
    ).toBe(public_key)
    // Without an id, the oldest webhook's key.
    expect(await publicKey()).toBe(public_key)

    await send(mailTo(['k@example.com']))
    const signed = await batchAfter(1_000)
    expect(signed.events.map((e) => e.event)).toEqual(['delivered'])
    expect(verify(public_key, signed.received)).toBe(true)

    const all = (await (await api('GET', '/v3/user/webhooks/event/settings/all')).json()) as {
      webhooks: { id: string; public_key?: string }[]
    }
    expect(all.webhooks).toEqual([expect.objectContaining({ id: hook.id, public_key })])
    const patched = await api('PATCH', `/v3/user/webhooks/event/settings/${hook.id}`, { processed: true })
    expect(((await patched.json()) as { processed: boolean }).processed).toBe(true)
    expect(((await (await api('GET', '/v3/user/webhooks/event/settings')).json()) as { id: string }).id).toBe(
      hook.id,
    )
    expect((await api('DELETE', `/v3/user/webhooks/event/settings/${hook.id}`)).status).toBe(204)
    expect((await api('GET', `/v3/user/webhooks/event/settings/${hook.id}`)).status).toBe(404)
  })
})
