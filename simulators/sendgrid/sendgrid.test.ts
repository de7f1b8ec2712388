import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { extractLinks } from '../core/messages.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { BODY_LIMIT, sendgrid } from './index.ts'
import type { SendgridState } from './models.ts'

let sims: RunningProviders
let base: string
let n = 0
/** Each test its own account (key id), so state never leaks between tests. */
const newKey = () => `SG.acct${++n}.secret`

beforeAll(async () => {
  sims = await startProviders([sendgrid], { timeScale: 0 })
  base = sims.url('sendgrid')
})
afterAll(() => sims.close())
afterEach(() => sims.core.faults.clear())

function call(
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; raw?: string; type?: string } = {},
) {
  const headers: Record<string, string> = {}
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? 'SG.default.secret'}`
  if (options.body !== undefined || options.raw !== undefined)
    headers['content-type'] = options.type ?? 'application/json'
  return fetch(base + path, {
    method,
    headers,
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  })
}

const mail = (overrides: Record<string, unknown> = {}) => ({
  personalizations: [{ to: [{ email: 'alice@example.com', name: 'Alice' }] }],
  from: { email: 'noreply@example.com', name: 'Example' },
  subject: 'Verify your email',
  content: [
    { type: 'text/plain', value: 'Open https://app.example.com/verify?token=abc to verify.' },
    { type: 'text/html', value: '<p>Open <a href="https://app.example.com/verify?token=abc">verify</a></p>' },
  ],
  ...overrides,
})

/** Moves the frozen clock in steps, so timers scheduled by timers fire too. */
function advance(ms: number, step = 250) {
  for (let t = 0; t < ms; t += step) sims.core.clock.advance(step)
}

const state = (key: string) => sims.runtime('sendgrid').store.get(key.split('.')[1]!) as SendgridState

describe('auth', () => {
  it('answers 401 authorization required without a header', async () => {
    const res = await call('POST', '/v3/mail/send', { key: null, body: mail() })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({
      errors: [{ message: 'authorization required', field: null, help: null }],
    })
  })

  it('answers 401 for a key that is not an SG. key or is revoked', async () => {
    for (const key of ['sk_live_123', 'SG.revoked1.x']) {
      const res = await call('GET', '/v3/templates?page_size=10', { key })
      expect(res.status).toBe(401)
      expect((await res.json()).errors[0].message).toBe(
        'The provided authorization grant is invalid, expired, or revoked',
      )
    }
  })

  it('answers 403 access forbidden on Mail Send for a key without the scope', async () => {
    const res = await call('POST', '/v3/mail/send', { key: 'SG.nomail1.x', body: mail() })
    expect(res.status).toBe(403)
    expect((await res.json()).errors[0]).toEqual({ message: 'access forbidden', field: null, help: null })
  })

  it('answers 403 for an unverified sender identity, field from', async () => {
    const res = await call('POST', '/v3/mail/send', {
      key: newKey(),
      body: mail({ from: { email: 'unverified@example.com' } }),
    })
    expect(res.status).toBe(403)
    const error = (await res.json()).errors[0]
    expect(error.field).toBe('from')
    expect(error.message).toMatch(/^The from address does not match a verified Sender Identity\./)
  })
})

describe('POST /v3/mail/send', () => {
  it('accepts with 202, an empty body and X-Message-Id, and delivers into the inbox', async () => {
    const key = newKey()
    const res = await call('POST', '/v3/mail/send', { key, body: mail() })
    expect(res.status).toBe(202)
    expect(await res.text()).toBe('')
    const id = res.headers.get('x-message-id')!
    expect(id).toMatch(/^[A-Za-z0-9]{22}$/)
    expect(res.headers.get('x-ratelimit-limit')).toBe('600')
    expect(sims.core.inbox.list({ to: 'alice@example.com', account: key.split('.')[1] })).toHaveLength(0)
    advance(500)
    const message = sims.core.inbox.latest({ to: 'alice@example.com', account: key.split('.')[1] })!
    expect(message).toMatchObject({
      channel: 'email',
      from: 'noreply@example.com',
      subject: 'Verify your email',
      provider: 'sendgrid',
    })
    expect(message.meta.xMessageId).toBe(id)
    expect(extractLinks(message)).toEqual(['https://app.example.com/verify?token=abc'])
  })

  it('gives every recipient (to, cc, bcc) its own copy', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const body = mail({
      personalizations: [
        {
          to: [{ email: 'to@example.com' }],
          cc: [{ email: 'cc@example.com' }],
          bcc: [{ email: 'bcc@example.com' }],
        },
      ],
    })
    expect((await call('POST', '/v3/mail/send', { key, body })).status).toBe(202)
    advance(500)
    for (const to of ['to@example.com', 'cc@example.com', 'bcc@example.com'])
      expect(sims.core.inbox.list({ to, account })).toHaveLength(1)
  })

  it('renders per-personalization subject and substitutions', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const body = mail({
      subject: undefined,
      personalizations: [
        { to: [{ email: 'p1@example.com' }], subject: 'Hi -name-', substitutions: { '-name-': 'Ann' } },
        { to: [{ email: 'p2@example.com' }], subject: 'Hi -name-', substitutions: { '-name-': 'Bob' } },
      ],
      content: [{ type: 'text/plain', value: 'Hello -name-' }],
    })
    expect((await call('POST', '/v3/mail/send', { key, body })).status).toBe(202)
    advance(500)
    expect(sims.core.inbox.latest({ to: 'p1@example.com', account })).toMatchObject({
      subject: 'Hi Ann',
      text: 'Hello Ann',
    })
    expect(sims.core.inbox.latest({ to: 'p2@example.com', account })).toMatchObject({
      subject: 'Hi Bob',
      text: 'Hello Bob',
    })
  })

  it('sandbox mode validates, answers 200 and sends nothing', async () => {
    const key = newKey()
    const res = await call('POST', '/v3/mail/send', {
      key,
      body: mail({ mail_settings: { sandbox_mode: { enable: true } } }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-message-id')).toBeNull()
    advance(2000)
    expect(sims.core.inbox.list({ account: key.split('.')[1] })).toHaveLength(0)
    const bad = await call('POST', '/v3/mail/send', {
      key,
      body: mail({ mail_settings: { sandbox_mode: { enable: 'true' } } }),
    })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors).toEqual([
      {
        message: 'The sandbox mode enable param should be a boolean value.',
        field: 'mail_settings.sandbox_mode.enable',
        help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.mail_settings.sandbox_mode.enable',
      },
    ])
  })

  it('holds a send_at mail until its time', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const sendAt = sims.core.clock.unix() + 3600
    expect((await call('POST', '/v3/mail/send', { key, body: mail({ send_at: sendAt }) })).status).toBe(202)
    advance(1000)
    expect(sims.core.inbox.list({ account })).toHaveLength(0)
    sims.core.clock.advance(3600_000)
    advance(1000)
    expect(sims.core.inbox.list({ account })).toHaveLength(1)
  })
})

describe('Mail Send validation', () => {
  const errorsOf = async (body: unknown) => {
    const res = await call('POST', '/v3/mail/send', { key: newKey(), body })
    expect(res.status).toBe(400)
    return (await res.json()).errors as { message: string; field: string | null; help: string | null }[]
  }

  it('reports every problem at once, with fields and help links', async () => {
    const errors = await errorsOf({
      personalizations: [{ to: [{ email: 'not-an-address' }] }],
      from: {},
      content: [],
    })
    expect(errors.map((e) => e.field)).toEqual([
      'personalizations.0.to.0.email',
      'from.email',
      'subject',
      'content',
    ])
    expect(errors[0]!.message).toBe('Does not contain a valid address.')
    expect(
      errors.every((e) =>
        e.help?.startsWith('http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#'),
      ),
    ).toBe(true)
  })

  it('requires personalizations', async () => {
    expect((await errorsOf(mail({ personalizations: [] })))[0]).toMatchObject({
      field: 'personalizations',
      message: 'The personalizations field is required and must have at least one personalization.',
    })
  })

  it('refuses duplicate recipients in one personalization', async () => {
    const errors = await errorsOf(
      mail({ personalizations: [{ to: [{ email: 'a@example.com' }], bcc: [{ email: 'A@example.com' }] }] }),
    )
    expect(errors[0]).toMatchObject({
      field: 'personalizations.0',
      message:
        'Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [A@example.com] in the personalizations.0.bcc field.',
    })
  })

  it('checks content: empty values and text/plain before text/html', async () => {
    const errors = await errorsOf(
      mail({
        content: [
          { type: 'text/html', value: '<b>x</b>' },
          { type: 'text/plain', value: '' },
        ],
      }),
    )
    expect(errors.map((e) => e.field)).toEqual(['content.1.value', 'content'])
    expect(errors[0]!.message).toBe('The content value must be a string at least one character in length.')
    expect(errors[1]!.message).toMatch(/^Following RFC 1341, section 7.2/)
  })

  it('checks attachments, categories, custom_args and send_at', async () => {
    const errors = await errorsOf(
      mail({
        attachments: [{ content: 'not base64!', filename: 'a.txt', disposition: 'sideways' }],
        categories: Array.from({ length: 11 }, (_, i) => `c${i}`),
        custom_args: { order: 42 },
        send_at: sims.core.clock.unix() + 73 * 3600,
      }),
    )
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['attachments.0.content', 'The attachment content must be base64 encoded.'],
      [
        'attachments.0.disposition',
        'The disposition of your attachment can be either "inline" or "attachment". You provided sideways.',
      ],
      [
        'categories',
        'There is a limit of 10 categories for each email that is sent. You provided 11 categories.',
      ],
      ['custom_args', 'All values of custom arguments object must be strings'],
      ['send_at', 'Scheduling more than 72 hours in advance is forbidden.'],
    ])
  })

  it('limits personalizations to 1000 and recipients to 1000 in total', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ to: [{ email: `r${i}@example.com` }] }))
    expect((await errorsOf(mail({ personalizations: many })))[0]!.message).toMatch(
      /^The personalization block is limited to 1000 personalizations per API request. You have provided 1001 personalizations\./,
    )
    const wide = [{ to: Array.from({ length: 1001 }, (_, i) => ({ email: `w${i}@example.com` })) }]
    expect(await errorsOf(mail({ personalizations: wide }))).toEqual([
      expect.objectContaining({
        field: 'personalizations',
        message: 'There is a limit of 1000 total recipients (to + cc + bcc) per request.',
      }),
    ])
  })

  it('checks from, reply_to and non-string header values', async () => {
    const errors = await errorsOf(
      mail({ from: { email: 'nope' }, reply_to: { email: 'x' }, headers: { 'X-Count': 1 } }),
    )
    expect(errors.map((e) => [e.field, e.message])).toEqual([
      ['from.email', 'The from email does not contain a valid address.'],
      ['reply_to.email', 'The reply_to email does not contain a valid address.'],
      ['headers', 'The header values must be strings.'],
    ])
  })

  it('refuses an unknown or malformed template_id', async () => {
    expect((await errorsOf(mail({ template_id: 'nope' })))[0]).toMatchObject({
      field: 'template_id',
      message: "The template_id must be a valid GUID, you provided 'nope'.",
    })
    const unknown = `d-${'0'.repeat(32)}`
    expect((await errorsOf(mail({ template_id: unknown })))[0]).toMatchObject({
      field: 'template_id',
      message: `The Template ID must be a valid template id for your account. You provided ${unknown}.`,
    })
  })

  it('refuses substitutions with a dynamic template', async () => {
    const body = mail({
      template_id: `d-${'a'.repeat(32)}`,
      personalizations: [{ to: [{ email: 'a@example.com' }], substitutions: { x: 'y' } }],
    })
    expect((await errorsOf(body))[0]).toMatchObject({
      field: 'personalizations.0.substitutions',
      message: 'Substitutions may not be used with dynamic templating',
    })
  })
})

describe('bad input keeps the simulator serving', () => {
  it('answers malformed JSON with 400 Bad Request', async () => {
    const res = await call('POST', '/v3/mail/send', { key: newKey(), raw: '{"personalizations": [' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ errors: [{ message: 'Bad Request', field: null, help: null }] })
  })

  it('checks the API key before the body: a bad key with a broken body is a 401', async () => {
    const res = await call('POST', '/v3/mail/send', { key: 'not-a-key', raw: '{"personalizations": [' })
    expect(res.status).toBe(401)
  })

  it('answers a JSON body that is not an object with 400 Bad Request', async () => {
    const res = await call('POST', '/v3/mail/send', { key: newKey(), raw: '[1,2,3]' })
    expect(res.status).toBe(400)
    expect((await res.json()).errors[0].message).toBe('Bad Request')
  })

  it('answers a form body with 415', async () => {
    const res = await call('POST', '/v3/mail/send', {
      key: newKey(),
      raw: 'to=a@example.com',
      type: 'application/x-www-form-urlencoded',
    })
    expect(res.status).toBe(415)
    expect((await res.json()).errors[0].message).toBe('Content-Type should be application/json.')
  })

  it('answers a body over 30 MB with 413, then keeps serving', async () => {
    const huge = JSON.stringify(
      mail({ attachments: [{ content: 'A'.repeat(BODY_LIMIT), filename: 'big.bin' }] }),
    )
    const res = await call('POST', '/v3/mail/send', { key: newKey(), raw: huge })
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ errors: [{ message: 'content too large', field: null, help: null }] })
    const after = await call('POST', '/v3/mail/send', { key: newKey(), body: mail() })
    expect(after.status).toBe(202)
  })

  it('answers unknown paths with 404 and wrong methods with 405, in the v3 envelope', async () => {
    const missing = await call('GET', '/v3/nothing-here')
    expect(missing.status).toBe(404)
    expect((await missing.json()).errors[0]).toEqual({
      message: 'resource not found',
      field: null,
      help: null,
    })
    const wrong = await call('GET', '/v3/mail/send')
    expect(wrong.status).toBe(405)
  })
})

describe('rate limits', () => {
  it('counts per endpoint per minute and answers 429 with X-RateLimit headers', async () => {
    const key = newKey()
    await call('GET', '/v3/suppression/bounces', { key })
    state(key).rateLimitPerMinute = 3
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 3; i++) {
      last = await call('GET', '/v3/suppression/bounces', { key })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([200, 200, 429])
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(last!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(sims.core.clock.unix())
    expect(await last!.json()).toEqual({
      errors: [{ message: 'too many requests', field: null, help: null }],
    })
    // Another endpoint has its own budget; the next minute restores this one.
    expect((await call('GET', '/v3/suppression/blocks', { key })).status).toBe(200)
    sims.core.clock.advance(60_000)
    expect((await call('GET', '/v3/suppression/bounces', { key })).status).toBe(200)
  })

  it('a provider-error fault rule yields the catalogue 429', async () => {
    sims.core.faults.add({
      match: { provider: 'sendgrid', operation: 'mail.send' },
      effect: { type: 'provider-error', error: 'too_many_requests' },
    })
    const res = await call('POST', '/v3/mail/send', { key: newKey(), body: mail() })
    expect(res.status).toBe(429)
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0')
  })
})

describe('suppressions', () => {
  it('a bounced address lands on the bounces list and later sends to it are dropped', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const to = 'carol+bounce@example.com'
    await call('POST', '/v3/mail/send', { key, body: mail({ personalizations: [{ to: [{ email: to }] }] }) })
    advance(500)
    expect(sims.core.inbox.list({ to, account })).toHaveLength(0)
    const list = await (await call('GET', '/v3/suppression/bounces', { key })).json()
    expect(list).toEqual([expect.objectContaining({ email: to, status: '5.1.1' })])
    const one = await (await call('GET', `/v3/suppression/bounces/${encodeURIComponent(to)}`, { key })).json()
    expect(one).toHaveLength(1)
    expect((await call('DELETE', `/v3/suppression/bounces/${encodeURIComponent(to)}`, { key })).status).toBe(
      204,
    )
    expect(await (await call('GET', '/v3/suppression/bounces', { key })).json()).toEqual([])
  })

  it('a blocked address lands on the blocks list, not the bounces list', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const to = 'dave+block@example.com'
    await call('POST', '/v3/mail/send', { key, body: mail({ personalizations: [{ to: [{ email: to }] }] }) })
    advance(500)
    expect(sims.core.inbox.list({ to, account })).toHaveLength(0)
    const blocks = await (await call('GET', '/v3/suppression/blocks', { key })).json()
    expect(blocks).toEqual([
      expect.objectContaining({
        email: to,
        status: '5.7.1',
        reason: '554 5.7.1 Service unavailable; Client host blocked',
      }),
    ])
    expect(await (await call('GET', '/v3/suppression/bounces', { key })).json()).toEqual([])
  })

  it('global unsubscribes are honoured (202, no delivery) unless bypassed', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const to = 'dave@example.com'
    const created = await call('POST', '/v3/asm/suppressions/global', {
      key,
      body: { recipient_emails: [to] },
    })
    expect(created.status).toBe(201)
    expect(await (await call('GET', `/v3/asm/suppressions/global/${to}`, { key })).json()).toEqual({
      recipient_email: to,
    })
    const res = await call('POST', '/v3/mail/send', {
      key,
      body: mail({ personalizations: [{ to: [{ email: to }] }] }),
    })
    expect(res.status).toBe(202)
    advance(500)
    expect(sims.core.inbox.list({ to, account })).toHaveLength(0)
    await call('POST', '/v3/mail/send', {
      key,
      body: mail({
        personalizations: [{ to: [{ email: to }] }],
        mail_settings: { bypass_unsubscribe_management: { enable: true } },
      }),
    })
    advance(500)
    expect(sims.core.inbox.list({ to, account })).toHaveLength(1)
    const unsubscribes = await (await call('GET', '/v3/suppression/unsubscribes', { key })).json()
    expect(unsubscribes).toEqual([{ created: expect.any(Number), email: to }])
  })

  it('deletes many with a body, and validates it', async () => {
    const key = newKey()
    for (const email of ['x+bounce@example.com', 'y+bounce@example.com'])
      await call('POST', '/v3/mail/send', { key, body: mail({ personalizations: [{ to: [{ email }] }] }) })
    advance(500)
    expect(await (await call('GET', '/v3/suppression/bounces?limit=1', { key })).json()).toHaveLength(1)
    expect(
      (await call('DELETE', '/v3/suppression/bounces', { key, body: { emails: ['x+bounce@example.com'] } }))
        .status,
    ).toBe(204)
    expect(await (await call('GET', '/v3/suppression/bounces', { key })).json()).toHaveLength(1)
    expect(
      (await call('DELETE', '/v3/suppression/bounces', { key, body: { delete_all: true } })).status,
    ).toBe(204)
    expect(await (await call('GET', '/v3/suppression/bounces', { key })).json()).toEqual([])
    expect((await call('DELETE', '/v3/suppression/bounces', { key, body: { emails: 'nope' } })).status).toBe(
      400,
    )
  })
})

describe('unsubscribe groups', () => {
  it('manages groups and honours group unsubscribes on sends that name the group', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const created = await call('POST', '/v3/asm/groups', {
      key,
      body: { name: 'Newsletters', description: 'weekly', is_default: true },
    })
    expect(created.status).toBe(201)
    const group = (await created.json()) as { id: number; name: string; is_default: boolean }
    expect(group).toMatchObject({ name: 'Newsletters', is_default: true })
    expect((await call('POST', '/v3/asm/groups', { key, body: { name: 'Newsletters' } })).status).toBe(400)

    const left = 'left@example.com'
    expect(
      (
        await call('POST', `/v3/asm/groups/${group.id}/suppressions`, {
          key,
          body: { recipient_emails: [left] },
        })
      ).status,
    ).toBe(201)
    expect(await (await call('GET', `/v3/asm/groups/${group.id}/suppressions`, { key })).json()).toEqual([
      left,
    ])
    expect(
      await (
        await call('POST', `/v3/asm/groups/${group.id}/suppressions/search`, {
          key,
          body: { recipient_emails: [left, 'other@example.com'] },
        })
      ).json(),
    ).toEqual([left])
    expect(await (await call('GET', `/v3/asm/suppressions/${left}`, { key })).json()).toEqual({
      suppressions: [
        { id: group.id, name: 'Newsletters', description: 'weekly', is_default: true, suppressed: true },
      ],
    })

    const send = (extra: Record<string, unknown>) =>
      call('POST', '/v3/mail/send', {
        key,
        body: mail({
          personalizations: [{ to: [{ email: left }, { email: 'stay@example.com' }] }],
          ...extra,
        }),
      })
    expect(
      (
        await send({
          asm: { group_id: group.id },
          mail_settings: { bypass_unsubscribe_management: { enable: true } },
        })
      ).status,
    ).toBe(202)
    advance(500)
    expect(sims.core.inbox.list({ to: left, account })).toHaveLength(0)
    expect(sims.core.inbox.list({ to: 'stay@example.com', account })).toHaveLength(1)
    // A send without the group is not affected by it.
    await send({})
    advance(500)
    expect(sims.core.inbox.list({ to: left, account })).toHaveLength(1)

    const bad = await send({ asm: { group_id: 99 } })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors[0]).toMatchObject({
      field: 'asm.group_id',
      message: 'The ASM group ID must be a valid Group ID on your account. You provided 99.',
    })

    expect((await call('DELETE', `/v3/asm/groups/${group.id}/suppressions/${left}`, { key })).status).toBe(
      204,
    )
    const listed = (await (await call('GET', '/v3/asm/groups', { key })).json()) as { unsubscribes: number }[]
    expect(listed).toEqual([expect.objectContaining({ id: group.id, unsubscribes: 0 })])
    expect(
      (await call('PATCH', `/v3/asm/groups/${group.id}`, { key, body: { name: 'Weekly' } })).status,
    ).toBe(201)
    expect((await call('DELETE', `/v3/asm/groups/${group.id}`, { key })).status).toBe(204)
    expect((await call('GET', `/v3/asm/groups/${group.id}`, { key })).status).toBe(404)
  })

  it("a +groupunsubscribe recipient leaves the send's group", async () => {
    const key = newKey()
    const group = (await (
      await call('POST', '/v3/asm/groups', { key, body: { name: 'Promos' } })
    ).json()) as { id: number }
    const to = 'gina+groupunsubscribe@example.com'
    await call('POST', '/v3/mail/send', {
      key,
      body: mail({ personalizations: [{ to: [{ email: to }] }], asm: { group_id: group.id } }),
    })
    advance(500)
    sims.core.clock.advance(60_000)
    expect(await (await call('GET', `/v3/asm/groups/${group.id}/suppressions`, { key })).json()).toEqual([to])
    expect(state(key).outbox.map((e) => [e.event, e.asm_group_id])).toContainEqual([
      'group_unsubscribe',
      group.id,
    ])
    expect(await (await call('GET', '/v3/suppression/unsubscribes', { key })).json()).toEqual([])
  })
})

describe('scheduled sends', () => {
  it('a cancelled batch is discarded at send time; a paused one waits for the pause to go', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const batch = async () =>
      ((await (await call('POST', '/v3/mail/batch', { key })).json()) as { batch_id: string }).batch_id
    const cancelled = await batch()
    const paused = await batch()
    expect(await (await call('GET', `/v3/mail/batch/${paused}`, { key })).json()).toEqual({
      batch_id: paused,
    })
    const sendAt = sims.core.clock.unix() + 600
    for (const [batch_id, to] of [
      [cancelled, 'cancel@example.com'],
      [paused, 'pause@example.com'],
    ])
      expect(
        (
          await call('POST', '/v3/mail/send', {
            key,
            body: mail({ personalizations: [{ to: [{ email: to }] }], send_at: sendAt, batch_id }),
          })
        ).status,
      ).toBe(202)
    expect(
      (
        await call('POST', '/v3/user/scheduled_sends', {
          key,
          body: { batch_id: cancelled, status: 'cancel' },
        })
      ).status,
    ).toBe(201)
    expect(
      (await call('POST', '/v3/user/scheduled_sends', { key, body: { batch_id: paused, status: 'pause' } }))
        .status,
    ).toBe(201)
    expect(
      (await call('POST', '/v3/user/scheduled_sends', { key, body: { batch_id: paused, status: 'cancel' } }))
        .status,
    ).toBe(400)
    expect(await (await call('GET', '/v3/user/scheduled_sends', { key })).json()).toEqual([
      { batch_id: cancelled, status: 'cancel' },
      { batch_id: paused, status: 'pause' },
    ])

    sims.core.clock.advance(600_000)
    advance(1000)
    expect(sims.core.inbox.list({ account })).toHaveLength(0)
    expect((await call('DELETE', `/v3/user/scheduled_sends/${paused}`, { key })).status).toBe(204)
    advance(1000)
    expect(sims.core.inbox.list({ account }).map((m) => m.to)).toEqual(['pause@example.com'])
    expect((await call('DELETE', `/v3/user/scheduled_sends/${paused}`, { key })).status).toBe(404)
  })
})

describe('templates', () => {
  it('creates a dynamic template and version, and renders it with Handlebars into the inbox', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const created = await call('POST', '/v3/templates', {
      key,
      body: { name: 'verify', generation: 'dynamic' },
    })
    expect(created.status).toBe(201)
    const template = await created.json()
    expect(template).toMatchObject({ name: 'verify', generation: 'dynamic', versions: [] })
    expect(template.id).toMatch(/^d-[0-9a-f]{32}$/)
    const version = await call('POST', `/v3/templates/${template.id}/versions`, {
      key,
      body: {
        name: 'v1',
        subject: 'Welcome {{name}}',
        html_content:
          '<p>Hi {{name}} &amp; {{{raw}}}</p>{{#if link}}<a href="{{link}}">Verify</a>{{/if}}{{#equals plan "pro"}}PRO{{/equals}}',
      },
    })
    expect(version.status).toBe(201)
    expect(await version.json()).toMatchObject({
      active: 1,
      template_id: template.id,
      generate_plain_content: true,
    })
    const res = await call('POST', '/v3/mail/send', {
      key,
      body: {
        from: { email: 'noreply@example.com' },
        template_id: template.id,
        personalizations: [
          {
            to: [{ email: 'erin@example.com' }],
            dynamic_template_data: {
              name: '<Erin>',
              raw: '<i>ok</i>',
              link: 'https://app.example.com/v?t=1&u=2',
              plan: 'pro',
            },
          },
        ],
      },
    })
    expect(res.status).toBe(202)
    advance(500)
    const message = sims.core.inbox.latest({ to: 'erin@example.com', account })!
    expect(message.subject).toBe('Welcome <Erin>')
    expect(message.html).toBe(
      '<p>Hi &lt;Erin&gt; &amp; <i>ok</i></p><a href="https://app.example.com/v?t=1&amp;u=2">Verify</a>PRO',
    )
    expect(message.text).toContain('Hi <Erin>')
    expect(message.meta.templateId).toBe(template.id)
  })

  it('lists with page_size, gets, updates, activates and deletes', async () => {
    const key = newKey()
    const t = await (await call('POST', '/v3/templates', { key, body: { name: 'legacy one' } })).json()
    expect(t.generation).toBe('legacy')
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/)
    const v1 = await (
      await call('POST', `/v3/templates/${t.id}/versions`, {
        key,
        body: { name: 'v1', subject: '<%subject%>', html_content: '<div><%body%></div>' },
      })
    ).json()
    const v2 = await (
      await call('POST', `/v3/templates/${t.id}/versions`, {
        key,
        body: { name: 'v2', subject: 's', html_content: 'x' },
      })
    ).json()
    expect(v2.active).toBe(0)
    const activated = await (
      await call('POST', `/v3/templates/${t.id}/versions/${v2.id}/activate`, { key })
    ).json()
    expect(activated.active).toBe(1)
    expect(
      (await (await call('GET', `/v3/templates/${t.id}/versions/${v1.id}`, { key })).json()).active,
    ).toBe(0)
    const listed = await (
      await call('GET', '/v3/templates?generations=legacy,dynamic&page_size=10', { key })
    ).json()
    expect(listed.result.map((x: { id: string }) => x.id)).toEqual([t.id])
    expect(listed._metadata.count).toBe(1)
    expect((await call('GET', '/v3/templates', { key })).status).toBe(400)
    expect(
      (await (await call('PATCH', `/v3/templates/${t.id}`, { key, body: { name: 'renamed' } })).json()).name,
    ).toBe('renamed')
    expect((await call('DELETE', `/v3/templates/${t.id}`, { key })).status).toBe(204)
    expect((await call('GET', `/v3/templates/${t.id}`, { key })).status).toBe(404)
  })

  it('refuses a send whose template cannot render (unknown helper) without crashing', async () => {
    const key = newKey()
    const t = await (
      await call('POST', '/v3/templates', { key, body: { name: 'helper', generation: 'dynamic' } })
    ).json()
    await call('POST', `/v3/templates/${t.id}/versions`, {
      key,
      body: { name: 'v1', subject: 's', html_content: '{{shout name}}' },
    })
    const res = await call('POST', '/v3/mail/send', {
      key,
      body: {
        from: { email: 'noreply@example.com' },
        template_id: t.id,
        personalizations: [{ to: [{ email: 'h@example.com' }], dynamic_template_data: { name: 'x' } }],
      },
    })
    expect(res.status).toBe(400)
    expect((await res.json()).errors[0]).toMatchObject({
      field: 'personalizations.0.dynamic_template_data',
      message: expect.stringContaining('shout'),
    })
  })

  it('wraps content in a legacy template', async () => {
    const key = newKey()
    const account = key.split('.')[1]!
    const t = await (await call('POST', '/v3/templates', { key, body: { name: 'shell' } })).json()
    await call('POST', `/v3/templates/${t.id}/versions`, {
      key,
      body: { name: 'v1', subject: '[App] <%subject%>', html_content: '<div class="shell"><%body%></div>' },
    })
    await call('POST', '/v3/mail/send', {
      key,
      body: mail({ template_id: t.id, personalizations: [{ to: [{ email: 'f@example.com' }] }] }),
    })
    advance(500)
    const message = sims.core.inbox.latest({ to: 'f@example.com', account })!
    expect(message.subject).toBe('[App] Verify your email')
    expect(message.html).toMatch(/^<div class="shell"><p>Open/)
  })

  it('refuses a version whose Handlebars does not parse, and a version without a subject', async () => {
    const key = newKey()
    const t = await (
      await call('POST', '/v3/templates', { key, body: { name: 'broken', generation: 'dynamic' } })
    ).json()
    const broken = await call('POST', `/v3/templates/${t.id}/versions`, {
      key,
      body: { name: 'v1', subject: 's', html_content: '{{#if x}}no end' },
    })
    expect(broken.status).toBe(400)
    expect((await broken.json()).errors[0].field).toBe('html_content')
    const noSubject = await call('POST', `/v3/templates/${t.id}/versions`, { key, body: { name: 'v1' } })
    expect(noSubject.status).toBe(400)
    expect((await noSubject.json()).errors[0]).toMatchObject({
      field: 'subject',
      message: 'subject is required',
    })
  })
})

describe('accounts', () => {
  it('partitions state by API key id', async () => {
    const a = newKey()
    const b = newKey()
    await call('POST', '/v3/templates', { key: a, body: { name: 'mine' } })
    const listed = await (await call('GET', '/v3/templates?page_size=10', { key: b })).json()
    expect(listed.result).toEqual([])
  })
})

describe('triggers', () => {
  it('mail.send delivers through the pipeline; events.flush posts the open batch', async () => {
    const runtime = sims.runtime('sendgrid')
    const result = (await runtime.trigger('mail.send', 'triggered', {
      to: 'trig@example.com',
      text: 'code 123456',
    })) as { x_message_id: string }
    expect(result.x_message_id).toMatch(/^[A-Za-z0-9]{22}$/)
    advance(500)
    expect(sims.core.inbox.latest({ to: 'trig@example.com', account: 'triggered' })?.text).toBe('code 123456')
    expect(state('SG.triggered.x').outbox.map((e) => e.event)).toEqual(['processed', 'delivered'])
    expect(await runtime.trigger('events.flush', 'triggered', {})).toEqual({ flushed: 2 })
    expect(state('SG.triggered.x').outbox).toEqual([])
    await expect(runtime.trigger('mail.send', 'triggered', { to: 'nope' })).rejects.toThrow(
      /personalizations.0.to.0.email/,
    )
  })
})
