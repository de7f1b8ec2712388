import { createRequire } from 'node:module'
import { expect, test } from '@playwright/test'
import { html, type MerchantApp, startMerchantApp } from './merchant-app.ts'

/**
 * The hosted checkout in a real browser, driven through a tiny merchant app
 * that does what a Standard Checkout integration does: create the order on
 * the server, open checkout (callback_url redirect, or checkout.js with a
 * handler), then verify razorpay_signature server-side with the SDK helper
 * against its own order id.
 */
const { validatePaymentVerification } = createRequire(import.meta.url)(
  'razorpay/dist/utils/razorpay-utils',
) as {
  validatePaymentVerification(
    params: { order_id: string; payment_id: string },
    signature: string,
    secret: string,
  ): boolean
}

const KEY_ID = 'rzp_test_PlaywrightShop1'
const KEY_SECRET = 'pw_shop_secret'

let rzpUrl: string
let appUrl: string
let api: MerchantApp['api']
let close: () => Promise<void>

const createOrder = async (amount: number) =>
  (await api('POST', '/v1/orders', { amount, currency: 'INR', receipt: `pw-${amount}` })).id as string

/** The merchant app: a shop page using checkout.js, and the callback that verifies the signature. */
async function handle(method: string, url: URL, body: string): Promise<string> {
  if (method === 'GET' && url.pathname === '/shop') {
    const orderId = url.searchParams.get('order_id') ?? ''
    return html(
      'Shop',
      `<h1>Shop</h1><button id="buy">Buy</button><p id="result" role="status"></p>
<script src="${rzpUrl}/v1/checkout.js"></script>
<script>
  document.getElementById('buy').onclick = function () {
    var show = function (text) { document.getElementById('result').textContent = text; };
    var rzp = new Razorpay({
      key: ${JSON.stringify(KEY_ID)}, order_id: ${JSON.stringify(orderId)}, name: 'PW Shop', amount: 1,
      handler: function (r) {
        fetch('/verify', { method: 'POST', body: new URLSearchParams(r) }).then(function (x) { return x.text(); }).then(show);
      },
      modal: { ondismiss: function () { show('dismissed'); } }
    });
    rzp.on('payment.failed', function (r) { show('failed: ' + r.error.reason + ' ' + r.error.metadata.payment_id); });
    rzp.open();
  };
</script>`,
    )
  }
  if (method === 'POST' && (url.pathname === '/callback' || url.pathname === '/verify')) {
    const form = new URLSearchParams(body)
    const paymentId = form.get('razorpay_payment_id')
    if (!paymentId)
      return html(
        'Shop',
        `<h1>Payment failed</h1><p id="reason">${form.get('error[reason]')}</p><p id="metadata">${form.get('error[metadata]')}</p>`,
      )
    // The app's own order id (here the one in the URL it created), never only the browser's.
    const orderId = url.searchParams.get('order_id') ?? form.get('razorpay_order_id') ?? ''
    const ok = validatePaymentVerification(
      { order_id: orderId, payment_id: paymentId },
      form.get('razorpay_signature') ?? '',
      KEY_SECRET,
    )
    return url.pathname === '/verify'
      ? `verified ${ok} ${paymentId}`
      : html(
          'Shop',
          `<h1>${ok ? 'Payment verified' : 'Signature mismatch'}</h1><p id="payment">${paymentId}</p>`,
        )
  }
  return html('Shop', '<h1>Not found</h1>')
}

test.beforeAll(async () => {
  ;({ rzpUrl, appUrl, api, close } = await startMerchantApp({ keyId: KEY_ID, keySecret: KEY_SECRET }, handle))
})

test.afterAll(() => close())

const hosted = (orderId: string) =>
  `${rzpUrl}/checkout/${orderId}?key_id=${KEY_ID}&callback_url=${encodeURIComponent(`${appUrl}/callback?order_id=${orderId}`)}`

test('success: card on the hosted page, bank says Success, the callback POST verifies', async ({ page }) => {
  const orderId = await createOrder(49900)
  await page.goto(hosted(orderId))
  await expect(page.getByTestId('amount')).toHaveText('₹499.00')
  await page.getByLabel('Card number').fill('4100 2800 0000 1007')
  await page.getByRole('button', { name: 'Pay with card' }).click()
  await expect(page.getByRole('heading', { name: 'Razorpay test bank' })).toBeVisible()
  await page.getByRole('button', { name: 'Success' }).click()
  await expect(page.getByRole('heading', { name: 'Payment verified' })).toBeVisible()
  const paymentId = await page.locator('#payment').textContent()
  expect(await api('GET', `/v1/payments/${paymentId}`)).toMatchObject({
    status: 'captured',
    method: 'card',
    order_id: orderId,
  })
  expect(await api('GET', `/v1/orders/${orderId}`)).toMatchObject({ status: 'paid' })
})

