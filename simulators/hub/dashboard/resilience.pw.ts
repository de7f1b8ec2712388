import { expect, test } from '@playwright/test'
import type { Hub } from '../hub.ts'
import { control, screenshots, sendSms, startTestHub, WIDE } from './support.ts'

/**
 * The dashboard under trouble: a control-plane call that fails leaves its
 * panel showing the error in place (with a retry) and everything else working;
 * a hub with a control token asks for it, and then works, live feed included.
 */
test.describe('a failing control-plane call', () => {
  let hub: Hub
  test.beforeAll(async () => {
    hub = await startTestHub()
  })
  test.afterAll(async () => {
    await hub.close()
  })

  test('the journal answering 500 shows the error in its panel; the inbox, the clock and the live feed go on', async ({
    page,
  }, testInfo) => {
    await page.setViewportSize(WIDE)
    expect((await sendSms(hub, '+14155550301', 'Your code is 120934')).status).toBe(201)
    let failing = true
    await page.route('**/_standin/journal?**', (route) =>
      failing
        ? route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({
              error: { code: 'STANDIN_INTERNAL', message: 'Internal error: disk on fire' },
            }),
          })
        : route.fallback(),
    )
    await page.goto(`${hub.url}/#journal`)
    const journal = page.getByRole('region', { name: 'Request journal' })
    await expect(journal.getByRole('alert')).toHaveText(
      'Failed to load the journal: Internal error: disk on fire (HTTP 500).Retry',
    )
    // The rest of the journal panel is still there: its filters can be used.
    await expect(
      journal.getByRole('search', { name: 'Journal filters' }).getByLabel('Provider'),
    ).toBeEnabled()
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('live')
    await screenshots(page, testInfo, 'journal failing')

    // Other panels work, and keep updating live while the journal fails.
    await page.getByRole('link', { name: 'Inbox' }).click()
    const recipients = page.getByRole('listbox', { name: 'Recipients' })
    await expect(recipients.getByRole('option', { name: /\+14155550301/ })).toBeVisible()
    expect((await sendSms(hub, '+14155550302', 'Your code is 550012')).status).toBe(201)
    await expect(recipients.getByRole('option', { name: /\+14155550302/ })).toBeVisible()
    const clock = page.getByRole('region', { name: 'Virtual clock' })
    await clock.getByLabel('Advance by', { exact: true }).fill('1h')
    await clock.getByRole('button', { name: 'Advance' }).click()
    await expect(clock.getByRole('alert')).toHaveCount(0)

    // The hub recovers: Retry brings the journal back.
    await page.getByRole('link', { name: 'Journal' }).click()
    await expect(journal.getByRole('alert')).toContainText('disk on fire')
    failing = false
    await journal.getByRole('button', { name: 'Retry' }).click()
    await expect(journal.getByRole('alert')).toHaveCount(0)
    await expect(journal.getByRole('table', { name: 'Requests' }).locator('tbody tr')).toHaveCount(2)
  })

  test('the catalogue, presets and fault list failing at load leave each panel with its own error; nothing goes blank', async ({
    page,
  }) => {
    await page.route('**/_standin/providers', (route) => route.abort('connectionreset'))
    await page.route('**/_standin/presets', (route) => route.fulfill({ status: 503, body: 'upstream down' }))
    await page.route('**/_standin/faults', (route) =>
      route.request().method() === 'GET' ? route.fulfill({ status: 500, body: '{}' }) : route.fallback(),
    )
    await page.goto(`${hub.url}/#faults`)
    const faults = page.getByRole('region', { name: 'Fault rules and presets' })
    await expect(faults.getByRole('alert').first()).toContainText('Failed to load fault rules: HTTP 500')
    await expect(faults.getByRole('alert').nth(1)).toContainText(
      'Failed to load presets: HTTP 503: upstream down',
    )
    await expect(faults.getByRole('form', { name: 'Add a fault rule' })).toBeVisible()
    await expect(page.getByRole('region', { name: 'Virtual clock' }).getByLabel('Virtual time')).toHaveText(
      /^\d{4}-/,
    )

    await page.unroute('**/_standin/faults')
    await faults.getByRole('alert').first().getByRole('button', { name: 'Retry' }).click()
    await expect(faults.getByRole('table', { name: 'Fault rules' })).toContainText('No fault rules.')
  })

  test('a change made while the live feed is still connecting is shown once the feed is up', async ({
    page,
  }) => {
    // The feed's connection is held open until released, as a slow proxy or a busy hub would hold it.
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let feedAsked!: () => void
    const asked = new Promise<void>((resolve) => (feedAsked = resolve))
    await page.route('**/_standin/events', async (route) => {
      feedAsked()
      await released
      await route.continue()
    })
    // An inbox list asked for before the feed is up (the bug) is let finish before the change is made.
    const lists: Promise<unknown>[] = []
    page.on('request', (request) => {
      if (request.url().includes('/_standin/messages')) lists.push(request.response())
    })
    await page.goto(`${hub.url}/#inbox`)
    await asked
    await Promise.all(lists)
    expect((await sendSms(hub, '+14155550377', 'sent while the feed was connecting')).status).toBe(201)
    await expect
      .poll(async () => JSON.stringify(await control(hub, '/messages?to=%2B14155550377')))
      .toContain('sent while the feed was connecting')
    release()
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('live')
    await expect(
      page.getByRole('listbox', { name: 'Recipients' }).getByRole('option', { name: /\+14155550377/ }),
    ).toBeVisible()
  })

  test('the live feed refused (HTTP 500) shows "reconnecting", is retried, and the page comes back live', async ({
    page,
  }) => {
    let refusals = 0
    await page.route('**/_standin/events', (route) => {
      refusals++
      return route.fulfill({ status: 500, body: 'no' })
    })
    await page.goto(`${hub.url}/#inbox`)
    const live = page.getByRole('status', { name: 'Live updates' })
    await expect(live).toHaveText('reconnecting…')
    // Panels loaded anyway: the feed only announces changes.
    await expect(page.getByRole('listbox', { name: 'Recipients' })).toBeVisible()
    await expect.poll(() => refusals).toBeGreaterThanOrEqual(2)
    expect((await sendSms(hub, '+14155550399', 'sent while the feed was down')).status).toBe(201)
    await page.unroute('**/_standin/events')
    await expect(live).toHaveText('live', { timeout: 20_000 })
    // What changed while it was down is fetched on reconnection.
    await expect(
      page.getByRole('listbox', { name: 'Recipients' }).getByRole('option', { name: /\+14155550399/ }),
    ).toBeVisible()
  })
})

