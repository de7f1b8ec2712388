import { expect, test } from '@playwright/test'
import type { Hub } from '../hub.ts'
import {
  control,
  createPaymentIntent,
  screenshots,
  sendEmail,
  sendSms,
  startReceiver,
  startTestHub,
  WIDE,
} from './support.ts'

/** Each panel of the dashboard in real Chromium, against a real hub, with live updates over server-sent events. */
let hub: Hub
test.beforeAll(async () => {
  hub = await startTestHub()
})
test.afterAll(async () => {
  await hub.close()
})
test.beforeEach(async ({ page }) => {
  await control(hub, '/reset', { body: {} })
  await page.setViewportSize(WIDE)
})

test('inbox: SMS and email per recipient, the email rendered sandboxed, its link clickable, new mail live', async ({
  page,
  context,
}, testInfo) => {
  expect((await sendSms(hub, '+14155550101', 'Your code is 482913')).status).toBe(201)
  const verify = `${hub.url}/_standin/health?verify=t-42`
  expect(
    (
      await sendEmail(
        hub,
        'qa@example.com',
        'Verify your email',
        `<h1 style="color:#3538cd">Welcome</h1><p id="static">static text</p><script>document.getElementById('static').textContent = 'script ran'</script><a href="${verify}">Verify my email</a>`,
        `Welcome. Verify: ${verify}`,
      )
    ).status,
  ).toBe(202)

  await page.goto(`${hub.url}/#inbox`)
  const recipients = page.getByRole('listbox', { name: 'Recipients' })
  await expect(recipients.getByRole('option')).toHaveCount(2)
  await recipients.getByRole('option', { name: /qa@example\.com/ }).click()

  const frame = page.locator('iframe.email')
  await expect(frame).toHaveAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox')
  const email = page.frameLocator('iframe.email')
  await expect(email.getByRole('heading', { name: 'Welcome' })).toBeVisible()
  // The email's own script never runs: no allow-scripts in the sandbox, and the page's CSP.
  await expect(email.locator('#static')).toHaveText('static text')

  const popup = context.waitForEvent('page')
  await email.getByRole('link', { name: 'Verify my email' }).click()
  const opened = await popup
  await expect.poll(() => opened.url()).toBe(verify)
  await opened.close()
  await expect(page.getByRole('link', { name: verify })).toHaveAttribute('target', '_blank')

  await recipients.getByRole('option', { name: /\+14155550101/ }).click()
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText('Your code is 482913')

  // Live: a new message shows up without a reload.
  expect((await sendSms(hub, '+14155550199', 'Your code is 771100')).status).toBe(201)
  await expect(recipients.getByRole('option')).toHaveCount(3)
  await expect(recipients.getByRole('option', { name: /\+14155550199/ })).toBeVisible()
  await screenshots(page, testInfo, 'inbox')
})

test('webhook deliveries: every attempt on a timeline with headers, status, latency and the tampering rule; redeliver', async ({
  page,
}, testInfo) => {
  const receiver = await startReceiver([200])
  try {
    await control(hub, '/webhooks/endpoints', { body: { provider: 'stripe', url: receiver.url } })
    const rule = await control<{ id: string }>(hub, '/webhooks/rules', {
      body: { name: 'forge', match: { provider: 'stripe' }, effect: { type: 'bad-signature' }, times: 1 },
    })
    await page.goto(`${hub.url}/#webhooks`)
    await expect(page.getByText('No webhook deliveries yet.')).toBeVisible()

    await control(hub, '/webhooks/events', {
      body: {
        provider: 'stripe',
        event: 'payment_intent.succeeded',
        payload: {
          id: 'evt_dash_1',
          object: 'event',
          type: 'payment_intent.succeeded',
          data: { object: {} },
        },
      },
    })
    const card = page.locator('article.delivery', { hasText: 'evt_dash_1' })
    await expect(card.locator('.badge').first()).toHaveText('delivered')
    await card.getByText('1 attempt').click()
    const first = card.locator('li[data-attempt="1"]')
    await expect(first).toContainText('HTTP 200')
    await expect(first).toContainText(/\d+ ms/)
    await expect(first.locator('.tampering')).toHaveText(
      `tampered by: bad-signature (rule ${rule.id} "forge")`,
    )
    await first.getByText('Request headers').click()
    await expect(first.getByRole('rowheader', { name: 'stripe-signature' })).toBeVisible()

    await card.getByRole('button', { name: 'Redeliver' }).click()
    const second = card.locator('li[data-attempt="2"]')
    await expect(second).toContainText('manual')
    await expect(second).toContainText('HTTP 200')
    expect(receiver.received).toHaveLength(2)
    await screenshots(page, testInfo, 'webhooks')

    const filters = page.getByRole('search', { name: 'Delivery filters' })
    await filters.getByLabel('Status').selectOption('failed')
    await expect(page.getByText('No delivery matches.')).toBeVisible()
    await filters.getByLabel('Status').selectOption('delivered')
    await filters.getByLabel('Event type').fill('payment_intent.*')
    await expect(card).toBeVisible()
    await filters.getByLabel('Event type').fill('charge.*')
    await expect(card).toHaveCount(0)
  } finally {
    await receiver.close()
  }
})

