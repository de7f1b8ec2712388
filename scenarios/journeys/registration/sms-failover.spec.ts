import {
  expectCodeOnceThroughFallback,
  failoverRoute,
  SMS_PROVIDER_ERROR,
  smsSendsTo,
} from '../../support/registration.ts'
import { test } from '../../support/test.ts'

/**
 * When the SMS provider that serves a number fails, the sign-up code goes out
 * through the fallback provider the profile names, once. The fault is scoped
 * to the test's own phone (a body matcher on the provider's recipient field),
 * so journeys running beside it keep their SMS.
 */
test.describe('registration: SMS failover', () => {
  // A Korean number: Aligo first, Twilio behind it (Aligo reaches only Korean numbers, so a
  // number abroad has no fallback that can carry it; sms-provider-outage.spec.ts says so by name).
  const country = 'kr'

  // catches: no-sms-failover
  test('the code arrives once through the fallback when the first provider answers an error', {
    tag: ['@registration', '@aligo', '@twilio', '@glimpse', '@retail'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'registration' })
    const user = users.get('user', { country })
    const route = failoverRoute(app, applies, user)
    const failure = SMS_PROVIDER_ERROR[route.provider]
    if (!failure) throw new Error(`No catalogue error known for ${route.provider}.`)
    await standin.faults.during(
      {
        name: `${route.provider} ${failure.what} for ${user.phone}`,
        match: smsSendsTo(target.profile, route.provider, user.phone),
        effect: { type: 'provider-error', error: failure.error },
      },
      (rule) => expectCodeOnceThroughFallback({ app, target, standin }, user, route, [rule]),
    )
  })

  // catches: no-sms-failover
  test('the code arrives once through the fallback when the first provider never answers (timeout)', {
    tag: ['@registration', '@aligo', '@twilio', '@glimpse', '@retail'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'registration' })
    const user = users.get('user', { country })
    const route = failoverRoute(app, applies, user)
    await standin.faults.during(
      {
        name: `${route.provider} hangs for ${user.phone}`,
        match: smsSendsTo(target.profile, route.provider, user.phone),
        // Never processed, so nothing is delivered by it; the app's own timeout must fire first.
        effect: { type: 'hang', ms: 60_000 },
      },
      (rule) => expectCodeOnceThroughFallback({ app, target, standin }, user, route, [rule]),
    )
  })
})