test.describe('a hub with a control token', () => {
  const token = 'dashboard-token-5f1c'
  let hub: Hub
  test.beforeAll(async () => {
    hub = await startTestHub({ controlToken: token })
  })
  test.afterAll(async () => {
    await hub.close()
  })

  test('asks for the token, refuses a wrong one, and works with the right one (live feed too)', async ({
    page,
  }, testInfo) => {
    await control(hub, '/faults', {
      token,
      body: {
        name: 'behind the token',
        match: { provider: 'twilio' },
        effect: { type: 'status', status: 503 },
      },
    })
    await page.setViewportSize(WIDE)
    await page.goto(`${hub.url}/#faults`)
    const form = page.getByRole('form', { name: 'Control token' })
    await expect(form).toBeVisible()
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('locked')
    await screenshots(page, testInfo, 'token form')

    await form.getByLabel('Token').fill('not-the-token')
    await form.getByRole('button', { name: 'Unlock' }).click()
    await expect(form.getByRole('alert')).toHaveText('That is not this hub’s token.')

    await form.getByLabel('Token').fill(token)
    await form.getByRole('button', { name: 'Unlock' }).click()
    await expect(form).toBeHidden()
    const rules = page.getByRole('table', { name: 'Fault rules' })
    await expect(rules).toContainText('behind the token')
    await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('live')
    // The cookie is HttpOnly: the page's scripts cannot read the token.
    expect(await page.evaluate(() => document.cookie)).not.toContain(token)

    // Live over the cookie: a rule added elsewhere appears.
    await control(hub, '/faults', {
      token,
      body: { name: 'added from CI', match: { provider: 'stripe' }, effect: { type: 'status', status: 500 } },
    })
    await expect(rules).toContainText('added from CI')
  })
})
