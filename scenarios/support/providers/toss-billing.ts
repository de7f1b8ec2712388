/**
 * Drives the Toss Payments billing-authorization window in a real browser, as
 * a subscriber does: the app's front end opens it with what it passes to the
 * SDK's `payment({ customerKey }).requestBillingAuth({ method: 'CARD',
 * successUrl, failUrl })`, the subscriber registers a card (or cancels), and
 * Toss sends the browser to successUrl with `customerKey` and a one-time
 * `authKey` (or to failUrl with `code` and `message`). The app's server then
 * exchanges the authKey for a billing key, which is what a subscribe step takes.
 */
import type { Page } from '@playwright/test'

/** standin's Toss billing test cards (simulators/toss/test-values.ts). */
export const TOSS_BILLING_CARDS = {
  approved: '4330 1234 1234 1234',
  /** The billing key issues, but every charge with it is refused (403 REJECT_CARD_PAYMENT). */
  chargesRefused: '4000 0000 0000 0341',
} as const

export interface TossBillingRequest {
  /** The merchant's client key (the profile's `providers.toss.publicKey`). */
  clientKey: string
  /** The app's id for the subscriber at Toss: 2–50 of `A-Z a-z 0-9 - _ = . @`. */
  customerKey: string
  successUrl: string
  failUrl: string
}

export type TossBillingResult =
  | { landedOn: 'success'; authKey: string; customerKey: string; url: string }
  | { landedOn: 'fail'; code: string; message: string; url: string }

export interface TossBillingOptions {
  /** `register` (default) the `card`, or `cancel` the window. */
  action?: 'register' | 'cancel'
  card?: string
  /**
   * Whether the app serves successUrl/failUrl itself. Off (default), the
   * driver answers them in the browser with an empty page, as an API-only app
   * whose front end reads the query string would, and no request reaches the app.
   */
  appServesLanding?: boolean
}

/**
 * Opens the billing window, registers a card or cancels, and returns what Toss handed the app's landing URL.
 * @example
 * const auth = await authorizeTossBilling(page, tossUrl, { clientKey, customerKey, successUrl, failUrl })
 * if (auth.landedOn === 'success') await target.must('subscribe', { provider: 'toss', authKey: auth.authKey, customerKey: auth.customerKey }, session)
 */
export async function authorizeTossBilling(
  page: Page,
  tossBaseUrl: string,
  request: TossBillingRequest,
  options: TossBillingOptions = {},
): Promise<TossBillingResult> {
  const isLanding = (url: string) => url.startsWith(request.successUrl) || url.startsWith(request.failUrl)
  if (!options.appServesLanding)
    await page.route(
      (url) => isLanding(url.href),
      (route) =>
        route.fulfill({
          status: 200,
          contentType: 'text/html',
          body: '<!doctype html><title>Back at the app</title>',
        }),
    )
  const query = new URLSearchParams({
    clientKey: request.clientKey,
    customerKey: request.customerKey,
    successUrl: request.successUrl,
    failUrl: request.failUrl,
  })
  // What the SDK's requestBillingAuth() opens.
  await page.goto(`${tossBaseUrl.replace(/\/$/, '')}/v1/billing-window?${query}`)
  const landed = page.waitForURL((url) => isLanding(url.href))
  if (options.action === 'cancel') await page.getByRole('button', { name: 'Cancel' }).click()
  else {
    await page.getByLabel('Card number').fill(options.card ?? TOSS_BILLING_CARDS.approved)
    await page.getByRole('button', { name: 'Register card' }).click()
  }
  await landed
  const url = new URL(page.url())
  const param = (name: string) => url.searchParams.get(name) ?? ''
  if (url.href.startsWith(request.successUrl)) {
    if (!param('authKey'))
      throw new Error(`Failed to authorise Toss billing: the success URL carries no authKey (${url.href}).`)
    return {
      landedOn: 'success',
      authKey: param('authKey'),
      customerKey: param('customerKey'),
      url: url.href,
    }
  }
  return { landedOn: 'fail', code: param('code'), message: param('message'), url: url.href }
}
