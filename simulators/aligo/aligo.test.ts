import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { extractCode } from '../core/messages.ts'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { aligo, configureAligoAccount } from './index.ts'
import { INVALID_KEY, UNDELIVERABLE_RECEIVERS } from './test-values.ts'

let sims: RunningProviders
const KEY = 'k3y0000000000000000000000000test'
let seq = 0
/** Each test its own Aligo user id: accounts are partitions, so tests never share a balance. */
let user: string

// 2026-11-21 10:00:00 KST (01:00 UTC); the clock is frozen and moved by hand.
const T0 = Date.UTC(2026, 10, 21, 1, 0, 0)

beforeAll(async () => {
  sims = await startProviders([aligo])
})
afterAll(() => sims.close())
beforeEach(() => {
  user = `shop${++seq}`
  sims.core.clock.setScale(0)
  sims.core.clock.set(T0 + seq * 86_400_000)
})

async function post(
  path: string,
  params: Record<string, string>,
  creds: Record<string, string> = { key: KEY, user_id: user },
) {
  const res = await fetch(sims.url('aligo') + path, {
    method: 'POST',
    body: new URLSearchParams({ ...creds, ...params }),
  })
  const text = await res.text()
  return { status: res.status, contentType: res.headers.get('content-type'), text, json: JSON.parse(text) }
}

const send = (params: Record<string, string>) => post('/send/', { sender: '025114560', ...params })
const inbox = (to: string) => sims.core.inbox.list({ provider: 'aligo', to })
const configure = (config: Parameters<typeof configureAligoAccount>[2]) =>
  configureAligoAccount(sims.runtime('aligo'), user, config)
const kst = (hhmm: string) => {
  const d = new Date(sims.core.clock.now() + 9 * 3_600_000)
  return { rdate: d.toISOString().slice(0, 10).replace(/-/g, ''), rtime: hhmm }
}

