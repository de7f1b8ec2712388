import clientPkg from '@sendgrid/client'
import { EventWebhook } from '@sendgrid/eventwebhook'
import mailPkg from '@sendgrid/mail'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractLinks } from '../core/messages.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { sendgrid } from './index.ts'
import { startReceiver } from './test-receiver.ts'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhooks.ts'

/**
 * The official SDKs, unchanged but for the base URL (set after setApiKey,
 * which resets it; see sdk-clients.md).
 */
// The packages also export their classes at runtime (index.js), which their typings leave out; fresh instances keep tests apart.
const { Client } = clientPkg as unknown as { Client: new () => typeof clientPkg }
const { MailService } = mailPkg as unknown as { MailService: new () => typeof mailPkg }

let sims: RunningProviders
let receiver: Awaited<ReturnType<typeof startReceiver>>
const account = 'sdkacct'
const apiKey = `SG.${account}.c2VjcmV0`

function client(key = apiKey) {
  const c = new Client()
  c.setApiKey(key)
  c.setDefaultRequest('baseUrl', sims.url('sendgrid'))
  // axios honours HTTP(S)_PROXY; the simulator is local. `proxy` is an axios option the typings do not list.
  c.setDefaultRequest({ proxy: false } as never)
  return c
}

/** A mail service of its own (not the package singleton) on a client pointed at the simulator. */
function mailer(key = apiKey) {
  const sgMail = new MailService()
  sgMail.setClient(client(key))
  return sgMail
}

type SdkError = { code: number; response: { body: { errors: { field: string; message: string }[] } } }

/** The SDK's ResponseError from a call that must reject. */
async function rejection(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call
  } catch (error) {
    return error as SdkError
  }
  throw new Error('expected the SDK call to reject')
}

beforeAll(async () => {
  sims = await startProviders([sendgrid])
  receiver = await startReceiver()
  sims.core.webhooks.addEndpoint({ provider: 'sendgrid', account, url: receiver.url, source: 'config' })
})
afterAll(async () => {
  await sims.close()
  await receiver.close()
})

describe('@sendgrid/mail', () => {
  it('sends; resolves with 202 and x-message-id; the email lands in the inbox with its link', async () => {
    const [response, body] = await mailer().send({
      to: 'sdk-user@example.com',
      from: { email: 'noreply@example.com', name: 'App' },
      subject: 'Confirm your account',
      text: 'Confirm: https://app.example.com/confirm?code=777',
      html: '<p><a href="https://app.example.com/confirm?code=777">Confirm</a></p>',
      customArgs: { userId: 'u1' },
      categories: ['signup'],
    })
    expect(response.statusCode).toBe(202)
    expect(body).toBe('')
    const xMessageId = response.headers['x-message-id']
    expect(xMessageId).toMatch(/^[A-Za-z0-9]{22}$/)
    const message = await sims.core.inbox.waitFor({ to: 'sdk-user@example.com', provider: 'sendgrid' }, 5_000)
    expect(message).toMatchObject({ subject: 'Confirm your account', from: 'noreply@example.com' })
    expect(extractLinks(message!)).toEqual(['https://app.example.com/confirm?code=777'])
    expect(message!.meta).toMatchObject({ xMessageId, customArgs: { userId: 'u1' }, categories: ['signup'] })
  })

  it('sends attachments, cc and reply-to; each recipient gets a copy', async () => {
    const [response] = await mailer().send({
      to: 'with-file@example.com',
      cc: 'copy@example.com',
      replyTo: 'support@example.com',
      from: 'noreply@example.com',
      subject: 'Your invoice',
      html: '<p>Attached.</p>',
      attachments: [
        {
          content: Buffer.from('%PDF-1.4 invoice').toString('base64'),
          filename: 'invoice.pdf',
          type: 'application/pdf',
          disposition: 'attachment',
        },
      ],
    })
    expect(response.statusCode).toBe(202)
    const message = await sims.core.inbox.waitFor({ to: 'with-file@example.com' }, 5_000)
    expect(message?.text).toBe('Attached.')
    expect(message?.meta).toMatchObject({
      replyTo: 'support@example.com',
      cc: ['copy@example.com'],
      attachments: [
        { filename: 'invoice.pdf', type: 'application/pdf', disposition: 'attachment', bytes: 16 },
      ],
    })
    expect(await sims.core.inbox.waitFor({ to: 'copy@example.com' }, 5_000)).toBeDefined()
  })

  it('rejects bad input with ResponseError carrying the v3 errors', async () => {
    const error = await rejection(
      mailer().send({ to: 'not an address', from: 'noreply@example.com', subject: 's', text: 't' }),
    )
    expect(error.code).toBe(400)
    expect(error.response.body.errors[0]).toMatchObject({
      field: 'personalizations.0.to.0.email',
      message: 'Does not contain a valid address.',
    })
  })

  it('works through the package singleton with the documented recipe (baseUrl after setApiKey)', async () => {
    mailPkg.setApiKey(apiKey)
    const internal = mailPkg as unknown as { client: typeof clientPkg }
    internal.client.setDefaultRequest('baseUrl', `${sims.url('sendgrid')}/`)
    const [response] = await mailPkg.send({
      to: 'singleton@example.com',
      from: 'noreply@example.com',
      subject: 's',
      text: 't',
    })
    expect(response.statusCode).toBe(202)
  })

  it('sandbox mode resolves with 200', async () => {
    const [response] = await mailer().send({
      to: 'sandbox@example.com',
      from: 'noreply@example.com',
      subject: 's',
      text: 't',
      mailSettings: { sandboxMode: { enable: true } },
    })
    expect(response.statusCode).toBe(200)
  })

  it('rejects a revoked key with 401', async () => {
    const error = await rejection(
      mailer('SG.revoked.x').send({ to: 'a@example.com', from: 'b@example.com', subject: 's', text: 't' }),
    )
    expect(error.code).toBe(401)
  })
})

