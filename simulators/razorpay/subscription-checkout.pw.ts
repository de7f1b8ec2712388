import { createRequire } from 'node:module'
import { expect, test } from '@playwright/test'
import { html, type MerchantApp, startMerchantApp } from './merchant-app.ts'

/**
 * A subscription authorised in a real browser, the two ways apps do it:
 * checkout.js with the `subscription_id` option and a handler, and the
 * subscription's short_url. The merchant app verifies razorpay_signature
 * (payment_id|subscription_id) with the SDK helper against its own
 * subscription id.
 */
const { validatePaymentVerification } = createRequire(import.meta.url)(
  'razorpay/dist/utils/razorpay-utils',
) as {
  validatePaymentVerification(params: Record<string, string>, signature: string, secret: string): boolean
}

const KEY_ID = 'rzp_test_PlaywrightSubs1'
const KEY_SECRET = 'pw_subs_secret'

let rzpUrl: string
let appUrl: string
let api: MerchantApp['api']
let close: () => Promise<void>

async function newSubscription() {
  const plan = await api('POST', '/v1/plans', {
    period: 'monthly',
    interval: 1,
    item: { name: 'Gold membership', amount: 29900, currency: 'INR' },
  })
  return api('POST', '/v1/subscriptions', { plan_id: plan.id, total_count: 12 })
}

async function handle(method: string, url: URL, body: string): Promise<string> {
  if (method === 'GET' && url.pathname === '/join') {
    const sub = url.searchParams.get('sub') ?? ''
    return html(
      'Club',
      `<h1>Club</h1><button id="join">Join</button><p id="result" role="status"></p>
<script src="${rzpUrl}/v1/checkout.js"></script>
<script>
  document.getElementById('join').onclick = function () {
    var show = function (text) { document.getElementById('result').textContent = text; };
    var rzp = new Razorpay({
      key: ${JSON.stringify(KEY_ID)}, subscription_id: ${JSON.stringify(sub)}, name: 'Club',
      handler: function (r) {
        fetch('/verify?sub=${encodeURIComponent(sub)}', { method: 'POST', body: new URLSearchParams(r) })
          .then(function (x) { return x.text(); }).then(show);
      }
    });
    rzp.on('payment.failed', function (r) { show('failed: ' + r.error.reason); });
    rzp.open();
  };
</script>`,
    )
  }
  if (method === 'POST' && (url.pathname === '/verify' || url.pathname === '/callback')) {
    const form = new URLSearchParams(body)
    // The app's own subscription id, not only the browser's.
    const sub = url.searchParams.get('sub') ?? ''
    const ok = validatePaymentVerification(
      { subscription_id: sub, payment_id: form.get('razorpay_payment_id') ?? '' },
      form.get('razorpay_signature') ?? '',
      KEY_SECRET,
    )
    const text = `verified ${ok} ${form.get('razorpay_subscription_id') === sub}`
    return url.pathname === '/verify' ? text : html('Club', `<h1>${text}</h1>`)
  }
  return html('Club', '<h1>Not found</h1>')
}

test.beforeAll(async () => {
  ;({ rzpUrl, appUrl, api, close } = await startMerchantApp({ keyId: KEY_ID, keySecret: KEY_SECRET }, handle))
})

test.afterAll(() => close())

test('checkout.js with subscription_id: the card authorises, the handler gets a verifiable signature', async ({
  page,
}) => {
  const sub = await newSubscription()
  await page.goto(`${appUrl}/join?sub=${sub.id}`)
  await page.getByRole('button', { name: 'Join' }).click()
  const frame = page.frameLocator('iframe[title="Razorpay Checkout"]')
  await expect(frame.getByTestId('subscription-id')).toHaveText(String(sub.id))
  await frame.getByLabel('Card number').fill('4718 6091 0820 4366')
  await frame.getByRole('button', { name: 'Authorise with card' }).click()
  await expect(page.getByRole('status')).toHaveText('verified true true')
  await expect(page.locator('iframe[title="Razorpay Checkout"]')).toHaveCount(0)
  expect(await api('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({ status: 'active', paid_count: 1 })
})

test('checkout.js with subscription_id: an error card fires payment.failed and the subscription stays created', async ({
  page,
}) => {
  const sub = await newSubscription()
  await page.goto(`${appUrl}/join?sub=${sub.id}`)
  await page.getByRole('button', { name: 'Join' }).click()
  const frame = page.frameLocator('iframe[title="Razorpay Checkout"]')
  await frame.getByLabel('Card number').fill('4100280000060003')
  await frame.getByRole('button', { name: 'Authorise with card' }).click()
  await expect(page.getByRole('status')).toHaveText('failed: card_declined')
  expect(await api('GET', `/v1/subscriptions/${sub.id}`)).toMatchObject({
    status: 'created',
    auth_attempts: 1,
  })
})

test('short_url with a callback_url: UPI authorises and the callback POST verifies', async ({ page }) => {
  const sub = await newSubscription()
  const callback = encodeURIComponent(`${appUrl}/callback?sub=${sub.id}`)
  await page.goto(`${sub.short_url}?callback_url=${callback}`)
  await page.getByLabel('UPI ID').fill('success@razorpay')
  await page.getByRole('button', { name: 'Authorise with UPI' }).click()
  await expect(page.getByRole('heading', { name: 'verified true true' })).toBeVisible()
})