describe('send', () => {
  it('sends Korean text as SMS with the captured answer shape and lands it in the inbox', async () => {
    const res = await send({ receiver: '01012345678', msg: '인증번호는 [482913] 입니다.' })
    expect(res.status).toBe(200)
    expect(res.contentType).toBe('application/json;charset=UTF-8')
    expect(res.json).toMatchObject({
      result_code: '1',
      message: 'success',
      success_cnt: 1,
      error_cnt: 0,
      msg_type: 'SMS',
    })
    expect(res.json.msg_id).toMatch(/^\d{9}$/)
    // The core normalises +82 10… and 010… to the same recipient.
    const [message] = inbox('+82 10-1234-5678')
    expect(message).toMatchObject({ channel: 'sms', from: '025114560', text: '인증번호는 [482913] 입니다.' })
    expect(message!.meta).toMatchObject({ mid: res.json.msg_id, msg_type: 'SMS' })
    expect(message!.subject).toBeUndefined()
  })

  it('counts EUC-KR bytes: 45 Hangul (90 bytes) stay SMS, 46 (92 bytes) become LMS with a title', async () => {
    const sms = await send({ receiver: '01011110000', msg: '가'.repeat(45) })
    expect(sms.json.msg_type).toBe('SMS')
    const lms = await send({ receiver: '01011110001', msg: `안내\n${'나'.repeat(44)}` })
    expect(lms.json.msg_type).toBe('LMS')
    expect(inbox('01011110001')[0]).toMatchObject({ subject: '안내', text: `안내\n${'나'.repeat(44)}` })
    // 91 ASCII bytes also overflow: the limit is bytes, not characters.
    expect((await send({ receiver: '01011110002', msg: 'a'.repeat(91) })).json.msg_type).toBe('LMS')
  })

  it('keeps an explicit SMS type and cuts a long text at 90 bytes, as the handset would show it', async () => {
    const res = await send({ receiver: '01022220000', msg: '다'.repeat(60), msg_type: 'sms' })
    expect(res.json.msg_type).toBe('SMS')
    expect(inbox('01022220000')[0]!.text).toBe('다'.repeat(45))
  })

  it('uses the given title for LMS (cut at 44 bytes) and none for SMS', async () => {
    await send({ receiver: '01022220001', msg: '짧은 본문', msg_type: 'LMS', title: '제'.repeat(30) })
    expect(inbox('01022220001')[0]!.subject).toBe('제'.repeat(22))
    await send({ receiver: '01022220002', msg: '짧은 본문', title: '무시됨' })
    expect(inbox('01022220002')[0]!.subject).toBeUndefined()
  })

  it('turns characters EUC-KR lacks into ? and counts them as one byte', async () => {
    await send({ receiver: '01022220003', msg: '좋아요 😀 ✓' })
    expect(inbox('01022220003')[0]!.text).toMatch(/^좋아요 \?+ /)
  })

  it('accepts up to 1000 receivers, tolerates hyphens and counts the others in error_cnt', async () => {
    const res = await send({ receiver: '010-3333-0001, 01033330002,+821033330003,12345', msg: '공지' })
    expect(res.json).toMatchObject({ result_code: '1', success_cnt: 2, error_cnt: 2 })
    expect(inbox('01033330001')).toHaveLength(1)
    expect(inbox('01033330002')).toHaveLength(1)
    expect(inbox('01033330003')).toHaveLength(0)
  })

  it('substitutes %고객명% from destination per receiver', async () => {
    await send({
      receiver: '01044440001,01044440002',
      msg: '%고객명%님 안녕하세요',
      destination: '01044440001|홍길동,01044440002|아무개',
    })
    expect(inbox('01044440001')[0]!.text).toBe('홍길동님 안녕하세요')
    expect(inbox('01044440002')[0]!.text).toBe('아무개님 안녕하세요')
  })

  it('refuses a sender not registered (-302) until the account registers it', async () => {
    const refused = await post('/send/', { sender: '01099998888', receiver: '01055550001', msg: 'hi' })
    expect(refused.status).toBe(200)
    expect(refused.json).toEqual({ result_code: -302, message: '발신번호가 등록되지 않았습니다.' })
    expect(refused.text).toContain('\\ubc1c\\uc2e0') // PHP json_encode escapes Hangul
    configure({ addSenders: ['010-9999-8888'] })
    const ok = await post('/send/', { sender: '01099998888', receiver: '01055550001', msg: 'hi' })
    expect(ok.json.result_code).toBe('1')
  })

  it('registers senders through the account.configure trigger (the control plane route)', async () => {
    await sims.runtime('aligo').trigger('account.configure', user, { addSenders: ['0311234567'] })
    expect(
      (await post('/send/', { sender: '0311234567', receiver: '01055550002', msg: 'hi' })).json.result_code,
    ).toBe('1')
  })

  it('testmode_yn=Y answers like a send but delivers, charges and keeps nothing', async () => {
    const before = (await post('/remain/', {})).json.SMS_CNT
    const res = await send({ receiver: '01066660001', msg: '테스트', testmode_yn: 'Y' })
    expect(res.json).toMatchObject({ result_code: '1', message: 'success', success_cnt: 1 })
    expect(inbox('01066660001')).toHaveLength(0)
    expect((await post('/remain/', {})).json.SMS_CNT).toBe(before)
    expect((await post('/list/', {})).json.list).toHaveLength(0)
  })
})

describe('how apps reach it', () => {
  it('reads parameters from the query string of a POST with an empty body', async () => {
    const query = new URLSearchParams({
      key: KEY,
      user_id: user,
      sender: '025114560',
      receiver: '01015150000',
      msg: 'query',
    })
    const res = await fetch(`${sims.url('aligo')}/send/?${query}`, { method: 'POST' })
    expect(await res.json()).toMatchObject({ result_code: '1' })
    expect(inbox('01015150000')[0]!.text).toBe('query')
  })

  it('serves the paths without their trailing slash too', async () => {
    expect((await post('/remain', {})).json.result_code).toBe(1)
  })

  it('lets a journey wait for the OTP by recipient, in +82 form', async () => {
    const waiting = sims.core.inbox.waitFor({ provider: 'aligo', to: '+82 10 1616 0000' }, 2_000)
    await send({ receiver: '01016160000', msg: '[앱] 인증번호 [604938]를 입력해 주세요.' })
    expect(extractCode((await waiting)!.text)).toBe('604938')
  })
})

