/**
 * What the dashboard's browser tests share: a hub on free ports, the
 * providers' own wire calls that fill the inbox and the journal, a webhook
 * receiver, and screenshots at 1280×800 and on a narrow window.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, type Page, type TestInfo } from '@playwright/test'
import { type Hub, startHub } from '../hub.ts'
import { allProviders } from '../providers.ts'

export async function startTestHub(options: Record<string, unknown> = {}): Promise<Hub> {
  return startHub({
    log: 'silent',
    port: 0,
    seed: 7,
    ports: Object.fromEntries(allProviders.map((p) => [p.name, 0])),
    ...options,
  })
}

/** A control-plane call from the test itself (arrange and check), not through the page. */
export async function control<T = unknown>(
  hub: Hub,
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const response = await fetch(`${hub.url}/_standin${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const TWILIO_ACCOUNT = `AC${'5'.repeat(32)}`
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

export function sendSms(hub: Hub, to: string, body: string) {
  return fetch(`${hub.providerUrls.twilio}/2010-04-01/Accounts/${TWILIO_ACCOUNT}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: basic(TWILIO_ACCOUNT, 'token'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ To: to, From: '+15005550006', Body: body }),
  })
}

export function sendEmail(hub: Hub, to: string, subject: string, html: string, text: string) {
  return fetch(`${hub.providerUrls.sendgrid}/v3/mail/send`, {
    method: 'POST',
    headers: { authorization: 'Bearer SG.dashboard.secret', 'content-type': 'application/json' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: to }] }],
      from: { email: 'no-reply@app.example' },
      subject,
      content: [
        { type: 'text/plain', value: text },
        { type: 'text/html', value: html },
      ],
    }),
  })
}

/** A Stripe PaymentIntent create, as the app under test would send it. */
export function createPaymentIntent(hub: Hub, key: string, fields: Record<string, string>) {
  return fetch(`${hub.providerUrls.stripe}/v1/payment_intents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  })
}

/** A webhook receiver answering each request with the next status of `statuses` (the last one repeats). */
export async function startReceiver(statuses: number[]): Promise<{
  url: string
  received: { headers: IncomingHttpHeaders; body: string }[]
  close(): Promise<void>
}> {
  const received: { headers: IncomingHttpHeaders; body: string }[] = []
  const server: Server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on('end', () => {
      received.push({ headers: request.headers, body })
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ received: true }))
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    received,
    close: () => new Promise((done) => server.close(() => done())),
  }
}

export const WIDE = { width: 1280, height: 800 }
export const NARROW = { width: 390, height: 844 }

/**
 * Screenshots kept in the report, wide and narrow; on the narrow window the
 * page must not scroll sideways (tables scroll inside their own box).
 */
export async function screenshots(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.setViewportSize(WIDE)
  await testInfo.attach(`${name} 1280x800`, { body: await page.screenshot(), contentType: 'image/png' })
  await page.setViewportSize(NARROW)
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
    .toBeLessThanOrEqual(0)
  await testInfo.attach(`${name} 390x844`, {
    body: await page.screenshot({ fullPage: true }),
    contentType: 'image/png',
  })
  await page.setViewportSize(WIDE)
}
