import {
  cancelStripeCheckout,
  completeStripe3ds,
  payStripeCheckout,
  STRIPE_CARDS,
} from '../../support/providers/stripe.ts'
import { expect, NOT_APPLICABLE, test } from '../../support/test.ts'
import {
  amountAtProvider,
  expectBalanceStays,
  fakeId,
  journalMark,
  paymentStatus,
  postForgedWebhook,
  priceOf,
  providerObject,
  startPurchase,
  waitForAcknowledged,
} from './purchase.ts'

const TAGS = ['@payments', '@stripe', '@glimpse', '@connecto', '@truebond']

test.describe('payments: Stripe', () => {
  // catches: refund-keeps-credits
  test('PaymentIntent: a declined card is refused and grants nothing; a good card buys the package once at its price; a refund takes the credits back', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'payments', payment: ['stripe', 'payment_intent'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.package()
    const start = await app.balance(session)

    const declined = await target.run(
      'buyCredits',
      {
        provider: 'stripe',
        method: 'payment_intent',
        packageId: pack.id,
        paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
      },
      session,
    )
    if (declined.ok) {
      // Some apps answer the purchase and fail it afterwards: then it must end failed.
      const id = String(declined.out.paymentId)
      await app.waitFor(
        () => paymentStatus(target, session, id),
        (s) => s === 'failed',
        'the declined payment to fail',
      )
    } else expect(target.isRefusal(declined, 'paymentDeclined'), target.describe(declined)).toBe(true)
    expect(await app.balance(session)).toBe(start)

    const since = await app.now()
    const bought = await startPurchase(target, session, 'stripe', pack, {
      method: 'payment_intent',
      paymentMethod: 'pm_card_visa',
    })
    const credited = await app.waitFor(
      () => app.balance(session),
      (b) => b >= start + pack.credits,
      'the package credits',
    )
    expect(credited).toBe(start + pack.credits)
    expect(await paymentStatus(target, session, bought.paymentId)).toBe('succeeded')
    const intent = bought.out.providerOrderId ? String(bought.out.providerOrderId) : undefined
    if (intent) {
      await waitForAcknowledged(app, standin, {
        provider: 'stripe',
        eventType: 'payment_intent.succeeded',
        about: intent,
      })
      expect(await app.balance(session), 'credits after the webhook settled').toBe(start + pack.credits)
      const price = priceOf(pack, 'stripe')
      if (price !== undefined)
        expect(await amountAtProvider(standin, target, 'stripe', intent, since)).toBe(price)
    }

    if (!target.hasStep('refund')) return
    const mark = await journalMark(standin)
    const refund = await target.run('refund', { paymentId: bought.paymentId }, session)
    expect(refund.ok, target.describe(refund)).toBe(true)
    await app.waitFor(
      () => app.balance(session),
      (b) => b === start,
      'the credits to be taken back',
    )
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
    if (intent) {
      const refunded = await standin.journal.wait({
        provider: 'stripe',
        operation: 'refunds.create',
        contains: intent,
        afterSeq: mark,
        timeoutMs: app.rules.settleMs,
      })
      expect(refunded.status).toBeLessThan(300)
    }
  })

  // catches: double-credit-on-duplicate
  test('Checkout in the browser: a declined card stays on the page, a good card pays and lands on the app; credits once though Stripe sends the completion twice', {
    tag: TAGS,
  }, async ({ scoped, app, target, standin, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['stripe', 'checkout'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.package()
    const start = await app.balance(session)
    const since = await app.now()
    const bought = await startPurchase(target, session, 'stripe', pack, { method: 'checkout' })
    const checkoutUrl = String(bought.out.checkoutUrl)
    const sessionId = bought.out.providerOrderId ? String(bought.out.providerOrderId) : undefined
    // Stripe delivers this session's completion twice (scoped to it: parallel-safe).
    if (sessionId)
      await scoped.webhookRule({
        name: `duplicate completion of ${sessionId}`,
        match: {
          provider: 'stripe',
          eventType: 'checkout.session.completed',
          payload: { 'data.object.id': sessionId },
        },
        effect: { type: 'duplicate', copies: 1 },
      })
    const declined = await payStripeCheckout(page, checkoutUrl, { number: STRIPE_CARDS.insufficientFunds })
    expect(declined).toEqual({ outcome: 'declined', error: 'Your card has insufficient funds.' })
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
    const paid = await payStripeCheckout(page, checkoutUrl, { number: STRIPE_CARDS.visa })
    expect(paid.outcome).toBe('redirected')
    expect(paid.outcome === 'redirected' && paid.url.startsWith(target.baseUrl)).toBe(true)
    const credited = await app.waitFor(
      () => app.balance(session),
      (b) => b >= start + pack.credits,
      'the package credits',
    )
    expect(credited).toBe(start + pack.credits)
    if (sessionId) {
      await waitForAcknowledged(app, standin, {
        provider: 'stripe',
        eventType: 'checkout.session.completed',
        about: sessionId,
        copies: 2,
      })
      await waitForAcknowledged(app, standin, { provider: 'stripe', about: sessionId })
      expect(await app.balance(session), 'credits after both copies').toBe(start + pack.credits)
      const price = priceOf(pack, 'stripe')
      if (price !== undefined)
        expect(await amountAtProvider(standin, target, 'stripe', sessionId, since)).toBe(price)
    }
    expect(await paymentStatus(target, session, bought.paymentId)).toBe('succeeded')
  })

  // catches: refund-keeps-credits, double-credit-on-duplicate
  test('Checkout with 3-D Secure in the browser: a failed challenge pays nothing, a completed one pays once; a refund takes the credits back', {
    tag: TAGS,
  }, async ({ app, target, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['stripe', 'checkout'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.package()
    const start = await app.balance(session)
    const bought = await startPurchase(target, session, 'stripe', pack, { method: 'checkout' })
    const checkoutUrl = String(bought.out.checkoutUrl)

    expect(await payStripeCheckout(page, checkoutUrl, { number: STRIPE_CARDS.threeDSecure })).toEqual({
      outcome: 'authenticate',
    })
    const failed = await completeStripe3ds(page, checkoutUrl, 'fail')
    expect(failed.outcome).toBe('declined')
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
    expect(await app.balance(session)).toBe(start)

    expect(await payStripeCheckout(page, checkoutUrl, { number: STRIPE_CARDS.threeDSecure })).toEqual({
      outcome: 'authenticate',
    })
    const paid = await completeStripe3ds(page, checkoutUrl, 'complete')
    expect(paid.outcome === 'redirected' && paid.url.startsWith(target.baseUrl), JSON.stringify(paid)).toBe(
      true,
    )
    const credited = await app.waitFor(
      () => app.balance(session),
      (b) => b >= start + pack.credits,
      'the package credits',
    )
    expect(credited).toBe(start + pack.credits)
    expect(await paymentStatus(target, session, bought.paymentId)).toBe('succeeded')

    if (!target.hasStep('refund')) return
    const refund = await target.run('refund', { paymentId: bought.paymentId }, session)
    expect(refund.ok, target.describe(refund)).toBe(true)
    await app.waitFor(
      () => app.balance(session),
      (b) => b === start,
      'the credits to be taken back',
    )
  })

  // catches: skip-webhook-signature
  test('Checkout abandoned in the browser: back on the app, nothing paid, no credits; a forged completion webhook for the session is refused', {
    tag: TAGS,
  }, async ({ app, target, standin, users, applies, page }) => {
    applies({ flow: 'payments', payment: ['stripe', 'checkout'] })
    const session = await app.signUp(users.get('buyer'))
    const pack = app.package()
    const start = await app.balance(session)
    const since = await app.now()
    const bought = await startPurchase(target, session, 'stripe', pack, { method: 'checkout' })
    const { url } = await cancelStripeCheckout(page, String(bought.out.checkoutUrl))
    expect(url.startsWith(target.baseUrl), url).toBe(true)
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
    expect(await app.balance(session)).toBe(start)

    // Someone claims the session was paid, with a signature that is not Stripe's.
    const sessionId = bought.out.providerOrderId ? String(bought.out.providerOrderId) : undefined
    if (!sessionId || !target.profile.providers.stripe?.webhook) return
    const object = await providerObject(standin, 'stripe', 'checkout.sessions.create', sessionId, since)
    const status = await postForgedWebhook(target, app, 'stripe', {
      id: fakeId('evt_', 24),
      object: 'event',
      api_version: '2024-06-20',
      created: Math.floor((await app.now()) / 1000),
      type: 'checkout.session.completed',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: {
        object: {
          ...object,
          status: 'complete',
          payment_status: 'paid',
          payment_intent: fakeId('pi_', 24),
        },
      },
    })
    await expectBalanceStays(
      app,
      session,
      start,
      async () => status >= 400,
      'a completion webhook with a forged signature',
    )
    expect(await paymentStatus(target, session, bought.paymentId)).not.toBe('succeeded')
  })

  // catches: refund-keeps-credits
  test('refund after some credits were spent is refused and keeps the payment', {
    tag: [...TAGS, '@matching'],
  }, async ({ app, target, users, applies }) => {
    applies({
      flow: 'payments',
      payment: ['stripe', 'payment_intent'],
      steps: ['refund', 'like', 'matches', 'sendMessage'],
    })
    applies({ flow: 'matching' })
    if (!target.profile.refusals.creditsSpent) {
      const reason = 'refusals.creditsSpent not declared by the profile'
      test.info().annotations.push({ type: NOT_APPLICABLE, description: reason })
      test.skip(true, `not applicable: ${reason}`)
    }
    const buyer = await app.signUp(users.get('buyer'))
    const other = await app.signUp(users.get('other'))
    const pack = app.package()
    const start = await app.balance(buyer)
    const bought = await startPurchase(target, buyer, 'stripe', pack, {
      method: 'payment_intent',
      paymentMethod: 'pm_card_visa',
    })
    await app.waitFor(
      () => app.balance(buyer),
      (b) => b >= start + pack.credits,
      'the package credits',
    )

    // Spend a credit: a mutual like makes a match, a message costs credits.
    await target.must('like', { userId: other.userId }, buyer)
    const liked = await target.must('like', { userId: buyer.userId }, other)
    let matchId = liked.out.matchId
    if (!matchId) {
      const matches = await target.must('matches', {}, buyer)
      matchId = (matches.out.matchIds as unknown[] | undefined)?.[0]
    }
    expect(matchId, 'a match after a mutual like').toBeTruthy()
    await target.must('sendMessage', { matchId, text: 'hello' }, buyer)
    const spent = await app.balance(buyer)
    expect(spent).toBeLessThan(start + pack.credits)

    const refund = await target.run('refund', { paymentId: bought.paymentId }, buyer)
    expect(target.isRefusal(refund, 'creditsSpent'), target.describe(refund)).toBe(true)
    expect(await app.balance(buyer)).toBe(spent)
    expect(await paymentStatus(target, buyer, bought.paymentId)).toBe('succeeded')
  })
})
