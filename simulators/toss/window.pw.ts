import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { toss } from './index.ts'

/**
 * The hosted payment window in a real browser, driven through a tiny merchant
 * app that does what a Toss integration does: open the window (in place of the
 * SDK's requestPayment), check the successUrl amount against its own order,
 * confirm server-side with the secret key, and show failUrl's code.
 */
const SECRET_KEY = 'test_sk_playwrightShop'
const CLIENT_KEY = 'test_ck_playwrightShop'

let sims: RunningProviders
let tossUrl: string
let app: Server
let appUrl: string
const orders = new Map<string, number>()

const widgetOrders = new Set<string>()
function auth(widget = false) {
  return `Basic ${Buffer.from(`${widget ? 'test_gsk_playwrightShop' : SECRET_KEY}:`).toString('base64')}`
}

function page(body: string) {
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>Shop</title></head><body>${body}</body></html>`
}

async function handle(url: URL): Promise<string> {
  if (url.pathname === '/order') {
    const orderId = `pw-${Date.now().toString(36)}-${orders.size + 1}`
    const amount = Number(url.searchParams.get('amount') ?? 15000)
    orders.set(orderId, amount)
    const params = new URLSearchParams({
      clientKey: CLIENT_KEY,
      amount: String(amount),
      orderId,
      orderName: '토스 티셔츠 외 2건',
      successUrl: `${appUrl}/success`,
      failUrl: `${appUrl}/fail`,
      customerName: '김토스',
    })
    const method = url.searchParams.get('method')
    if (method) params.set('method', method)
    // What tossPayments.payment({ customerKey }).requestPayment({...}) does, with standin's window.
    return page(`<h1>Order ${orderId}</h1>
<button type="button" onclick="location.href='${tossUrl}/v1/payment-window?${params}'">Buy now</button>`)
  }
  if (url.pathname === '/sdk-order') {
    // An app written against Toss's browser SDK, with only the script's origin changed.
    const orderId = `pw-sdk-${Date.now().toString(36)}-${orders.size + 1}`
    orders.set(orderId, 15000)
    const widget = url.searchParams.get('widget') === '1'
    if (widget) widgetOrders.add(orderId)
    const call = widget
      ? `const widgets = TossPayments('test_gck_playwrightShop').widgets({ customerKey: 'customer-pw-2' });
         await widgets.setAmount({ currency: 'KRW', value: 15000 });
         await widgets.renderPaymentMethods({ selector: '#payment-method' });
         await widgets.requestPayment({ orderId: '${orderId}', orderName: '위젯 주문', successUrl: '${appUrl}/success', failUrl: '${appUrl}/fail' });`
      : `const payment = TossPayments('${CLIENT_KEY}').payment({ customerKey: TossPayments.ANONYMOUS });
         await payment.requestPayment({ method: 'CARD', amount: { currency: 'KRW', value: 15000 }, orderId: '${orderId}',
           orderName: 'SDK 주문', successUrl: '${appUrl}/success', failUrl: '${appUrl}/fail', card: { flowMode: 'DEFAULT' } });`
    return page(`<h1>Order ${orderId}</h1><div id="payment-method"></div>
<script src="${tossUrl}/v2/standard"></script>
<button type="button" onclick="(async () => { ${call.replace(/\n\s*/g, ' ')} })()">Buy now</button>`)
  }
  if (url.pathname === '/success') {
    const orderId = url.searchParams.get('orderId')!
    const amount = Number(url.searchParams.get('amount'))
    if (orders.get(orderId) !== amount) return page('<p data-testid="result">AMOUNT_MISMATCH</p>')
    // A widget payment is confirmed with the widget secret key, as Toss's samples do.
    const response = await fetch(`${tossUrl}/v1/payments/confirm`, {
      method: 'POST',
      headers: { Authorization: auth(widgetOrders.has(orderId)), 'Content-Type': 'application/json' },
      body: JSON.stringify({ paymentKey: url.searchParams.get('paymentKey'), orderId, amount }),
    })
    const body = (await response.json()) as { status?: string; code?: string }
    return page(
      `<h1>${response.ok ? '결제 완료' : '결제 실패'}</h1><p data-testid="result">${body.status ?? body.code}</p>`,
    )
  }
  if (url.pathname === '/fail') {
    return page(`<h1>결제 실패</h1>
<p data-testid="result">${url.searchParams.get('code')}</p>
<p data-testid="message">${url.searchParams.get('message')}</p>
<p data-testid="order">${url.searchParams.get('orderId')}</p>`)
  }
  return page('not found')
}

async function status(orderId: string): Promise<string> {
  const response = await fetch(`${tossUrl}/v1/payments/orders/${orderId}`, {
    headers: { Authorization: auth() },
  })
  return ((await response.json()) as { status: string }).status
}

test.beforeAll(async () => {
  sims = await startProviders([toss])
  tossUrl = sims.url('toss')
  app = createServer((req, res) => {
    handle(new URL(req.url ?? '/', appUrl)).then(
      (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
      (error) => res.writeHead(500).end(String(error)),
    )
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
})

test.afterAll(async () => {
  app?.closeAllConnections()
  await new Promise((resolve) => app?.close(resolve))
  await sims?.close()
})

async function openWindow(page: import('@playwright/test').Page, query = 'method=CARD', path = '/order') {
  await page.goto(`${appUrl}${path}?${query}`)
  const orderId = (await page.getByRole('heading').textContent())!.replace('Order ', '')
  await page.getByRole('button', { name: 'Buy now' }).click()
  await expect(page.getByTestId('amount')).toBeVisible()
  return orderId
}

test('success: the customer pays, the app confirms, the payment is DONE', async ({ page }) => {
  const orderId = await openWindow(page)
  await expect(page.getByTestId('amount')).toHaveText('15,000원')
  await expect(page.getByTestId('order-name')).toHaveText('토스 티셔츠 외 2건')
  await page.getByLabel('Card number').fill('4330 1234 1234 1234')
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page).toHaveURL(/\/success\?paymentType=NORMAL&orderId=.+&paymentKey=.+&amount=15000$/)
  await expect(page.getByTestId('result')).toHaveText('DONE')
  expect(await status(orderId)).toBe('DONE')
})

test('user cancel: back to failUrl with PAY_PROCESS_CANCELED and the orderId; nothing changes', async ({
  page,
}) => {
  const orderId = await openWindow(page)
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(page).toHaveURL(/\/fail\?/)
  await expect(page.getByTestId('result')).toHaveText('PAY_PROCESS_CANCELED')
  await expect(page.getByTestId('message')).toHaveText('사용자에 의해 결제가 취소되었습니다.')
  await expect(page.getByTestId('order')).toHaveText(orderId)
  expect(await status(orderId)).toBe('READY')
})

test('card failure in the window: failUrl with REJECT_CARD_COMPANY; the payment is ABORTED', async ({
  page,
}) => {
  const orderId = await openWindow(page)
  await page.getByLabel('Card number').fill('4000000000000002')
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page).toHaveURL(/\/fail\?/)
  await expect(page.getByTestId('result')).toHaveText('REJECT_CARD_COMPANY')
  expect(await status(orderId)).toBe('ABORTED')
})

test('card refused at confirm: the app gets REJECT_CARD_PAYMENT', async ({ page }) => {
  const orderId = await openWindow(page)
  await page.getByLabel('Card number').fill('4000000000009995')
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page.getByTestId('result')).toHaveText('REJECT_CARD_PAYMENT')
  expect(await status(orderId)).toBe('ABORTED')
})

test('widget style: the customer picks a virtual account and a bank', async ({ page }) => {
  const orderId = await openWindow(page, 'amount=30000')
  await page.getByRole('radio', { name: 'Virtual account' }).check()
  await page.getByLabel('Bank').selectOption({ label: '우리' })
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page.getByTestId('result')).toHaveText('WAITING_FOR_DEPOSIT')
  expect(await status(orderId)).toBe('WAITING_FOR_DEPOSIT')
})

test('billing window: registering a card lands on successUrl with customerKey and authKey', async ({
  page,
}) => {
  const query = new URLSearchParams({
    clientKey: CLIENT_KEY,
    customerKey: 'customer-pw-1',
    successUrl: `${appUrl}/billing/success`,
    failUrl: `${appUrl}/fail`,
  })
  await page.goto(`${tossUrl}/v1/billing-window?${query}`)
  await page.getByLabel('Card number').fill('4330123412341234')
  await page.getByRole('button', { name: 'Register card' }).click()
  await expect(page).toHaveURL(/\/billing\/success\?customerKey=customer-pw-1&authKey=bln_/)
})

test('browser SDK stand-in: payment().requestPayment opens the window and the app confirms', async ({
  page,
}) => {
  const orderId = await openWindow(page, '', '/sdk-order')
  await expect(page.getByTestId('method')).toHaveText('Card')
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page.getByTestId('result')).toHaveText('DONE')
  expect(await status(orderId)).toBe('DONE')
})

test('browser SDK stand-in: widgets().requestPayment lets the customer choose, confirmed with the widget key', async ({
  page,
}) => {
  const orderId = await openWindow(page, 'widget=1', '/sdk-order')
  await expect(page.getByRole('radio', { name: 'Card' })).toBeChecked()
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page.getByTestId('result')).toHaveText('DONE')
  expect(await status(orderId)).toBe('DONE')
})