describe('authentication', () => {
  it('answers -101 inside HTTP 200 for a missing or invalid key', async () => {
    for (const creds of [{ user_id: user }, { key: INVALID_KEY, user_id: user }, { key: KEY }] as Record<
      string,
      string
    >[]) {
      const res = await post('/send/', { sender: '025114560', receiver: '01012345678', msg: 'x' }, creds)
      expect(res.status).toBe(200)
      expect(res.json).toEqual({ result_code: -101, message: '인증오류입니다.' })
    }
  })

  it('binds the first key to the user id and refuses another; userid works as an alias of user_id', async () => {
    expect((await post('/remain/', {})).json.result_code).toBe(1)
    const other = await post('/remain/', {}, { key: 'another-key', user_id: user })
    expect(other.json).toEqual({
      result_code: -101,
      message: '인증오류입니다.',
      SMS_CNT: 0,
      LMS_CNT: 0,
      MMS_CNT: 0,
    })
    expect((await post('/remain/', {}, { key: KEY, userid: user })).json.result_code).toBe(1)
  })

  it('refuses callers outside the IP allow-list with 인증오류입니다.-IP', async () => {
    configure({ allowedIps: ['203.0.113.7'] })
    const res = await post('/remain/', {})
    expect(res.json).toMatchObject({ result_code: -101, message: '인증오류입니다.-IP', SMS_CNT: 0 })
    expect(res.text).toContain('\\uc778\\uc99d\\uc624\\ub958\\uc785\\ub2c8\\ub2e4.-IP')
    configure({ allowedIps: ['127.0.0.1'] })
    expect((await post('/remain/', {})).json.result_code).toBe(1)
  })
})

describe('balance', () => {
  it('reports what the balance buys and refuses a send it cannot pay for (-201), whole', async () => {
    configure({ points: 20 })
    expect((await post('/remain/', {})).json).toEqual({
      result_code: 1,
      message: 'success',
      SMS_CNT: 2,
      LMS_CNT: 0,
      MMS_CNT: 0,
    })
    expect((await send({ receiver: '01077770001,01077770002,01077770003', msg: 'x' })).json).toEqual({
      result_code: -201,
      message: '포인트가 부족합니다.',
    })
    expect(inbox('01077770001')).toHaveLength(0)
    expect((await send({ receiver: '01077770001', msg: 'x' })).json.result_code).toBe('1')
    expect((await send({ receiver: '01077770002', msg: 'x' })).json.result_code).toBe('1')
    expect((await post('/remain/', {})).json.SMS_CNT).toBe(0)
    expect((await send({ receiver: '01077770003', msg: 'x' })).json.result_code).toBe(-201)
  })

  it('charges LMS at the LMS price', async () => {
    configure({ points: 100 })
    await send({ receiver: '01077770004', msg: 'long', msg_type: 'LMS' })
    expect((await post('/remain/', {})).json.SMS_CNT).toBe(Math.floor((100 - 25.9) / 8.4))
  })

  it('refunds a receiver the carrier cannot reach and reports it as 결번', async () => {
    configure({ points: 100 })
    const res = await send({ receiver: `01077770005,${UNDELIVERABLE_RECEIVERS[0]}`, msg: 'x' })
    expect(res.json.success_cnt).toBe(2)
    expect(inbox(UNDELIVERABLE_RECEIVERS[0])).toHaveLength(0)
    expect((await post('/remain/', {})).json.SMS_CNT).toBe(Math.floor((100 - 8.4) / 8.4))
    sims.core.clock.advance(5_000)
    const detail = await post('/sms_list/', { mid: res.json.msg_id })
    const states = Object.fromEntries(
      detail.json.list.map((r: { receiver: string; sms_state: string }) => [r.receiver, r.sms_state]),
    )
    expect(states).toEqual({ '01077770005': '발송완료', [UNDELIVERABLE_RECEIVERS[0]]: '결번' })
  })
})

