import type { User } from '../../../fixtures/factories/user.ts'
import type { AppFlows } from '../../support/flows.ts'
import { providerUrl } from '../../support/providers/hub.ts'
import { StripeBilling } from '../../support/providers/stripe-billing.ts'
import { authorizeTossBilling } from '../../support/providers/toss-billing.ts'
import { expect, test } from '../../support/test.ts'
import type { StepOut } from '../../target/steps.ts'
import type { Session, Target } from '../../target/target.ts'

const DAY = 24 * 3600_000
const MINUTE = 60_000
/** Stripe keeps a renewal invoice in draft for about an hour before it finalizes and charges it. */
const STRIPE_RENEWAL_CHARGE_DELAY = 3600_000

type SubscriptionOut = StepOut<'subscription'>

const epochOf = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN

/** The user's subscription as the app shows it, waited for until `done` holds (the app acts on webhooks and jobs). */
async function subscriptionWhen(
  app: AppFlows,
  target: Target,
  session: Session,
  done: (s: SubscriptionOut) => boolean,
  what: string,
): Promise<SubscriptionOut> {
  return app.waitFor(async () => (await target.must('subscription', {}, session)).out, done, what)
}

/** A key of the subscriber's own at Toss (2–50 of A-Z a-z 0-9 - _ = . @), from their test data. */
const customerKeyOf = (user: User) => `standin-${user.phone.replace(/\D/g, '')}`

