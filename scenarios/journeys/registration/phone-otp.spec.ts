import { expect, test } from '../../support/test.ts'

test.describe('registration: SMS OTP', () => {
  for (const country of ['us', 'kr'] as const) {
    test(`signs up with the code the SMS provider delivered (${country})`, {
      tag: ['@registration', '@sms', '@glimpse', '@truebond'],
    }, async ({ app, target, users, standin, applies }) => {
      applies({ flow: 'registration' })
      const user = users.get('user', { country })
      const route = app.smsRoute(user.phone)
      applies({ sms: route.provider })
      const since = await app.now()
      const started = await target.run('startPhoneSignup', { phone: user.phone, ip: user.ip })
      expect(started.ok, target.describe(started)).toBe(true)
      const messages = await standin.messages.wait({ to: user.phone, since, timeoutMs: app.rules.settleMs })
      expect(messages.provider).toBe(route.provider)
      const code = await app.readOtp(user.phone, since)
      expect(code).toHaveLength(app.rules.otp?.length ?? code.length)
      const verified = await target.run('submitOtp', { phone: user.phone, code, ip: user.ip })
      expect(verified.ok, target.describe(verified)).toBe(true)
      const session = target.sessionFrom(verified, user.phone)
      const me = await target.must('me', {}, session)
      expect(me.out.userId).toBe(session.userId ?? me.out.userId)
    })
  }
})