test('user cancel: Cancel on the bank page fails the payment with payment_cancelled', async ({ page }) => {
  const orderId = await createOrder(10000)
  await page.goto(hosted(orderId))
  await page.getByLabel('Card number').fill('5500670000001002')
  await page.getByRole('button', { name: 'Pay with card' }).click()
  await page.getByRole('button', { name: 'Cancel payment' }).click()
  await expect(page.getByRole('heading', { name: 'Payment failed' })).toBeVisible()
  await expect(page.locator('#reason')).toHaveText('payment_cancelled')
  const metadata = JSON.parse((await page.locator('#metadata').textContent()) ?? '{}')
  expect(metadata.order_id).toBe(orderId)
  expect(await api('GET', `/v1/payments/${metadata.payment_id}`)).toMatchObject({
    status: 'failed',
    error_reason: 'payment_cancelled',
  })
  expect(await api('GET', `/v1/orders/${orderId}`)).toMatchObject({ status: 'attempted' })
})

test('card failure: the insufficient-funds test card is declined', async ({ page }) => {
  const orderId = await createOrder(20000)
  await page.goto(hosted(orderId))
  await page.getByLabel('Card number').fill('4100280000080001')
  await page.getByRole('button', { name: 'Pay with card' }).click()
  await page.getByRole('button', { name: 'Failure' }).click()
  await expect(page.locator('#reason')).toHaveText('insufficient_funds')
  const { payment_id } = JSON.parse((await page.locator('#metadata').textContent()) ?? '{}')
  expect(await api('GET', `/v1/payments/${payment_id}`)).toMatchObject({
    status: 'failed',
    error_code: 'BAD_REQUEST_ERROR',
    error_reason: 'insufficient_funds',
    error_description: 'Payment processing failed due to insufficient balance',
  })
})

test('an invalid card number stays on the page with an error', async ({ page }) => {
  const orderId = await createOrder(10100)
  await page.goto(hosted(orderId))
  await page.getByLabel('Card number').fill('4100280000001008')
  await page.getByRole('button', { name: 'Pay with card' }).click()
  await expect(page.getByRole('alert')).toHaveText('Please enter a valid card number')
  expect(await api('GET', `/v1/orders/${orderId}`)).toMatchObject({ status: 'created', attempts: 0 })
})

test('checkout.js: UPI success@razorpay calls the handler; the server verifies the signature', async ({
  page,
}) => {
  const orderId = await createOrder(30000)
  await page.goto(`${appUrl}/shop?order_id=${orderId}`)
  await page.getByRole('button', { name: 'Buy' }).click()
  const frame = page.frameLocator('iframe[title="Razorpay Checkout"]')
  await frame.getByLabel('UPI ID').fill('success@razorpay')
  await frame.getByRole('button', { name: 'Pay with UPI' }).click()
  await expect(page.getByRole('status')).toHaveText(/^verified true pay_[A-Za-z0-9]{14}$/)
  await expect(page.locator('iframe[title="Razorpay Checkout"]')).toHaveCount(0)
})

test('checkout.js: failure@razorpay fires payment.failed, closing fires modal.ondismiss', async ({
  page,
}) => {
  const orderId = await createOrder(30100)
  await page.goto(`${appUrl}/shop?order_id=${orderId}`)
  await page.getByRole('button', { name: 'Buy' }).click()
  const frame = page.frameLocator('iframe[title="Razorpay Checkout"]')
  await frame.getByLabel('UPI ID').fill('failure@razorpay')
  await frame.getByRole('button', { name: 'Pay with UPI' }).click()
  await expect(page.getByRole('status')).toHaveText(/^failed: payment_failed pay_/)
  await frame.getByRole('link', { name: 'Retry payment' }).click()
  await frame.getByRole('button', { name: 'Close checkout' }).click()
  await expect(page.getByRole('status')).toHaveText('dismissed')
  await expect(page.locator('iframe[title="Razorpay Checkout"]')).toHaveCount(0)
})
