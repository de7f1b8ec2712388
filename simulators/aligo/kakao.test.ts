import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { aligo, configureAligoAccount } from './index.ts'

/** The Kakao API (kakaoapi.aligo.in/akv10/…): `apikey` + `userid`, success `code: 0`, failures `code: -99`. */
let sims: RunningProviders
let seq = 0
let user: string
const T0 = Date.UTC(2026, 10, 21, 1, 0, 0) // 10:00 KST

beforeAll(async () => {
  sims = await startProviders([aligo])
})
afterAll(() => sims.close())
beforeEach(() => {
  user = `kakao${++seq}`
  sims.core.clock.setScale(0)
  sims.core.clock.set(T0 + seq * 86_400_000)
})

async function post(path: string, params: Record<string, string>) {
  const res = await fetch(sims.url('aligo') + path, {
    method: 'POST',
    body: new URLSearchParams({ apikey: 'kakaokey', userid: user, ...params }),
  })
  return (await res.json()) as Record<string, unknown> & { code: number; message: string }
}

const alimtalk = (params: Record<string, string>) =>
  post('/akv10/alimtalk/send/', { senderkey: 'sk1', tpl_code: 'TP_OTP', sender: '025114560', ...params })
const configure = (config: Parameters<typeof configureAligoAccount>[2]) =>
  configureAligoAccount(sims.runtime('aligo'), user, config)
const TEMPLATE = '[#{서비스}] 인증번호는 #{번호} 입니다.\n타인에게 알려주지 마세요.'

describe('AlimTalk send', () => {
  it('delivers text matching the approved template to the kakao inbox, several receivers at once', async () => {
    configure({ templates: { TP_OTP: TEMPLATE } })
    const res = await alimtalk({
      receiver_1: '01030000001',
      subject_1: '인증',
      message_1: '[standin] 인증번호는 111222 입니다.\r\n타인에게 알려주지 마세요.',
      receiver_2: '010-3000-0002',
      subject_2: '인증',
      message_2: '[standin] 인증번호는 333444 입니다.\n타인에게 알려주지 마세요.',
      receiver_3: '+821030000003',
      message_3: 'x',
    })
    expect(res).toMatchObject({ code: 0, info: { type: 'AT', scnt: 2, fcnt: 1, unit: 6.5, total: 13 } })
    const first = sims.core.inbox.latest({ to: '01030000001', channel: 'kakao' })
    expect(first).toMatchObject({
      from: '025114560',
      subject: '인증',
      meta: { tpl_code: 'TP_OTP', senderkey: 'sk1' },
    })
    expect(sims.core.inbox.latest({ to: '01030000002' })?.text).toContain('333444')
  })

  it('answers code 0 for a text off-template but never delivers it; history shows rslt U', async () => {
    configure({ templates: { TP_OTP: TEMPLATE } })
    const res = await alimtalk({ receiver_1: '01030000004', subject_1: '인증', message_1: '인증번호 555666' })
    expect(res.code).toBe(0)
    expect(sims.core.inbox.list({ to: '01030000004' })).toHaveLength(0)
    const mid = (res.info as { mid: string }).mid
    const pending = await post('/akv10/history/detail/', { mid })
    expect((pending.list as Record<string, string>[])[0]!.msgid).toMatch(/^Q/)
    sims.core.clock.advance(5_000)
    const row = ((await post('/akv10/history/detail/', { mid })).list as Record<string, string>[])[0]!
    expect(row).toMatchObject({
      rslt: 'U',
      rslt_message: '메시지가 템플릿과 일치하지않음',
      phone: '01030000004',
    })
  })

  it('falls back to SMS with fmessage when failover=Y and the template does not match', async () => {
    configure({ templates: { TP_OTP: TEMPLATE } })
    await alimtalk({
      receiver_1: '01030000005',
      subject_1: '인증',
      message_1: '틀린 내용',
      failover: 'Y',
      fsubject_1: '인증',
      fmessage_1: '[standin] 인증번호 777888',
    })
    expect(sims.core.inbox.latest({ to: '01030000005' })).toMatchObject({
      channel: 'sms',
      text: '[standin] 인증번호 777888',
    })
  })

  it('refuses missing parameters and an empty balance with -99 and its reason', async () => {
    expect(
      await post('/akv10/alimtalk/send/', {
        tpl_code: 'x',
        sender: '025114560',
        receiver_1: '01030000006',
        message_1: 'x',
      }),
    ).toEqual({
      code: -99,
      message: '발신 프로파일 키(=senderkey)파라메더 정보가 전달되지 않았습니다.',
    })
    expect((await alimtalk({ receiver_1: '01030000006', message_1: 'x', sender: '0299998888' })).code).toBe(
      -99,
    )
    expect((await alimtalk({ receiver_1: '01030000006' })).code).toBe(-99)
    configure({ points: 6 })
    expect(await alimtalk({ receiver_1: '01030000006', message_1: 'x' })).toEqual({
      code: -99,
      message: '포인트가 부족합니다.',
    })
    expect(sims.core.inbox.list({ to: '01030000006' })).toHaveLength(0)
  })

  it('refuses a sender key the account does not have when keys are configured', async () => {
    configure({ senderKeys: ['sk_real'] })
    expect((await alimtalk({ receiver_1: '01030000007', message_1: 'x' })).code).toBe(-99)
    expect((await alimtalk({ receiver_1: '01030000007', message_1: 'x', senderkey: 'sk_real' })).code).toBe(0)
  })

  it('testMode=Y answers like a send but delivers and charges nothing', async () => {
    configure({ points: 10 })
    expect((await alimtalk({ receiver_1: '01030000008', message_1: 'x', testMode: 'Y' })).code).toBe(0)
    expect(sims.core.inbox.list({ to: '01030000008' })).toHaveLength(0)
    expect(((await post('/akv10/heartinfo/', {})).list as { ALT_CNT: number }).ALT_CNT).toBe(1)
  })
})

