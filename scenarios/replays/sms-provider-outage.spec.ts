import type { Country } from '../../fixtures/factories/user.ts'
import {
  applySmsPresetTo,
  expectCodeOnceThroughFallback,
  failoverRoute,
  notApplicable,
  removeFaults,
} from '../support/registration.ts'
import { test } from '../support/test.ts'

/**
 * Replay: an SMS provider is down (the outage of scenarios/presets/sms-outage-*.json,
 * scoped here to the test's own phone so parallel journeys keep their SMS), and a
 * sign-up to a number it serves still gets its code, exactly once, through the
 * fallback provider.
 */
const OUTAGES: { preset: string; provider: string; country: Country; what: string }[] = [
  { preset: 'sms-outage-aligo', provider: 'aligo', country: 'kr', what: 'Aligo resets every connection' },
  { preset: 'sms-outage-twilio', provider: 'twilio', country: 'us', what: 'Twilio answers 503' },
]

test.describe('replay: SMS provider outage (failover)', () => {
  for (const outage of OUTAGES) {
    // catches: no-sms-failover
    test(`${outage.what}: a ${outage.country} sign-up gets its code once through the fallback`, {
      tag: ['@replays', '@aligo', '@twilio', '@glimpse', '@retail'],
    }, async ({ app, target, users, standin, applies }) => {
      applies({ flow: 'registration' })
      const user = users.get('user', { country: outage.country })
      if (app.smsRoute(user.phone).provider !== outage.provider)
        notApplicable(`the profile's rules.smsRouting does not send ${user.phone} through ${outage.provider}`)
      const route = failoverRoute(app, applies, user)
      const rules = await applySmsPresetTo(standin, target.profile, outage.preset, user.phone)
      try {
        await expectCodeOnceThroughFallback({ app, target, standin }, user, route, rules)
      } finally {
        await removeFaults(standin, rules)
      }
    })
  }
})