describe('reservation and cancel', () => {
  it('holds a reservation until the virtual clock reaches it, then delivers', async () => {
    const res = await send({ receiver: '01088880001', msg: '예약 문자', ...kst('1030') })
    expect(res.json).toMatchObject({ result_code: '1', message: 'reserved', success_cnt: 1 })
    expect(inbox('01088880001')).toHaveLength(0)
    const waiting = await post('/sms_list/', { mid: res.json.msg_id })
    expect(waiting.json.list[0]).toMatchObject({
      receiver: '01088880001',
      sms_state: '예약대기',
      send_date: '',
    })
    expect((await post('/list/', {})).json.list[0]).toMatchObject({
      mid: res.json.msg_id,
      reserve_state: '예약대기중',
      sms_count: '1',
    })

    sims.core.clock.advance(29 * 60_000)
    expect(inbox('01088880001')).toHaveLength(0)
    sims.core.clock.advance(60_000)
    expect(inbox('01088880001')[0]).toMatchObject({ text: '예약 문자' })
    expect((await post('/sms_list/', { mid: res.json.msg_id })).json.list[0].sms_state).toBe('전송중')
    sims.core.clock.advance(5_000)
    const done = (await post('/sms_list/', { mid: res.json.msg_id })).json.list[0]
    expect(done).toMatchObject({ sms_state: '발송완료', reserve_date: expect.stringMatching(/ 10:30:00$/) })
  })

  it('refuses reservations under 10 minutes ahead or malformed (-102)', async () => {
    expect((await send({ receiver: '01088880002', msg: 'x', ...kst('1005') })).json.result_code).toBe(-102)
    expect(
      (await send({ receiver: '01088880002', msg: 'x', rdate: '2026-11-21', rtime: '10:30' })).json
        .result_code,
    ).toBe(-102)
    expect((await send({ receiver: '01088880002', msg: 'x', ...kst('2561') })).json.result_code).toBe(-102)
    expect((await send({ receiver: '01088880002', msg: 'x', rtime: '1030' })).json.result_code).toBe(-102)
  })

  it('cancels a waiting reservation, refunds it and never delivers it', async () => {
    configure({ points: 100 })
    const res = await send({ receiver: '01088880003', msg: '취소될 문자', ...kst('1100') })
    expect((await post('/remain/', {})).json.SMS_CNT).toBe(Math.floor((100 - 8.4) / 8.4))
    const cancelled = await post('/cancel/', { mid: res.json.msg_id })
    expect(cancelled.json).toEqual({
      result_code: 1,
      message: 'success',
      cancel_date: expect.stringMatching(/^\d{4}-\d\d-\d\d 10:00:00$/),
    })
    expect((await post('/remain/', {})).json.SMS_CNT).toBe(11)
    sims.core.clock.advance(2 * 3_600_000)
    expect(inbox('01088880003')).toHaveLength(0)
    expect((await post('/sms_list/', { mid: res.json.msg_id })).json.list[0].sms_state).toBe('예약취소')
    expect((await post('/cancel/', { mid: res.json.msg_id })).json.result_code).toBe(-803)
  })

  it('answers the documented cancel errors -801 … -805', async () => {
    expect((await post('/cancel/', {})).json).toEqual({ result_code: -801, message: '메세지ID 미입력' })
    expect((await post('/cancel/', { mid: 'abc' })).json.result_code).toBe(-802)
    const now = await send({ receiver: '01088880004', msg: 'x' })
    expect((await post('/cancel/', { mid: now.json.msg_id })).json.result_code).toBe(-803)
    const soon = await send({ receiver: '01088880004', msg: 'x', ...kst('1012') })
    sims.core.clock.advance(8 * 60_000)
    expect((await post('/cancel/', { mid: soon.json.msg_id })).json.result_code).toBe(-804)
    sims.core.clock.advance(5 * 60_000)
    expect((await post('/cancel/', { mid: soon.json.msg_id })).json.result_code).toBe(-805)
  })
})

describe('send_mass', () => {
  it('sends a different text to each rec_N and counts bad numbers', async () => {
    const res = await post('/send_mass/', {
      sender: '025114560',
      msg_type: 'SMS',
      cnt: '3',
      rec_1: '01090000001',
      msg_1: '김민수님 주문이 접수되었습니다.',
      rec_2: '010-9000-0002',
      msg_2: '이영희님 주문이 접수되었습니다.',
      rec_3: 'not-a-number',
      msg_3: 'x',
      rec_4: '01090000004',
      msg_4: 'beyond cnt: ignored',
    })
    expect(res.json).toMatchObject({ result_code: '1', success_cnt: 2, error_cnt: 1, msg_type: 'SMS' })
    expect(inbox('01090000001')[0]!.text).toBe('김민수님 주문이 접수되었습니다.')
    expect(inbox('01090000002')[0]!.text).toBe('이영희님 주문이 접수되었습니다.')
    expect(inbox('01090000004')).toHaveLength(0)
  })

  it('requires msg_type and a cnt of 1–500 with every msg_N', async () => {
    const base = { sender: '025114560', rec_1: '01090000005', msg_1: 'x' }
    expect((await post('/send_mass/', { ...base, cnt: '1' })).json.result_code).toBe(-102)
    expect((await post('/send_mass/', { ...base, cnt: '0', msg_type: 'SMS' })).json.result_code).toBe(-102)
    expect((await post('/send_mass/', { ...base, cnt: '2', msg_type: 'SMS' })).json.result_code).toBe(-102)
  })
})

