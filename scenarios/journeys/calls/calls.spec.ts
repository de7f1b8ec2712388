import { expect, test } from '../../support/test.ts'

const MINUTE = 60_000
const TYPES = ['audio', 'video'] as const

test.describe('calls: paid per started minute', () => {
  // catches: call-billing-rounds-down
  test('a call needs one minute of credit; 61 s is billed as two minutes, audio and video; history lists it', {
    tag: ['@serial', '@calls', '@stripe', '@glimpse'],
  }, async ({ app, target, users, applies }) => {
    applies({ flow: 'calls', clock: true, payment: ['stripe', 'payment_intent'] })
    const cost = app.rules.callMinuteCost
    test.skip(!cost, 'not applicable: the profile gives no rules.callMinuteCost')
    const pairs = await Promise.all(
      TYPES.map(async (type) => {
        const [caller, callee] = await Promise.all([
          app.signUp(users.get(`${type}-caller`)),
          app.signUp(users.get(`${type}-callee`)),
        ])
        return { type, rate: cost![type], caller, callee }
      }),
    )

    // Without a minute's credit the call does not start.
    for (const { type, rate, caller, callee } of pairs) {
      if ((await app.balance(caller)) >= rate) continue
      const refused = await target.run('startCall', { calleeId: callee.userId, callType: type }, caller)
      expect(target.isRefusal(refused, 'insufficientCredits'), target.describe(refused)).toBe(true)
    }

    const calls = await Promise.all(
      pairs.map(async (p) => {
        const credits = await app.fund(p.caller, 3 * p.rate)
        const started = await target.must(
          'startCall',
          { calleeId: p.callee.userId, callType: p.type },
          p.caller,
        )
        const callId = started.out.callId
        expect(callId, target.describe(started)).toBeTruthy()
        await target.must('acceptCall', { callId }, p.callee)
        return { ...p, callId, credits }
      }),
    )
    await app.advanceClock(MINUTE + 1_000)
    for (const { type, rate, caller, callee, callId, credits } of calls) {
      await target.must('endCall', { callId }, caller)
      const call = await target.must('call', { callId }, caller)
      expect(Number(call.out.billed), `${type}: 61 s are two started minutes`).toBe(2 * rate)
      expect(await app.balance(caller), `${type}: the caller pays two minutes`).toBe(credits - 2 * rate)
      expect((await target.must('callHistory', {}, caller)).out.callIds).toContain(callId)
      expect((await target.must('callHistory', {}, callee)).out.callIds).toContain(callId)
    }
  })

  // catches: call-not-ended-on-zero-credit
  test('a call the caller can no longer pay for is ended by the app', {
    tag: ['@serial', '@calls', '@stripe', '@glimpse'],
  }, async ({ app, target, users, applies }) => {
    applies({ flow: 'calls', clock: true, payment: ['stripe', 'payment_intent'] })
    const rate = app.rules.callMinuteCost?.video
    test.skip(!rate, 'not applicable: the profile gives no rules.callMinuteCost')
    const [caller, callee] = await Promise.all([
      app.signUp(users.get('caller')),
      app.signUp(users.get('callee')),
    ])
    const credits = await app.fund(caller, rate!)
    const minutes = Math.floor(credits / rate!)
    const { out } = await target.must('startCall', { calleeId: callee.userId, callType: 'video' }, caller)
    const callId = out.callId
    await target.must('acceptCall', { callId }, callee)

    // Half a minute before the paid minutes run out the call still runs...
    await app.advanceClock(minutes * MINUTE - 30_000)
    expect((await target.must('call', { callId }, caller)).out.endReason ?? null).toBeNull()
    // ...and once the minute the caller cannot pay has started, the app ends it.
    await app.advanceClock(60_000)
    const ended = await app.waitFor(
      async () => (await target.must('call', { callId }, caller)).out,
      (call) => call.endReason === 'insufficient_credits',
      'the app to end the call for want of credit',
    )
    expect(Number(ended.billed)).toBeLessThanOrEqual(credits)
    expect(await app.balance(caller)).toBe(credits - Number(ended.billed))
    expect(await app.balance(caller)).toBeGreaterThanOrEqual(0)
    expect((await target.must('callHistory', {}, caller)).out.callIds).toContain(callId)
  })
})