test('webhook deliveries: a failing endpoint shows each failed attempt and the next one scheduled', async ({
  page,
}) => {
  const receiver = await startReceiver([500, 500, 200])
  try {
    await control(hub, '/webhooks/endpoints', { body: { provider: 'stripe', url: receiver.url } })
    await page.goto(`${hub.url}/#webhooks`)
    await control(hub, '/webhooks/events', {
      body: {
        provider: 'stripe',
        event: 'charge.refunded',
        payload: { id: 'evt_dash_2', type: 'charge.refunded' },
      },
    })
    const card = page.locator('article.delivery', { hasText: 'evt_dash_2' })
    await expect(card.locator('.badge').first()).toHaveText('retrying')
    await expect(card.getByRole('button', { name: 'Redeliver' })).toBeDisabled()
    await card.getByText(/1 attempt · next at/).click()
    await expect(card.locator('li[data-attempt="1"]')).toContainText('HTTP 500')
    await expect(card.locator('li[data-attempt="1"]')).toHaveClass('failed')
  } finally {
    await receiver.close()
  }
})

test('journal: filters by provider, operation, status, account and text; shows request and response bodies', async ({
  page,
}, testInfo) => {
  await sendSms(hub, '+14155550123', 'hello from the journal test')
  expect(
    (
      await createPaymentIntent(hub, 'sk_test_journalA', {
        amount: '1200',
        currency: 'usd',
        'metadata[order]': 'o_dash_81',
      })
    ).status,
  ).toBe(200)
  expect((await createPaymentIntent(hub, 'sk_test_journalB', { currency: 'usd' })).status).toBe(400)

  await page.goto(`${hub.url}/#journal`)
  const rows = page.getByRole('table', { name: 'Requests' }).locator('tbody tr')
  await expect(rows).toHaveCount(3)
  const filters = page.getByRole('search', { name: 'Journal filters' })

  await filters.getByLabel('Provider').selectOption('stripe')
  await expect(rows).toHaveCount(2)
  await filters.getByLabel('Operation').selectOption('payment_intents.create')
  await expect(rows).toHaveCount(2)
  await filters.getByLabel('Status').fill('400')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('400')
  await filters.getByLabel('Status').fill('')
  await expect(rows).toHaveCount(2)
  await filters.getByLabel('Text in body').fill('o_dash_81')
  await expect(rows).toHaveCount(1)

  await rows.first().click()
  const detail = page.getByRole('region', { name: /^Request \d+$/ })
  await expect(detail.locator('.request-body')).toContainText('o_dash_81')
  await expect(detail.locator('.response-body')).toContainText('"object": "payment_intent"')

  await filters.getByRole('button', { name: 'Clear' }).click()
  await expect(rows).toHaveCount(3)
  const account = await page.evaluate(async () => {
    const answer = await fetch('/_standin/journal?provider=stripe&status=400').then((r) => r.json())
    return answer.entries[0].account as string
  })
  await filters.getByLabel('Account').fill(account)
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('400')

  // Live: a new request matching the filters appears on its own.
  await createPaymentIntent(hub, 'sk_test_journalB', { currency: 'eur' })
  await expect(rows).toHaveCount(2)
  await screenshots(page, testInfo, 'journal')
})

test('fault rules: added from the catalogue form, seen and fired counted live, removed', async ({
  page,
}, testInfo) => {
  await page.goto(`${hub.url}/#faults`)
  const form = page.getByRole('form', { name: 'Add a fault rule' })
  await form.getByLabel('Provider').selectOption('stripe')
  await form.getByLabel('Operation').selectOption('payment_intents.create')
  await form.getByLabel('Effect').selectOption('provider-error')
  await form.getByLabel('Error').selectOption('insufficient_funds')
  await form.getByLabel('Times').fill('1')
  await form.getByLabel('Name').fill('declined once')
  await form.getByRole('button', { name: 'Add rule' }).click()
  await expect(form.getByRole('status')).toContainText('Added')

  const rule = page
    .getByRole('table', { name: 'Fault rules' })
    .locator('tbody tr', { hasText: 'declined once' })
  await expect(rule.locator('.seen')).toHaveText('0')
  await expect(rule.locator('.fired')).toHaveText('0')
  await expect(rule).toContainText('live')

  expect((await createPaymentIntent(hub, 'sk_test_faults', { amount: '500', currency: 'usd' })).status).toBe(
    402,
  )
  await expect(rule.locator('.seen')).toHaveText('1')
  await expect(rule.locator('.fired')).toHaveText('1')
  await expect(rule).toContainText('exhausted')
  expect((await createPaymentIntent(hub, 'sk_test_faults', { amount: '500', currency: 'usd' })).status).toBe(
    200,
  )
  await expect(rule.locator('.seen')).toHaveText('2')
  await screenshots(page, testInfo, 'faults')

  await rule.getByRole('button', { name: 'Remove' }).click()
  await expect(rule).toHaveCount(0)
  expect((await control<{ rules: unknown[] }>(hub, '/faults')).rules).toHaveLength(0)
})

