import { wrongCode } from '../../support/registration.ts'
import { expect, test } from '../../support/test.ts'

const HOUR = 3_600_000
/** Slack on top of a waiting time the profile gives, for the app's clock and standin's being set a few ms apart. */
const SLACK = 1_000

test.describe('registration: SMS OTP', () => {
  for (const [country, provider] of [
    ['us', '@twilio'],
    ['kr', '@aligo'],
  ] as const) {
    // catches: no named defect breaks delivery; guards the path every other journey starts from
    test(`signs up with the code the SMS provider delivered (${country})`, {
      tag: ['@registration', provider, '@glimpse', '@truebond'],
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

  // catches: otp-no-lockout
  test('wrong codes are refused; one short of the lockout the right code still signs in, at the lockout it does not', {
    tag: ['@registration', '@twilio', '@glimpse', '@truebond'],
  }, async ({ app, target, users, applies }) => {
    applies({ flow: 'registration', rules: ['otp.lockoutAfter'] })
    const lockoutAfter = app.rules.otp!.lockoutAfter!
    const tryWrongCodes = async (user: { phone: string; ip: string }, code: string, times: number) => {
      for (let i = 0; i < times; i++) {
        const wrong = await target.run('submitOtp', {
          phone: user.phone,
          code: wrongCode(code, i),
          ip: user.ip,
        })
        // The try that reaches the lockout may already answer "locked".
        const refused =
          target.isRefusal(wrong, 'otpWrong') ||
          (i === lockoutAfter - 1 && target.isRefusal(wrong, 'otpLocked'))
        expect(refused, `wrong code #${i + 1} is refused as wrong: ${target.describe(wrong)}`).toBe(true)
      }
    }
    const requestCode = async (user: { phone: string; ip: string }) => {
      const since = await app.now()
      await target.must('startPhoneSignup', { phone: user.phone, ip: user.ip })
      return app.readOtp(user.phone, since)
    }

    const careful = users.get('careful')
    const carefulCode = await requestCode(careful)
    await tryWrongCodes(careful, carefulCode, lockoutAfter - 1)
    const signedIn = await target.run('submitOtp', {
      phone: careful.phone,
      code: carefulCode,
      ip: careful.ip,
    })
    expect(signedIn.ok, `${lockoutAfter - 1} wrong tries do not lock: ${target.describe(signedIn)}`).toBe(
      true,
    )

    const guesser = users.get('guesser')
    const guesserCode = await requestCode(guesser)
    await tryWrongCodes(guesser, guesserCode, lockoutAfter)
    const locked = await target.run('submitOtp', { phone: guesser.phone, code: guesserCode, ip: guesser.ip })
    expect(
      target.isRefusal(locked, 'otpLocked'),
      `after ${lockoutAfter} wrong tries even the right code is refused as locked: ${target.describe(locked)}`,
    ).toBe(true)
  })

  // catches: otp-never-expires
  test('a code signs in until its lifetime ends and is refused as expired after; a new code works', {
    tag: ['@registration', '@twilio', '@glimpse', '@truebond', '@serial'],
  }, async ({ app, target, users, applies }) => {
    applies({ flow: 'registration', clock: true, rules: ['otp.ttlMs'] })
    const ttl = app.rules.otp!.ttlMs
    const margin = Math.min(10_000, Math.floor(ttl / 10))
    const early = users.get('early')
    const late = users.get('late')
    const since = await app.now()
    await target.must('startPhoneSignup', { phone: early.phone, ip: early.ip })
    await target.must('startPhoneSignup', { phone: late.phone, ip: late.ip })
    const earlyCode = await app.readOtp(early.phone, since)
    const lateCode = await app.readOtp(late.phone, since)

    await app.advanceClock(ttl - margin)
    const inTime = await target.run('submitOtp', { phone: early.phone, code: earlyCode, ip: early.ip })
    expect(
      inTime.ok,
      `${margin} ms before its lifetime ends the code works: ${target.describe(inTime)}`,
    ).toBe(true)

    await app.advanceClock(2 * margin)
    const expired = await target.run('submitOtp', { phone: late.phone, code: lateCode, ip: late.ip })
    expect(
      target.isRefusal(expired, 'otpExpired'),
      `${margin} ms after its lifetime the code is refused as expired: ${target.describe(expired)}`,
    ).toBe(true)

    const again = await app.now()
    await target.must('startPhoneSignup', { phone: late.phone, ip: late.ip })
    const fresh = await app.readOtp(late.phone, again)
    await target.must('submitOtp', { phone: late.phone, code: fresh, ip: late.ip })
  })

  // catches: no-otp-rate-limit
  test('codes to one phone wait out the resend cooldown and stop at the hourly cap until the hour has passed', {
    tag: ['@registration', '@twilio', '@glimpse', '@truebond', '@retail', '@serial'],
  }, async ({ app, target, users, standin, applies }) => {
    applies({ flow: 'registration', clock: true, rules: ['otp.resendCooldownMs', 'otp.hourlyCap'] })
    const cooldown = app.rules.otp!.resendCooldownMs!
    const cap = app.rules.otp!.hourlyCap!
    const user = users.get('user')
    const send = () => target.run('startPhoneSignup', { phone: user.phone, ip: user.ip })
    const first = await app.now()

    expect((await send()).ok).toBe(true)
    await app.readOtp(user.phone, first)
    const tooSoon = await send()
    expect(
      target.isRefusal(tooSoon, 'otpCooldown'),
      `a resend within ${cooldown} ms is refused: ${target.describe(tooSoon)}`,
    ).toBe(true)
    expect(
      await standin.messages.list({ to: user.phone, since: first }),
      'no second code was texted',
    ).toHaveLength(1)

    for (let sent = 1; sent < cap; sent++) {
      await app.advanceClock(cooldown + SLACK)
      const since = await app.now()
      const again = await send()
      expect(again.ok, `code ${sent + 1} of ${cap} after the cooldown: ${target.describe(again)}`).toBe(true)
      await app.readOtp(user.phone, since)
    }
    await app.advanceClock(cooldown + SLACK)
    const overCap = await send()
    expect(
      target.isRefusal(overCap, 'otpHourlyCap'),
      `code ${cap + 1} within the hour is refused: ${target.describe(overCap)}`,
    ).toBe(true)
    expect(
      await standin.messages.list({ to: user.phone, since: first }),
      `exactly ${cap} codes were texted`,
    ).toHaveLength(cap)

    await app.advanceClock(HOUR)
    const since = await app.now()
    const nextHour = await send()
    expect(nextHour.ok, `an hour later the phone gets a code again: ${target.describe(nextHour)}`).toBe(true)
    const code = await app.readOtp(user.phone, since)
    await target.must('submitOtp', { phone: user.phone, code, ip: user.ip })
  })
})