test.describe('premium subscription', () => {
  // catches: failed-renewal-never-downgrades
  test('Stripe: Premium on the paid first invoice, renewed at period end; a declined renewal keeps it for the grace period, then downgrades', {
    tag: ['@serial', '@subscriptions', '@stripe', '@truebond'],
  }, async ({ app, target, standin, users, applies }) => {
    applies({ flow: 'subscriptions', subscription: 'stripe', clock: true })
    const rules = app.rules.subscription
    test.skip(!rules, 'not applicable: the profile gives no rules.subscription')
    const stripe = new StripeBilling(
      await providerUrl(standin, 'stripe'),
      target.profile.providers.stripe!.account,
    )
    const session = await app.signUp(users.get('subscriber'))
    expect((await target.must('subscription', {}, session)).out.premium ?? false).toBe(false)

    // The card the subscriber enters, as Stripe.js hands it to the app.
    const card = await stripe.cardPaymentMethod()
    await target.must('subscribe', { provider: 'stripe', paymentMethod: card }, session)
    const started = await subscriptionWhen(
      app,
      target,
      session,
      (s) => s.premium === true && s.status === 'active',
      'Premium once the first invoice is paid',
    )
    const customer = await stripe.customerOf(card)
    expect(customer, 'the app attached the card to a Stripe customer').toBeTruthy()
    const [subscription] = await stripe.subscriptionsOf(customer!)
    expect(subscription, 'a Stripe subscription for that customer').toBeTruthy()
    const firstEnd = StripeBilling.periodEnd(subscription!)
    expect(epochOf(started.periodEnd)).toBe(firstEnd)
    expect(firstEnd - (await app.now())).toBeGreaterThan((rules!.periodDays - 4) * DAY)

    // The period ends; Stripe renews and charges the card on file an hour later.
    const crossPeriodEnd = async (end: number) => {
      await app.advanceClock(end - (await app.now()) + 1_000)
      await app.advanceClock(STRIPE_RENEWAL_CHARGE_DELAY + MINUTE)
    }
    await crossPeriodEnd(firstEnd)
    const [renewedAtStripe] = await stripe.subscriptionsOf(customer!)
    const secondEnd = StripeBilling.periodEnd(renewedAtStripe!)
    expect(secondEnd).toBeGreaterThan(firstEnd)
    const renewed = await subscriptionWhen(
      app,
      target,
      session,
      (s) => epochOf(s.periodEnd) === secondEnd,
      'the renewed period on the app',
    )
    expect(renewed).toMatchObject({ premium: true, status: 'active' })

    // The card starts declining: the next renewal fails; Premium stays for the grace period...
    await stripe.cardStartsDeclining(customer!, subscription!.id)
    await crossPeriodEnd(secondEnd)
    const grace = await subscriptionWhen(
      app,
      target,
      session,
      (s) => s.status === 'grace',
      'the app to enter the grace period after the declined renewal',
    )
    expect(grace.premium, 'Premium is kept during the grace period').toBe(true)
    const told = await standin.webhooks.deliveries.list({
      provider: 'stripe',
      eventType: 'invoice.payment_failed',
      payloadContains: subscription!.id,
    })
    expect(
      told.some((d) => d.status === 'delivered'),
      'Stripe told the app of the failed renewal, and the app acknowledged it',
    ).toBe(true)

    // ...and once the grace period is over, Premium ends.
    await app.advanceClock(rules!.gracePeriodMs + MINUTE)
    const ended = await subscriptionWhen(
      app,
      target,
      session,
      (s) => s.premium === false,
      'the downgrade after the grace period',
    )
    expect(ended.status).toBe('ended')
  })

  // catches: failed-renewal-never-downgrades
  test('Toss: Premium with a billing key from the billing window, renewed each period; a declined renewal keeps it for the grace period, then downgrades', {
    tag: ['@serial', '@subscriptions', '@toss', '@truebond'],
  }, async ({ app, target, standin, users, applies, page }) => {
    applies({ flow: 'subscriptions', subscription: 'toss', clock: true })
    const rules = app.rules.subscription
    const clientKey = target.profile.providers.toss?.publicKey
    test.skip(!rules, 'not applicable: the profile gives no rules.subscription')
    test.skip(
      !clientKey,
      'not applicable: the profile gives no providers.toss.publicKey for the billing window',
    )
    const user = users.get('subscriber')
    const customerKey = customerKeyOf(user)
    const session = await app.signUp(user)

    // The subscriber registers a card in Toss's billing window; the app's page gets authKey and customerKey.
    const auth = await authorizeTossBilling(page, await providerUrl(standin, 'toss'), {
      clientKey: clientKey!,
      customerKey,
      successUrl: `${target.baseUrl}/standin/toss-billing/success`,
      failUrl: `${target.baseUrl}/standin/toss-billing/fail`,
    })
    expect(auth.landedOn, auth.url).toBe('success')
    if (auth.landedOn !== 'success') return
    expect(auth.customerKey).toBe(customerKey)
    const since = await app.now()
    await target.must('subscribe', { provider: 'toss', authKey: auth.authKey, customerKey }, session)
    const started = await subscriptionWhen(
      app,
      target,
      session,
      (s) => s.premium === true && s.status === 'active',
      'Premium once the first month is charged',
    )
    const charges = async () =>
      (
        await standin.journal.list({
          provider: 'toss',
          operation: 'billing.charge',
          where: { customerKey },
          since,
        })
      ).entries
    const first = await charges()
    expect(first.map((e) => e.status)).toEqual([200])
    const firstEnd = epochOf(started.periodEnd)
    expect(firstEnd - (await app.now())).toBeGreaterThan((rules!.periodDays - 1) * DAY)

    // The period ends: the app charges the billing key again and extends the period.
    await app.advanceClock(firstEnd - (await app.now()) + MINUTE)
    const renewed = await subscriptionWhen(
      app,
      target,
      session,
      (s) => epochOf(s.periodEnd) > firstEnd,
      'the renewed period on the app',
    )
    expect(renewed).toMatchObject({ premium: true, status: 'active' })
    expect(epochOf(renewed.periodEnd) - firstEnd).toBeGreaterThan((rules!.periodDays - 1) * DAY)
    expect((await charges()).filter((e) => e.status === 200)).toHaveLength(2)

    // The card is refused from now on: the next renewal fails, Premium stays for the grace period...
    await standin.faults.during(
      {
        name: `toss billing refused for ${customerKey}`,
        match: { provider: 'toss', operation: 'billing.charge', body: { customerKey } },
        effect: { type: 'provider-error', error: 'REJECT_CARD_PAYMENT' },
      },
      async () => {
        await app.advanceClock(epochOf(renewed.periodEnd) - (await app.now()) + MINUTE)
        const grace = await subscriptionWhen(
          app,
          target,
          session,
          (s) => s.status === 'grace',
          'the app to enter the grace period after the declined renewal',
        )
        expect(grace.premium, 'Premium is kept during the grace period').toBe(true)
        expect((await charges()).filter((e) => e.status !== 200).length).toBeGreaterThan(0)

        // ...and once the grace period is over, Premium ends.
        await app.advanceClock(rules!.gracePeriodMs + MINUTE)
        const ended = await subscriptionWhen(
          app,
          target,
          session,
          (s) => s.premium === false,
          'the downgrade after the grace period',
        )
        expect(ended.status).toBe('ended')
      },
    )
  })
})