test('fault rules: a rule the control plane refuses is explained next to the form, which keeps its input', async ({
  page,
}) => {
  await page.goto(`${hub.url}/#faults`)
  const form = page.getByRole('form', { name: 'Add a fault rule' })
  await form.getByLabel('Provider').selectOption('twilio')
  await form.getByLabel('Effect').selectOption('status')
  await form.getByLabel('Status', { exact: true }).fill('999')
  await form.getByRole('button', { name: 'Add rule' }).click()
  await expect(form.getByRole('alert')).toContainText('effect')
  await expect(form.getByRole('alert')).toContainText('HTTP 400')
  await expect(form.getByLabel('Status', { exact: true })).toHaveValue('999')
  expect((await control<{ rules: unknown[] }>(hub, '/faults')).rules).toHaveLength(0)
})

test('presets: applied with their variables, their rules listed', async ({ page }, testInfo) => {
  await page.goto(`${hub.url}/#faults`)
  const preset = page.getByRole('form', { name: 'Apply preset slow-provider' })
  await preset.getByLabel(/provider/).fill('twilio')
  await preset.getByRole('button', { name: 'Apply' }).click()
  await expect(page.locator('article.preset[data-name="slow-provider"]').getByRole('status')).toHaveText(
    'Applied slow-provider: 1 fault rule(s), 0 webhook rule(s).',
  )
  await expect(
    page.getByRole('table', { name: 'Fault rules' }).locator('tbody tr', { hasText: 'long tail' }),
  ).toBeVisible()
  const rules = (await control<{ rules: { match: { provider?: string } }[] }>(hub, '/faults')).rules
  expect(rules.map((r) => r.match.provider)).toEqual(['twilio'])

  const unknown = page.getByRole('form', { name: 'Apply preset slow-provider' })
  await unknown.getByLabel(/provider/).fill('nosuchprovider')
  await unknown.getByRole('button', { name: 'Apply' }).click()
  await expect(page.locator('article.preset[data-name="slow-provider"]').getByRole('alert')).toContainText(
    "unknown provider 'nosuchprovider'",
  )
  await screenshots(page, testInfo, 'presets')
})

test('clock: advance and scale from the header; the time shown follows the hub', async ({
  page,
}, testInfo) => {
  await control(hub, '/clock/scale', { body: { scale: 0 } })
  await control(hub, '/clock/set', { body: { time: '2030-01-01T00:00:00Z' } })
  await page.goto(`${hub.url}/#inbox`)
  const clock = page.getByRole('region', { name: 'Virtual clock' })
  await expect(clock.getByLabel('Virtual time')).toHaveText('2030-01-01 00:00:00')
  await expect(clock).toContainText('×0 (frozen)')

  await clock.getByLabel('Advance by', { exact: true }).fill('2h')
  await clock.getByRole('button', { name: 'Advance' }).click()
  await expect(clock.getByLabel('Virtual time')).toHaveText('2030-01-01 02:00:00')
  expect((await control<{ now: string }>(hub, '/clock')).now).toBe('2030-01-01T02:00:00.000Z')

  await clock.getByLabel('Time scale', { exact: true }).fill('3600')
  await clock.getByRole('button', { name: 'Set scale' }).click()
  await expect(clock).toContainText('×3600')
  expect((await control<{ scale: number }>(hub, '/clock')).scale).toBe(3600)
  // At an hour per second the time shown moves on its own, with no request per tick.
  await expect(clock.getByLabel('Virtual time')).not.toHaveText(/^2030-01-01 02:00/)

  // A change made elsewhere (the CLI, a journey) reaches the page over the live feed.
  await control(hub, '/clock/scale', { body: { scale: 0 } })
  await expect(clock).toContainText('×0 (frozen)')

  await clock.getByLabel('Advance by', { exact: true }).fill('soon')
  await clock.getByRole('button', { name: 'Advance' }).click()
  await expect(clock.getByRole('alert')).toContainText('by')
  await screenshots(page, testInfo, 'clock')
})
