import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { standinHandlers } from '../core/transports/msw.ts'
import { toss } from './index.ts'

/**
 * The msw transport: code that calls https://api.tosspayments.com itself, with no
 * base URL to change, is answered in-process by the same simulator.
 */
const API = 'https://api.tosspayments.com'
const { handlers, core } = standinHandlers({ providers: [toss], baseUrls: { toss: API } })
const server = setupServer(...handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => {
  server.close()
  core.clock.clearTimers()
})

const encryptedSecretKey = `Basic ${Buffer.from('test_sk_mswShop:').toString('base64')}`

it('confirms against the real host name, in-process', async () => {
  const query = new URLSearchParams({
    clientKey: 'test_ck_mswShop',
    method: 'CARD',
    amount: '15000',
    orderId: 'msw-order-0001',
    orderName: 'msw',
    successUrl: 'https://shop.example/success',
    failUrl: 'https://shop.example/fail',
  })
  const opened = await fetch(`${API}/v1/payment-window?${query}`, { redirect: 'manual' })
  expect(opened.status).toBe(303)
  const submitted = await fetch(`${API}${opened.headers.get('location')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'action=pay',
    redirect: 'manual',
  })
  const to = new URL(submitted.headers.get('location')!)
  expect(to.origin).toBe('https://shop.example')
  const response = await fetch(`${API}/v1/payments/confirm`, {
    method: 'POST',
    headers: { Authorization: encryptedSecretKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      paymentKey: to.searchParams.get('paymentKey'),
      orderId: to.searchParams.get('orderId'),
      amount: to.searchParams.get('amount'),
    }),
  })
  expect(response.status).toBe(200)
  const payment = (await response.json()) as { status: string; checkout: { url: string } }
  expect(payment.status).toBe('DONE')
  expect(payment.checkout.url.startsWith(`${API}/v1/payments/`)).toBe(true)
})

it('answers an unknown key with 401 UNAUTHORIZED_KEY, as over HTTP', async () => {
  const response = await fetch(`${API}/v1/payments/x`, { headers: { Authorization: 'Basic bm9wZTo=' } })
  expect(response.status).toBe(401)
  expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED_KEY' })
})
