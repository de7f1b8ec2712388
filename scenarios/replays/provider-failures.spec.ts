/**
 * Failure replays at the payment provider: Stripe answers 5xx, rate-limits
 * with Retry-After, or charges and then loses its answer. Each replay faults
 * the PaymentIntent creation on the app's whole Stripe account (a journey
 * cannot know which metadata the app sends), so each runs alone (@serial),
 * spends its rule with `times` and removes it afterwards.
 */
import { expect, test } from '../support/test.ts'
import {
  buyWithCard,
  chargesSince,
  deliveriesOf,
  expectSteady,
  gapsBetween,
  intentCreations,
  journalMark,
  needRule,
  stripeAccount,
} from './kit.ts'

const TAGS = ['@replays', '@payments', '@stripe', '@serial', '@connecto', '@glimpse', '@giftcard-saas']

test.describe('replays: the payment provider fails', () => {
  // catches: no-retry-on-5xx, no-idempotency-key, retry-without-backoff
  test(
    'Stripe 5xx then success: one charge, one idempotency key, growing gaps',
    {
      tag: TAGS,
    },
    async ({ app, target, users, standin, applies }, testInfo) => {
      applies({ flow: 'payments', payment: ['stripe', 'payment_intent'] })
      const retry = needRule(testInfo, app.rules, 'retry', 'how many attempts and how long between them')
      const failures = Math.min(retry.maxAttempts - 1, 3)
      test.skip(failures < 1, 'not applicable: the profile says the app makes one attempt only')
      const account = stripeAccount(target)
      const pack = app.package()
      const session = await app.signUp(users.get('buyer'))

      const since = await app.now()
      const mark = await journalMark(standin)
      const bought = await standin.faults.during(
        {
          name: `replay: ${failures} × Stripe api_error on PaymentIntent create`,
          match: { provider: 'stripe', account, operation: 'payment_intents.create' },
          effect: { type: 'provider-error', error: 'api_error' },
          times: failures,
        },
        () => buyWithCard(target, session, pack.id),
      )
      expect(bought.ok, `the purchase succeeds after the retries: ${target.describe(bought)}`).toBe(true)

      const attempts = await intentCreations(standin, account, mark)
      expect(
        attempts.map((a) => a.status),
        'every failure retried, then one success',
      ).toEqual([...Array(failures).fill(500), 200])
      const keys = attempts.map((a) => a.headers['idempotency-key'])
      expect(keys[0], 'the create carries an Idempotency-Key').toBeTruthy()
      expect(new Set(keys).size, `one key on every attempt: ${keys.join(', ')}`).toBe(1)
      expect(await chargesSince(standin, account, since), 'one charge').toHaveLength(1)

      const gaps = gapsBetween(attempts)
      for (const gap of gaps)
        expect(
          gap,
          `every wait is at least rules.retry.minGapMs (gaps ${gaps.join(', ')} ms)`,
        ).toBeGreaterThanOrEqual(retry.minGapMs)
      if (gaps.length > 1)
        expect(gaps.at(-1)!, `the waits grow (gaps ${gaps.join(', ')} ms)`).toBeGreaterThan(gaps[0]!)

      await app.waitFor(
        () => app.balance(session),
        (b) => b === pack.credits,
        'the credits',
      )
    },
  )

  // catches: retry-without-backoff, no-retry-on-5xx, no-idempotency-key
  test(
    'Stripe 429 with Retry-After: the next attempt waits at least that long',
    {
      tag: TAGS,
    },
    async ({ app, target, users, standin, applies }, testInfo) => {
      applies({ flow: 'payments', payment: ['stripe', 'payment_intent'] })
      const retry = needRule(testInfo, app.rules, 'retry', 'whether the app retries at all')
      test.skip(retry.maxAttempts < 2, 'not applicable: the profile says the app makes one attempt only')
      const account = stripeAccount(target)
      const pack = app.package()
      const session = await app.signUp(users.get('buyer'))
      const retryAfterSeconds = 1

      const since = await app.now()
      const mark = await journalMark(standin)
      const bought = await standin.faults.during(
        {
          name: 'replay: Stripe 429 with Retry-After on PaymentIntent create',
          match: { provider: 'stripe', account, operation: 'payment_intents.create' },
          effect: {
            type: 'status',
            status: 429,
            headers: { 'retry-after': String(retryAfterSeconds) },
            body: {
              error: {
                type: 'invalid_request_error',
                code: 'rate_limit',
                message: 'Request rate limit exceeded.',
              },
            },
          },
          times: 1,
        },
        () => buyWithCard(target, session, pack.id),
      )
      expect(bought.ok, `the purchase succeeds after the wait: ${target.describe(bought)}`).toBe(true)

      const attempts = await intentCreations(standin, account, mark)
      expect(attempts.map((a) => a.status)).toEqual([429, 200])
      const [gap] = gapsBetween(attempts)
      expect(gap, 'the retry came no earlier than Retry-After').toBeGreaterThanOrEqual(
        retryAfterSeconds * 1000,
      )
      expect(
        new Set(attempts.map((a) => a.headers['idempotency-key'])).size,
        'one key on both attempts',
      ).toBe(1)
      expect(await chargesSince(standin, account, since), 'one charge').toHaveLength(1)
      await app.waitFor(
        () => app.balance(session),
        (b) => b === pack.credits,
        'the credits',
      )
    },
  )

  // catches: reconciliation-missing, no-idempotency-key, double-credit-on-duplicate (the late webhook meets the reconciliation)
  test(
    'timeout after Stripe charged: the payment stays pending and reconciliation settles it once',
    {
      tag: TAGS,
    },
    async ({ scoped, app, target, users, standin, applies }, testInfo) => {
      applies({ flow: 'payments', payment: ['stripe', 'payment_intent'], clock: true })
      const reconcileAfterMs = needRule(
        testInfo,
        app.rules,
        'reconcileAfterMs',
        'when the app settles a lost answer',
      )
      // Every attempt loses its answer. An SDK may resend a request once on a closed connection
      // (stripe-node does, with the same key), so the rule covers twice the app's attempts.
      const lostAnswers = 2 * (app.rules.retry?.maxAttempts ?? 1)
      const account = stripeAccount(target)
      const pack = app.package()
      const session = await app.signUp(users.get('buyer'))

      // Stripe's success webhook is lost too (its first attempt; Stripe retries an hour later),
      // so only the app's own reconciliation can learn that the charge went through.
      await scoped.webhookRule({
        name: 'replay: lose the success webhook',
        match: { provider: 'stripe', account, eventType: 'payment_intent.succeeded' },
        effect: { type: 'drop', attempts: 1 },
        times: 1,
      })
      const since = await app.now()
      const mark = await journalMark(standin)
      const bought = await standin.faults.during(
        {
          name: 'replay: Stripe charges, then the answer hangs and the connection drops',
          match: { provider: 'stripe', account, operation: 'payment_intents.create' },
          effect: { type: 'hang', ms: 100, phase: 'after' },
          times: lostAnswers,
        },
        () => buyWithCard(target, session, pack.id),
      )
      // The app cannot know the outcome: it must not say the card was declined.
      expect(target.isRefusal(bought, 'paymentDeclined'), target.describe(bought)).toBe(false)
      expect(
        bought.ok && bought.out.status === 'succeeded',
        'the app cannot know the payment succeeded',
      ).toBe(false)
      if (bought.ok) expect(bought.out.status, 'an unknown outcome is pending').not.toBe('failed')

      const attempts = await intentCreations(standin, account, mark)
      expect(attempts.length, 'Stripe saw the create').toBeGreaterThanOrEqual(1)
      const charges = await chargesSince(standin, account, since)
      expect(charges, 'Stripe charged once, however often the app retried').toHaveLength(1)
      const intentId = charges[0]!.intentId

      const dropped = await standin.webhooks.deliveries.wait({
        provider: 'stripe',
        account,
        eventType: 'payment_intent.succeeded',
        payloadContains: intentId,
        minAttempts: 1,
        timeoutMs: app.rules.settleMs,
      })
      expect(dropped.attempts[0]?.outcome, 'the success webhook was lost').toBe('dropped')

      // Past the app's reconcile delay (both clocks), its reconciliation asks Stripe and grants once.
      await app.advanceClock(reconcileAfterMs)
      await app.waitFor(
        () => app.balance(session),
        (b) => b === pack.credits,
        'reconciliation to grant the credits',
      )
      if (bought.out.paymentId !== undefined) {
        const payment = await target.must('payment', { paymentId: bought.out.paymentId }, session)
        expect(payment.out.status).toBe('succeeded')
      }

      // The lost webhook finally arrives: still granted once.
      await standin.webhooks.deliveries.redeliver(dropped.id)
      await expect
        .poll(async () => (await standin.webhooks.deliveries.get(dropped.id)).status, {
          message: 'the app acknowledges the late webhook',
        })
        .toBe('delivered')
      await expectSteady(app, () => app.balance(session), pack.credits, 'the balance')
      const again = await deliveriesOf(standin, account, 'payment_intent.succeeded', intentId)
      expect(again.length).toBeGreaterThanOrEqual(1)
    },
  )
})