describe('@sendgrid/client', () => {
  it('manages a dynamic template and @sendgrid/mail sends with it; the event batch verifies', async () => {
    const c = client()
    const [created, template] = await c.request({
      method: 'POST',
      url: '/v3/templates',
      body: { name: 'Reset password', generation: 'dynamic' },
    })
    expect(created.statusCode).toBe(201)
    const templateId = (template as { id: string }).id
    const [versionRes] = await c.request({
      method: 'POST',
      url: `/v3/templates/${templateId}/versions`,
      body: {
        name: 'v1',
        subject: 'Reset for {{first_name}}',
        html_content: '<p>Hello {{first_name}},</p><a href="{{reset_url}}">Reset</a>',
        active: 1,
      },
    })
    expect(versionRes.statusCode).toBe(201)
    const [listRes, list] = await c.request({
      method: 'GET',
      url: '/v3/templates',
      qs: { generations: 'dynamic', page_size: 10 },
    })
    expect(listRes.statusCode).toBe(200)
    expect((list as { result: { id: string }[] }).result.map((t) => t.id)).toContain(templateId)

    const [sent] = await mailer().send({
      to: 'reset-user@example.com',
      from: 'noreply@example.com',
      templateId,
      dynamicTemplateData: { first_name: 'Rosa', reset_url: 'https://app.example.com/reset?t=xyz' },
    })
    expect(sent.statusCode).toBe(202)
    const message = await sims.core.inbox.waitFor({ to: 'reset-user@example.com' }, 5_000)
    expect(message?.subject).toBe('Reset for Rosa')
    expect(extractLinks(message!)).toContain('https://app.example.com/reset?t=xyz')

    const [keyRes, keyBody] = await c.request({
      method: 'GET',
      url: '/v3/user/webhooks/event/settings/signed',
    })
    expect(keyRes.statusCode).toBe(200)
    const received = await receiver.waitForBody('reset-user@example.com')
    const ew = new EventWebhook()
    const publicKey = ew.convertPublicKeyToECDSA((keyBody as { public_key: string }).public_key)
    const signature = String(received.headers[SIGNATURE_HEADER])
    const timestamp = String(received.headers[TIMESTAMP_HEADER])
    expect(ew.verifySignature(publicKey, received.body, signature, timestamp)).toBe(true)
    expect(
      ew.verifySignature(publicKey, received.body.replace('reset-user', 'other-user'), signature, timestamp),
    ).toBe(false)
    expect(JSON.parse(received.body).map((e: { event: string }) => e.event)).toContain('processed')
  })

  it('manages suppressions', async () => {
    const c = client()
    const [res] = await c.request({
      method: 'POST',
      url: '/v3/asm/suppressions/global',
      body: { recipient_emails: ['gone@example.com'] },
    })
    expect(res.statusCode).toBe(201)
    const [, list] = await c.request({ method: 'GET', url: '/v3/suppression/unsubscribes' })
    expect(list).toEqual([{ created: expect.any(Number), email: 'gone@example.com' }])
    const [del] = await c.request({ method: 'DELETE', url: '/v3/asm/suppressions/global/gone@example.com' })
    expect(del.statusCode).toBe(204)
  })
})