describe('list and sms_list', () => {
  it('lists sends newest first with string values and pages with next_yn', async () => {
    for (let i = 0; i < 32; i++)
      await send({ receiver: `0101000${String(i).padStart(4, '0')}`, msg: `메시지 ${i}` })
    const first = await post('/list/', {})
    expect(first.json).toMatchObject({ result_code: 1, message: 'success', next_yn: 'Y' })
    expect(first.json.list).toHaveLength(30)
    expect(first.json.list[0]).toMatchObject({
      type: 'SMS',
      sender: '025114560',
      sms_count: '1',
      msg: '메시지 31',
      fail_count: '0',
    })
    expect(first.json.list[0].reg_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    const second = await post('/list/', { page: '2' })
    expect(second.json.list.map((m: { msg: string }) => m.msg)).toEqual(['메시지 1', '메시지 0'])
    expect(second.json.next_yn).toBe('N')
    // A day before anything was sent: nothing.
    expect((await post('/list/', { start_date: '20200101', limit_day: '1' })).json.list).toHaveLength(0)
  })

  it('requires a mid for sms_list and returns an empty list for an unknown one', async () => {
    expect((await post('/sms_list/', {})).json.result_code).toBe(-102)
    expect((await post('/sms_list/', { mid: '123' })).json).toEqual({
      result_code: 1,
      message: 'success',
      list: [],
      next_yn: 'N',
    })
  })
})

describe('multipart, as aligoapi and the PHP samples post', () => {
  it('reads multipart fields (a stray uri field is ignored) and makes MMS from an image', async () => {
    const form = new FormData()
    for (const [k, v] of Object.entries({
      key: KEY,
      user_id: user,
      sender: '025114560',
      receiver: '01012120000',
      msg: '사진',
      uri: 'https://apis.aligo.in/send/',
    }))
      form.append(k, v)
    form.append('image', new Blob([Buffer.from('89504e470d0a1a0a', 'hex')], { type: 'image/png' }), 'a.png')
    const res = await fetch(`${sims.url('aligo')}/send/`, { method: 'POST', body: form })
    expect(await res.json()).toMatchObject({ result_code: '1', msg_type: 'MMS' })
    expect(inbox('01012120000')[0]).toMatchObject({ text: '사진', subject: '사진' })
  })

  it('sends MMS without an image as LMS', async () => {
    expect((await send({ receiver: '01012120001', msg: 'x', msg_type: 'MMS' })).json.msg_type).toBe('LMS')
  })
})

describe('fault rules name catalogue errors by result code', () => {
  it('answers a rule-injected -201 exactly as the route would', async () => {
    const rule = sims.core.faults.add({
      match: { provider: 'aligo', operation: 'send', account: user },
      effect: { type: 'provider-error', error: '-201' },
      times: 1,
    })
    const res = await send({ receiver: '01013130000', msg: 'x' })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ result_code: -201, message: '포인트가 부족합니다.' })
    expect((await send({ receiver: '01013130000', msg: 'x' })).json.result_code).toBe('1')
    sims.core.faults.remove(rule.id)
  })

  it('makes the captured IP refusal from -101 with params.ip', async () => {
    const rule = sims.core.faults.add({
      match: { provider: 'aligo', operation: 'remain', account: user },
      effect: { type: 'provider-error', error: '-101', params: { ip: true } },
    })
    expect((await post('/remain/', {})).text).toBe(
      '{"result_code":-101,"message":"\\uc778\\uc99d\\uc624\\ub958\\uc785\\ub2c8\\ub2e4.-IP"}',
    )
    sims.core.faults.remove(rule.id)
  })
})
