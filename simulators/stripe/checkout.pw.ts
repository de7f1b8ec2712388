import { expect, test } from '@playwright/test'
import Stripe from 'stripe'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { stripe } from './index.ts'

/**
 * The hosted Checkout page in a real browser: an app creates the session with
 * the official library, the buyer pays at `session.url` with a test card and
 * lands on the app's success_url; a 3-D Secure card goes through the
 * authentication page first.
 */
let sims: RunningProviders
let client: Stripe

test.beforeAll(async () => {
  sims = await startProviders([stripe])
  client = new Stripe('sk_test_playwright', {
    host: '127.0.0.1',
    port: sims.port('stripe'),
    protocol: 'http',
    maxNetworkRetries: 0,
  })
})
test.afterAll(async () => {
  await sims.close()
})

const SHOP = 'https://shop.example'

test.beforeEach(async ({ page }) => {
  // The shop's own pages: success and cancel land here.
  await page.route(`${SHOP}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<h1 id="shop">${route.request().url()}</h1>` }),
  )
})

async function session(mode: 'payment' | 'subscription' = 'payment') {
  const line =
    mode === 'payment'
      ? {
          price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Credit pack' } },
          quantity: 2,
        }
      : {
          price: (
            await client.prices.create({
              currency: 'usd',
              unit_amount: 900,
              recurring: { interval: 'month' },
              product_data: { name: 'Monthly plan' },
            })
          ).id,
          quantity: 1,
        }
  return client.checkout.sessions.create({
    mode,
    line_items: [line],
    success_url: `${SHOP}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${SHOP}/cart`,
  })
}

async function fillCard(page: import('@playwright/test').Page, number: string) {
  await page.getByLabel('Email').fill('buyer@example.com')
  await page.getByLabel('Card number').fill(number)
  await page.getByLabel('Expiration (MM / YY)').fill('12 / 34')
  await page.getByLabel('CVC').fill('123')
  await page.getByLabel('Name on card').fill('Test Buyer')
  await page.getByTestId('submit').click()
}

test('completes a hosted Checkout Session with a test card and redirects to success_url', async ({
  page,
}) => {
  const s = await session()
  await page.goto(s.url!)
  await expect(page.getByTestId('amount')).toHaveText('50.00 USD')
  await expect(page.getByTestId('line-items')).toContainText('Credit pack × 2')
  await fillCard(page, '4000 0000 0000 9995')
  await expect(page.getByTestId('error')).toHaveText('Your card has insufficient funds.')
  await fillCard(page, '4242 4242 4242 4242')
  await expect(page).toHaveURL(`${SHOP}/success?session_id=${s.id}`)
  const done = await client.checkout.sessions.retrieve(s.id, { expand: ['payment_intent'] })
  expect(done.status).toBe('complete')
  expect(done.payment_status).toBe('paid')
  expect((done.payment_intent as Stripe.PaymentIntent).amount_received).toBe(5000)
  const events = await client.events.list({ type: 'checkout.session.completed' })
  expect(events.data.map((e) => (e.data.object as Stripe.Checkout.Session).id)).toContain(s.id)
})

test('goes through the 3-D Secure page: fail returns to the form, complete pays', async ({ page }) => {
  const s = await session()
  await page.goto(s.url!)
  await fillCard(page, '4000 0027 6000 3184')
  await expect(page.getByText('3D Secure test payment page')).toBeVisible()
  await page.getByTestId('fail-authentication').click()
  await expect(page.getByTestId('error')).toContainText('unable to authenticate')
  expect((await client.checkout.sessions.retrieve(s.id)).status).toBe('open')
  await fillCard(page, '4000 0027 6000 3184')
  await page.getByTestId('complete-authentication').click()
  await expect(page).toHaveURL(`${SHOP}/success?session_id=${s.id}`)
  expect((await client.checkout.sessions.retrieve(s.id)).payment_status).toBe('paid')
})

test('subscribes in subscription mode and returns to cancel_url on Back', async ({ page }) => {
  const back = await session()
  await page.goto(back.url!)
  await page.getByTestId('cancel').click()
  await expect(page).toHaveURL(`${SHOP}/cart`)
  expect((await client.checkout.sessions.retrieve(back.id)).status).toBe('open')

  const s = await session('subscription')
  await page.goto(s.url!)
  await fillCard(page, '4242424242424242')
  await expect(page).toHaveURL(`${SHOP}/success?session_id=${s.id}`)
  const done = await client.checkout.sessions.retrieve(s.id, { expand: ['subscription'] })
  expect((done.subscription as Stripe.Subscription).status).toBe('active')
})
