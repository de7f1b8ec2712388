import { expect } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { toss } from './index.ts'

/**
 * A plain client for the suite, written the way Toss's docs and samples call the
 * API: fetch, `Authorization: Basic base64(secretKey + ':')`, JSON bodies.
 */
export const SECRET_KEY = 'test_sk_vitestShop01'
export const CLIENT_KEY = 'test_ck_vitestShop01'
export const ACCOUNT = 'test_vitestShop01'
export const APP = 'http://127.0.0.1:9/app'

export function basic(secretKey = SECRET_KEY): string {
  return `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`
}

export interface Answer {
  status: number
  headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: tests read Toss's JSON freely
  body: any
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; key?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key !== null) headers.Authorization ??= basic(options.key ?? SECRET_KEY)
  let body: string | undefined
  if (options.raw !== undefined) body = options.raw
  else if (options.body !== undefined) body = JSON.stringify(options.body)
  if (body !== undefined) headers['Content-Type'] ??= 'application/json'
  const response = await fetch(`${base}${path}`, { method, headers, body })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed }
}

let sequence = 0
/** A fresh valid orderId (6–64 of A–Z a–z 0–9 - _). */
export function orderId(tag = 'order'): string {
  sequence += 1
  return `${tag}-${Date.now().toString(36)}-${sequence}`
}

export interface WindowParams {
  amount?: number
  orderId?: string
  orderName?: string
  method?: string
  clientKey?: string
  successUrl?: string
  failUrl?: string
  [extra: string]: string | number | undefined
}

/** Opens the payment window as a browser would (GET, follow the 303) and returns the checkout path. */
export async function openWindow(
  base: string,
  params: WindowParams = {},
): Promise<{ checkout: string; orderId: string; amount: number }> {
  const order = params.orderId ?? orderId()
  const amount = params.amount ?? 15000
  const query = new URLSearchParams()
  const all: Record<string, string | number | undefined> = {
    clientKey: CLIENT_KEY,
    method: 'CARD',
    orderName: '토스 티셔츠 외 2건',
    successUrl: `${APP}/success`,
    failUrl: `${APP}/fail`,
    ...params,
    orderId: order,
    amount,
  }
  // v2 SDK shape when a currency is named: amount[value]=…&amount[currency]=…
  const { currency, ...flat } = all
  if (currency !== undefined) {
    const { amount: value, ...rest } = flat
    Object.assign(rest, { 'amount[value]': value, 'amount[currency]': currency })
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) query.set(k, String(v))
  } else for (const [k, v] of Object.entries(flat)) if (v !== undefined) query.set(k, String(v))
  const response = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
  expect(response.status, await response.clone().text()).toBe(303)
  return { checkout: response.headers.get('location')!, orderId: order, amount }
}

/** Submits the checkout form; returns where the browser is sent (successUrl or failUrl with Toss's query). */
export async function submitWindow(
  base: string,
  checkout: string,
  form: Record<string, string>,
): Promise<URL> {
  const response = await fetch(`${base}${checkout}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  })
  expect(response.status, await response.clone().text()).toBe(303)
  return new URL(response.headers.get('location')!)
}

/** Window → pay → the successUrl's parameters, ready for confirm. */
export async function authenticated(
  base: string,
  params: WindowParams = {},
  form: Record<string, string> = {},
): Promise<{ paymentKey: string; orderId: string; amount: number }> {
  const opened = await openWindow(base, params)
  const to = await submitWindow(base, opened.checkout, { action: 'pay', ...form })
  expect(to.pathname).toBe('/app/success')
  return {
    paymentKey: to.searchParams.get('paymentKey')!,
    orderId: to.searchParams.get('orderId')!,
    amount: Number(to.searchParams.get('amount')),
  }
}

export async function confirmed(
  base: string,
  params: WindowParams = {},
  form: Record<string, string> = {},
  secretKey = SECRET_KEY,
) {
  const auth = await authenticated(base, params, form)
  const answer = await call(base, 'POST', '/v1/payments/confirm', { body: auth, key: secretKey })
  expect(answer.status, JSON.stringify(answer.body)).toBe(200)
  return answer.body
}

export function start(): Promise<RunningProviders> {
  return startProviders([toss])
}

/** The keys of one fresh merchant, so a test's webhook endpoints see only its own events. */
export function shop(name: string): { clientKey: string; secretKey: string; account: string } {
  return { clientKey: `test_ck_${name}`, secretKey: `test_sk_${name}`, account: `test_${name}` }
}
