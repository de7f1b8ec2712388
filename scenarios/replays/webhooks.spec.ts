/**
 * Failure replays of the provider's webhooks: lost and retried, duplicated,
 * forged, stale, out of order, and arriving before the buyer is back on the
 * app. A purchase is a Stripe PaymentIntent confirmed server-side with a test
 * card, or Stripe Checkout paid in Chromium. Webhook rules match on the app's
 * whole Stripe account (a journey cannot know the app's metadata), so the
 * replays that add one run alone (@serial) with `times` and remove it after.
 */
import { payStripeCheckout, STRIPE_CARDS } from '../support/providers/stripe.ts'
import { expect, test } from '../support/test.ts'
import {
  acknowledged,
  buyWithCard,
  deliveriesOf,
  expectSteady,
  intentCreatedFor,
  journalMark,
  postWebhook,
  stripeAccount,
  stripeEvent,
  stripeSignature,
  stripeWebhook,
  untilNextAttempt,
} from './kit.ts'

const SYSTEMS = ['@connecto', '@glimpse', '@giftcard-saas']
const TAGS = ['@replays', '@payments', '@stripe', ...SYSTEMS]
const SERIAL = [...TAGS, '@serial']

test.describe('replays: payment webhooks', () => {
  // catches: double-credit-on-duplicate
  test('duplicate webhooks: Stripe sends the success three times, the credits are granted once', {
    tag: SERIAL,
  }, async ({ scoped, app, target, users, standin, applies }) => {
    applies({ flow: 'payments', payment: ['stripe', 'payment_intent'] })
    const account = stripeAccount(target)
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))

    await scoped.webhookRule({
      name: 'replay: every success webhook twice more',
      match: { provider: 'stripe', account, eventType: 'payment_intent.succeeded' },
      effect: { type: 'duplicate', copies: 2 },
      times: 1,
    })
    const mark = await journalMark(standin)
    const bought = await target.must(
      'buyCredits',
      { provider: 'stripe', method: 'payment_intent', packageId: pack.id, paymentMethod: 'pm_card_visa' },
      session,
    )
    const { id } = await intentCreatedFor(standin, account, mark, bought)
    const copies = await acknowledged(app, standin, account, 'payment_intent.succeeded', id, 3)
    expect(new Set(copies.map((d) => d.eventId)).size, 'the same event each time').toBe(1)
    await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
  })

  // catches: double-credit-on-duplicate (the provider's retry meets the app's reconciliation)
  test('webhook lost on its way, retried by Stripe an hour later: fulfilled once', {
    tag: SERIAL,
  }, async ({ scoped, app, target, users, standin, applies }) => {
    applies({ flow: 'payments', payment: ['stripe', 'payment_intent'], clock: true })
    const account = stripeAccount(target)
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))

    await scoped.webhookRule({
      name: 'replay: lose the first attempt of the success webhook',
      match: { provider: 'stripe', account, eventType: 'payment_intent.succeeded' },
      effect: { type: 'drop', attempts: 1 },
      times: 1,
    })
    const mark = await journalMark(standin)
    const bought = await buyWithCard(target, session, pack.id)
    expect(bought.ok, target.describe(bought)).toBe(true)
    const { id } = await intentCreatedFor(standin, account, mark, bought)
    const lost = await standin.webhooks.deliveries.wait({
      provider: 'stripe',
      account,
      eventType: 'payment_intent.succeeded',
      payloadContains: id,
      minAttempts: 1,
      timeoutMs: app.rules.settleMs,
    })
    expect(lost.attempts[0]?.outcome).toBe('dropped')
    expect(lost.status, 'Stripe schedules a retry').toBe('retrying')

    // Both clocks move to Stripe's retry; the app may settle the payment itself meanwhile.
    await app.advanceClock(await untilNextAttempt(app, lost))
    const [delivered] = await acknowledged(app, standin, account, 'payment_intent.succeeded', id)
    expect(delivered!.attempts.map((a) => a.outcome)).toEqual(['dropped', 'delivered'])
    await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
  })

  // catches: skip-webhook-signature, accept-stale-webhook, double-credit-on-duplicate
  test('forged then stale deliveries (preset forged-webhooks) are refused; the valid retry is fulfilled once', {
    tag: SERIAL,
  }, async ({ scoped, app, target, users, standin, applies }) => {
    applies({ flow: 'payments', payment: ['stripe', 'payment_intent'], clock: true })
    const account = stripeAccount(target)
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))

    await scoped.preset('forged-webhooks', { provider: 'stripe' })
    const mark = await journalMark(standin)
    const bought = await buyWithCard(target, session, pack.id)
    expect(bought.ok, target.describe(bought)).toBe(true)
    const { id } = await intentCreatedFor(standin, account, mark, bought)
    const waitAttempts = (n: number) =>
      standin.webhooks.deliveries.wait({
        provider: 'stripe',
        account,
        eventType: 'payment_intent.succeeded',
        payloadContains: id,
        minAttempts: n,
        timeoutMs: app.rules.settleMs,
      })

    const forged = await waitAttempts(1)
    expect(forged.attempts[0]?.tampering).toContain('bad-signature')
    expect(forged.attempts[0]?.status, 'a bad signature is refused').toBeGreaterThanOrEqual(400)

    await app.advanceClock(await untilNextAttempt(app, forged))
    const stale = await waitAttempts(2)
    expect(stale.attempts[1]?.tampering).toEqual(['stale-timestamp'])
    expect(stale.attempts[1]?.status, 'an hour-old timestamp is refused').toBeGreaterThanOrEqual(400)

    await app.advanceClock(await untilNextAttempt(app, stale))
    const [valid] = await acknowledged(app, standin, account, 'payment_intent.succeeded', id)
    expect(valid!.attempts).toHaveLength(3)
    await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
  })

  // catches: skip-webhook-signature, accept-stale-webhook
  test('a forged success event and a stale signed one, POSTed to the app, are refused; nothing is granted', {
    tag: TAGS,
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'payments', payment: ['stripe', 'payment_intent'] })
    const account = stripeAccount(target)
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))
    const webhook = await stripeWebhook(target, standin)

    // A purchase nobody pays: the app made a PaymentIntent and waits.
    const mark = await journalMark(standin)
    const bought = await target.must(
      'buyCredits',
      { provider: 'stripe', method: 'payment_intent', packageId: pack.id },
      session,
    )
    const { intent } = await intentCreatedFor(standin, account, mark, bought, [session.userId])
    // The attacker claims it succeeded, in Stripe's own event shape around the app's own intent.
    const claimed = { ...intent, status: 'succeeded', amount_received: intent.amount }
    const now = await app.now()

    const forgedBody = stripeEvent('payment_intent.succeeded', claimed, now)
    const forged = await postWebhook(webhook.url, forgedBody, {
      'stripe-signature': stripeSignature(forgedBody, 'whsec_forged_by_an_attacker', now),
    })
    expect(forged.status, `a forged signature is refused: ${forged.text}`).toBeGreaterThanOrEqual(400)
    expect(forged.status).toBeLessThan(500)

    const staleMs = Math.max(3_600_000, 2 * (app.rules.webhookToleranceMs ?? 300_000))
    const staleBody = stripeEvent('payment_intent.succeeded', claimed, now - staleMs)
    const stale = await postWebhook(webhook.url, staleBody, {
      'stripe-signature': stripeSignature(staleBody, webhook.secret, now - staleMs),
    })
    expect(
      stale.status,
      `a signature ${staleMs / 60_000} min old is refused: ${stale.text}`,
    ).toBeGreaterThanOrEqual(400)
    expect(stale.status).toBeLessThan(500)

    if (bought.out.paymentId !== undefined) {
      const payment = await target.must('payment', { paymentId: bought.out.paymentId }, session)
      expect(payment.out.status, 'the payment is not fulfilled').not.toBe('succeeded')
    }
    await expectSteady(app, () => app.balance(session), 0, 'the balance')
  })

  // catches: double-credit-on-duplicate
  test('out-of-order webhooks: Checkout completion overtakes the charge events; the app ends paid, credited once', {
    tag: SERIAL,
  }, async ({ scoped, app, target, users, standin, applies, page }) => {
    applies({ flow: 'payments', payment: ['stripe', 'checkout'] })
    const account = stripeAccount(target)
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))

    // Hold the charge's events until a later one (the session's completion) has been delivered.
    await Promise.all(
      ['charge.succeeded', 'payment_intent.succeeded'].map((eventType) =>
        scoped.webhookRule({
          name: `replay: ${eventType} overtaken`,
          match: { provider: 'stripe', account, eventType },
          effect: { type: 'reorder', holdMs: 60_000 },
          times: 1,
        }),
      ),
    )
    const bought = await target.must(
      'buyCredits',
      { provider: 'stripe', method: 'checkout', packageId: pack.id },
      session,
    )
    const checkoutUrl = String(bought.out.checkoutUrl)
    const sessionId = String(bought.out.providerOrderId ?? checkoutUrl.match(/cs_[A-Za-z0-9_]+/)?.[0])
    const paid = await payStripeCheckout(page, checkoutUrl, { number: STRIPE_CARDS.visa })
    expect(paid.outcome).toBe('redirected')

    const [completed] = await acknowledged(app, standin, account, 'checkout.session.completed', sessionId)
    const intentId = await standin.webhooks.events
      .list({ provider: 'stripe', account, type: 'checkout.session.completed', limit: 1000 })
      .then((events) => events.find((e) => e.id === completed!.eventId))
      .then((e) => {
        expect(e, 'the completion event standin recorded').toBeTruthy()
        return String(
          (e!.payload as { data: { object: { payment_intent: string } } }).data.object.payment_intent,
        )
      })
    const [succeeded] = await acknowledged(app, standin, account, 'payment_intent.succeeded', intentId)
    expect(
      Date.parse(succeeded!.attempts.at(-1)!.at),
      'the completion went out before the charge events',
    ).toBeGreaterThanOrEqual(Date.parse(completed!.attempts.at(-1)!.at))

    if (bought.out.paymentId !== undefined)
      await app.waitFor(
        async () => (await target.must('payment', { paymentId: bought.out.paymentId }, session)).out.status,
        (s) => s === 'succeeded',
        'the payment to end succeeded',
      )
    await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
  })

  // catches: double-credit-on-duplicate
  test('the webhook arrives before the buyer is back from Checkout: fulfilled once, the return shows it paid', {
    tag: TAGS,
  }, async ({ app, target, users, standin, applies, page }) => {
    applies({ flow: 'payments', payment: ['stripe', 'checkout'] })
    const account = stripeAccount(target)
    const pack = app.package()
    const session = await app.signUp(users.get('buyer'))

    const bought = await target.must(
      'buyCredits',
      { provider: 'stripe', method: 'checkout', packageId: pack.id },
      session,
    )
    const checkoutUrl = String(bought.out.checkoutUrl)
    const sessionId = String(bought.out.providerOrderId ?? checkoutUrl.match(/cs_[A-Za-z0-9_]+/)?.[0])
    const stripeOrigin = new URL(checkoutUrl).origin

    // The buyer's browser is slow to come back: Checkout's redirect to the app is held until the app has the webhook.
    let returnedAt: number | undefined
    await page.route(`${stripeOrigin}/**`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      const response = await route.fetch({ maxRedirects: 0 })
      const location = response.headers().location
      if (location && new URL(location, stripeOrigin).origin !== stripeOrigin) {
        await acknowledged(app, standin, account, 'checkout.session.completed', sessionId)
        returnedAt = await app.now()
      }
      await route.fulfill({ response })
    })
    const paid = await payStripeCheckout(page, checkoutUrl, { number: STRIPE_CARDS.visa })
    expect(paid.outcome).toBe('redirected')
    expect(returnedAt, 'the buyer came back through the app').toBeDefined()
    const [completed] = await deliveriesOf(standin, account, 'checkout.session.completed', sessionId)
    expect(Date.parse(completed!.attempts[0]!.at)).toBeLessThanOrEqual(returnedAt!)

    if (bought.out.paymentId !== undefined)
      await app.waitFor(
        async () => (await target.must('payment', { paymentId: bought.out.paymentId }, session)).out.status,
        (s) => s === 'succeeded',
        'the payment to end succeeded',
      )
    await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
  })
})
