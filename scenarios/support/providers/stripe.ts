/**
 * Drives Stripe's hosted Checkout page (standin's stand-in of checkout.stripe.com)
 * in a real browser, as a buyer does: fill the card form, submit, pass or fail
 * the 3-D Secure challenge, or go back to the shop. Only the page's own labels
 * and test ids are used (simulators/stripe/routes/hosted.ts), so any journey
 * that holds a Checkout Session URL can reuse these.
 */
import type { Page } from '@playwright/test'

/** Stripe's documented test card numbers (as a buyer types them). */
export const STRIPE_CARDS = {
  visa: '4242 4242 4242 4242',
  declined: '4000 0000 0000 0002',
  insufficientFunds: '4000 0000 0000 9995',
  /** Always asks for 3-D Secure authentication. */
  threeDSecure: '4000 0027 6000 3184',
} as const

export interface StripeCard {
  number: string
  /** MM / YY; default 12 / 34. */
  expiry?: string
  cvc?: string
  email?: string
  name?: string
}

/** Where the buyer is after submitting: back at the shop, told the card was declined, or at the 3-D Secure challenge. */
export type StripeCheckoutOutcome =
  | { outcome: 'redirected'; url: string }
  | { outcome: 'declined'; error: string }
  | { outcome: 'authenticate' }

/**
 * Pays a Checkout Session on its hosted page with a card, as the buyer types it.
 * Opens `checkoutUrl` unless the page is already on it (a retry after a decline).
 * @example
 * const r = await payStripeCheckout(page, buy.out.checkoutUrl, { number: STRIPE_CARDS.visa })
 * // r.outcome === 'redirected': the browser is on the app's success_url
 */
export async function payStripeCheckout(
  page: Page,
  checkoutUrl: string,
  card: StripeCard,
): Promise<StripeCheckoutOutcome> {
  if (!page.url().startsWith(checkoutUrl)) await page.goto(checkoutUrl)
  await page.getByLabel('Email').fill(card.email ?? 'buyer@example.com')
  await page.getByLabel('Card number').fill(card.number)
  await page.getByLabel('Expiration (MM / YY)').fill(card.expiry ?? '12 / 34')
  await page.getByLabel('CVC').fill(card.cvc ?? '123')
  await page.getByLabel('Name on card').fill(card.name ?? 'Test Buyer')
  return settle(page, checkoutUrl, () => page.getByTestId('submit').click())
}

/**
 * Answers the 3-D Secure test challenge Checkout shows for an authentication card:
 * `complete` pays and leaves for success_url, `fail` returns to the form with an error.
 * @example
 * await completeStripe3ds(page, checkoutUrl, 'complete')
 */
export async function completeStripe3ds(
  page: Page,
  checkoutUrl: string,
  answer: 'complete' | 'fail',
): Promise<StripeCheckoutOutcome> {
  return settle(page, checkoutUrl, () => page.getByTestId(`${answer}-authentication`).click())
}

/**
 * The buyer abandons Checkout with its "← Back" link and lands on the app's cancel_url.
 * @example
 * const { url } = await cancelStripeCheckout(page, buy.out.checkoutUrl)
 */
export async function cancelStripeCheckout(page: Page, checkoutUrl: string): Promise<{ url: string }> {
  if (!page.url().startsWith(checkoutUrl)) await page.goto(checkoutUrl)
  const outcome = await settle(page, checkoutUrl, () => page.getByTestId('cancel').click())
  if (outcome.outcome !== 'redirected')
    throw new Error(`Failed to leave Stripe Checkout by "Back": the page shows ${JSON.stringify(outcome)}.`)
  return { url: outcome.url }
}

/** Acts, waits for the next document, and reads where the buyer is. */
async function settle(
  page: Page,
  checkoutUrl: string,
  act: () => Promise<void>,
): Promise<StripeCheckoutOutcome> {
  const loaded = page.waitForEvent('domcontentloaded')
  await act()
  await loaded
  const url = page.url()
  if (!url.startsWith(new URL(checkoutUrl).origin)) return { outcome: 'redirected', url }
  if (await page.getByTestId('complete-authentication').isVisible()) return { outcome: 'authenticate' }
  const error = page.getByTestId('error')
  if (await error.isVisible()) return { outcome: 'declined', error: (await error.textContent()) ?? '' }
  throw new Error(`Stripe Checkout showed neither a redirect, an error nor a challenge at ${url}.`)
}