describe('AlimTalk reservations (senddate) and cancel', () => {
  it('sends at senddate on the virtual clock; cancel refunds; late cancel is refused', async () => {
    const day = new Date(sims.core.clock.now() + 9 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '')
    const later = await alimtalk({
      receiver_1: '01030000009',
      message_1: '예약 알림',
      senddate: `${day}103000`,
    })
    const mid = (later.info as { mid: string }).mid
    const listed = (await post('/akv10/history/list/', {})).list as Record<string, string>[]
    expect(listed[0]).toMatchObject({ mid, reserve_state: '예약대기중', reserve_date: `${day}103000` })
    sims.core.clock.advance(30 * 60_000)
    expect(sims.core.inbox.latest({ to: '01030000009' })?.text).toBe('예약 알림')

    const cancelled = await alimtalk({
      receiver_1: '01030000010',
      message_1: '취소',
      senddate: `${day}113000`,
    })
    expect(await post('/akv10/cancel/', { mid: (cancelled.info as { mid: string }).mid })).toEqual({
      code: 1,
      message: '',
    })
    const soon = await alimtalk({
      receiver_1: '01030000011',
      message_1: '늦은 취소',
      senddate: `${day}103300`,
    })
    expect(await post('/akv10/cancel/', { mid: (soon.info as { mid: string }).mid })).toEqual({
      code: -99,
      message: '발송 5분전까지만 취소가 가능합니다.',
    })
    sims.core.clock.advance(2 * 3_600_000)
    expect(sims.core.inbox.list({ to: '01030000010' })).toHaveLength(0)
    expect(
      await alimtalk({ receiver_1: '01030000012', message_1: 'x', senddate: '2026-11-21' }),
    ).toMatchObject({ code: -99 })
  })
})

describe('token', () => {
  it('issues a token for a valid period and refuses a bad unit', async () => {
    expect(await post('/akv10/token/create/30/s/', {})).toMatchObject({ code: 0, token: expect.any(String) })
    expect((await post('/akv10/token/create/30/x/', {})).code).toBe(-99)
  })
})
