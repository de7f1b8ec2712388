/**
 * Drives the Toss Payments payment window in a real browser, as a buyer does:
 * the window opens with the parameters the app's front end passes to the SDK's
 * `requestPayment` (clientKey, orderId, amount, orderName, successUrl, failUrl),
 * the buyer pays with a card or cancels, and Toss sends the browser to the
 * app's successUrl (`paymentKey`, `orderId`, `amount`) or failUrl (`code`,
 * `message`, `orderId`), where the app answers.
 */
import type { Page } from '@playwright/test'

/** Toss's documented test cards (simulators/toss/test-values.ts). */
export const TOSS_CARDS = {
  approved: '4330 1234 1234 1234',
  /** Refused by the card company inside the window: failUrl, REJECT_CARD_COMPANY. */
  rejectedInWindow: '4000 0000 0000 0002',
  /** Refused at the app's confirm: REJECT_CARD_PAYMENT (limit exceeded). */
  rejectedAtConfirm: '4000 0000 0000 9995',
} as const

/** What the app's front end hands the SDK: the order as the app created it. */
export interface TossWindowRequest {
  clientKey: string
  orderId: string
  amount: number
  orderName: string
  successUrl: string
  failUrl: string
}

export interface TossLanding {
  /** Which of the app's URLs the browser landed on. */
  landedOn: 'success' | 'fail'
  /** The URL as the app received it (after any `tamper`). */
  url: string
  /** The app's answer to the landing. */
  status: number
  body: unknown
}

export interface TossWindowOptions {
  /** `pay` (default) with `card`, or `cancel` the window. */
  action?: 'pay' | 'cancel'
  card?: string
  /** Rewrites the landing URL before the app sees it, as a buyer editing the address bar would. */
  tamper?: (url: URL) => URL
}

/**
 * Opens the payment window for the app's order, pays or cancels, and returns the app's answer to the landing.
 * @example
 * const landing = await payTossWindow(page, tossUrl, { clientKey, orderId, amount, orderName, successUrl, failUrl })
 * // landing.landedOn === 'success', landing.status 2xx: the app confirmed the payment
 */
export async function payTossWindow(
  page: Page,
  tossBaseUrl: string,
  request: TossWindowRequest,
  options: TossWindowOptions = {},
): Promise<TossLanding> {
  const query = new URLSearchParams({
    clientKey: request.clientKey,
    method: 'CARD',
    orderId: request.orderId,
    orderName: request.orderName,
    amount: String(request.amount),
    successUrl: request.successUrl,
    failUrl: request.failUrl,
  })
  // What the SDK's payment().requestPayment() opens.
  await page.goto(`${tossBaseUrl.replace(/\/$/, '')}/v1/payment-window?${query}`)
  await page.getByTestId('amount').waitFor()
  const isLanding = (url: string) => url.startsWith(request.successUrl) || url.startsWith(request.failUrl)
  let tampered: string | undefined
  if (options.tamper) {
    // A redirect is not routed by itself: rewrite the window's 303 to successUrl instead.
    const tamper = options.tamper
    const window = new URL(page.url())
    await page.route(
      (url) => url.origin === window.origin && url.pathname === window.pathname,
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue()
        const response = await route.fetch({ maxRedirects: 0 })
        const location = response.headers().location
        if (!location?.startsWith(request.successUrl)) return route.fulfill({ response })
        tampered = tamper(new URL(location)).toString()
        return route.fulfill({ status: 303, headers: { location: tampered, 'cache-control': 'no-store' } })
      },
    )
  }
  const landed = page.waitForResponse((r) => r.request().isNavigationRequest() && isLanding(r.url()))
  if (options.action === 'cancel') await page.getByRole('button', { name: 'Cancel' }).click()
  else {
    await page.getByLabel('Card number').fill(options.card ?? TOSS_CARDS.approved)
    await page.getByRole('button', { name: 'Pay' }).click()
  }
  const response = await landed
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // an HTML page: kept as text
  }
  return {
    landedOn: response.url().startsWith(request.successUrl) ? 'success' : 'fail',
    url: tampered ?? response.url(),
    status: response.status(),
    body,
  }
}

/**
 * The same window completed over plain HTTP (the window's own form posts, then the
 * browser's GET of the landing URL), for journeys that need a Toss outcome but not a browser.
 * @example
 * const landing = await payTossWindowOverHttp(tossUrl, request, { action: 'cancel' })
 */
export async function payTossWindowOverHttp(
  tossBaseUrl: string,
  request: TossWindowRequest,
  options: TossWindowOptions = {},
): Promise<TossLanding> {
  const base = tossBaseUrl.replace(/\/$/, '')
  const query = new URLSearchParams({
    clientKey: request.clientKey,
    method: 'CARD',
    orderId: request.orderId,
    orderName: request.orderName,
    amount: String(request.amount),
    successUrl: request.successUrl,
    failUrl: request.failUrl,
  })
  const opened = await fetch(`${base}/v1/payment-window?${query}`, { redirect: 'manual' })
  const checkout = opened.headers.get('location')
  if (opened.status !== 303 || !checkout)
    throw new Error(`Failed to open the Toss window: HTTP ${opened.status} ${await opened.text()}`)
  await opened.arrayBuffer()
  const form = new URLSearchParams(
    options.action === 'cancel'
      ? { action: 'cancel' }
      : {
          action: 'pay',
          method: 'CARD',
          cardNumber: (options.card ?? TOSS_CARDS.approved).replace(/\s/g, ''),
        },
  )
  const submitted = await fetch(new URL(checkout, base), { method: 'POST', body: form, redirect: 'manual' })
  const location = submitted.headers.get('location')
  if (submitted.status !== 303 || !location)
    throw new Error(`The Toss window did not redirect: HTTP ${submitted.status} ${await submitted.text()}`)
  await submitted.arrayBuffer()
  let url = new URL(location)
  if (options.tamper && location.startsWith(request.successUrl)) url = options.tamper(url)
  const landed = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html,application/json' } })
  const text = await landed.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // an HTML page: kept as text
  }
  return {
    landedOn: location.startsWith(request.successUrl) ? 'success' : 'fail',
    url: url.toString(),
    status: landed.status,
    body,
  }
}
