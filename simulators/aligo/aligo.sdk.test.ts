import { createRequire } from 'node:module'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { aligo, configureAligoAccount } from './index.ts'

/**
 * The `aligoapi` npm client (1.1.3), unchanged, pointed at the simulator the
 * way sdk-clients.md says: an interceptor on its own nested axios rewrites
 * the hard-coded https://apis.aligo.in / kakaoapi.aligo.in URLs. It posts
 * multipart with a stray `uri` field and resolves business errors.
 */
const require = createRequire(import.meta.url)
type Api = Record<string, (req: unknown, auth: Record<string, string>) => Promise<Record<string, unknown>>>
const aligoapi = require('aligoapi') as Api
const aligoAxios = require(require.resolve('axios', { paths: [path.dirname(require.resolve('aligoapi'))] }))

let sims: RunningProviders
let interceptor: number
const auth = { key: 'sdkkey00000000000000000000000000', user_id: 'sdkshop' }
const kakaoAuth = { apikey: auth.key, userid: auth.user_id }
/** aligoapi reads an Express-like request: headers to pick the parser, body for the fields. */
const req = (body: Record<string, string>) => ({ headers: { 'content-type': 'application/json' }, body })

beforeAll(async () => {
  sims = await startProviders([aligo])
  sims.core.clock.setScale(0)
  sims.core.clock.set(Date.UTC(2026, 10, 21, 1, 0, 0)) // 10:00 KST
  interceptor = aligoAxios.interceptors.request.use((cfg: { url: string }) => {
    const u = new URL(cfg.url)
    cfg.url = sims.url('aligo') + u.pathname + u.search
    return cfg
  })
})
afterAll(async () => {
  aligoAxios.interceptors.request.eject(interceptor)
  await sims.close()
})

describe('aligoapi against the simulator', () => {
  it('send: Korean SMS resolves with the success body and reaches the inbox', async () => {
    const res = await aligoapi.send!(
      req({ sender: '025114560', receiver: '010-2000-0001', msg: '[standin] 인증번호 271828' }),
      auth,
    )
    expect(res).toMatchObject({
      result_code: '1',
      message: 'success',
      success_cnt: 1,
      error_cnt: 0,
      msg_type: 'SMS',
    })
    const message = sims.core.inbox.latest({ provider: 'aligo', to: '+821020000001' })
    expect(message?.text).toBe('[standin] 인증번호 271828')
    // The stray `uri` field aligoapi adds was tolerated, and the request was multipart.
    const entry = sims.core.journal.list({ provider: 'aligo', operation: 'send' })[0]!
    expect(entry.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect(entry.body).toMatchObject({ uri: 'https://apis.aligo.in/send/' })
  })

  it('send: a long text comes back as LMS; testmode_yn in the auth object delivers nothing', async () => {
    const long = await aligoapi.send!(
      req({ sender: '025114560', receiver: '01020000002', msg: '긴 안내 문자입니다. '.repeat(10) }),
      auth,
    )
    expect(long.msg_type).toBe('LMS')
    const test = await aligoapi.send!(req({ sender: '025114560', receiver: '01020000003', msg: 'x' }), {
      ...auth,
      testmode_yn: 'Y',
    })
    expect(test.result_code).toBe('1')
    expect(sims.core.inbox.list({ to: '01020000003' })).toHaveLength(0)
  })

  it('resolves (never rejects) Aligo errors: wrong key, unregistered sender', async () => {
    await expect(
      aligoapi.remain!(req({}), { key: 'wrong-key', user_id: auth.user_id }),
    ).resolves.toMatchObject({ result_code: -101 })
    await expect(
      aligoapi.send!(req({ sender: '0299999999', receiver: '01020000004', msg: 'x' }), auth),
    ).resolves.toEqual({
      result_code: -302,
      message: '발신번호가 등록되지 않았습니다.',
    })
  })

  it('remain, sendMass, list, smsList', async () => {
    configureAligoAccount(sims.runtime('aligo'), auth.user_id, { points: 84 })
    expect(await aligoapi.remain!(req({}), auth)).toEqual({
      result_code: 1,
      message: 'success',
      SMS_CNT: 10,
      LMS_CNT: 3,
      MMS_CNT: 1,
    })
    const mass = await aligoapi.sendMass!(
      req({
        sender: '025114560',
        msg_type: 'SMS',
        cnt: '2',
        rec_1: '01020000005',
        msg_1: '하나',
        rec_2: '01020000006',
        msg_2: '둘',
      }),
      auth,
    )
    expect(mass).toMatchObject({ result_code: '1', success_cnt: 2 })
    expect((await aligoapi.remain!(req({}), auth)).SMS_CNT).toBe(8)
    const listed = await aligoapi.list!(req({ page: '1', page_size: '30' }), auth)
    expect((listed.list as { mid: string }[])[0]!.mid).toBe(mass.msg_id)
    sims.core.clock.advance(5_000)
    const detail = await aligoapi.smsList!(req({ mid: String(mass.msg_id) }), auth)
    expect(
      (detail.list as { receiver: string; sms_state: string }[]).map((r) => [r.receiver, r.sms_state]),
    ).toEqual([
      ['01020000005', '발송완료'],
      ['01020000006', '발송완료'],
    ])
  })

  it('reserves and cancels', async () => {
    configureAligoAccount(sims.runtime('aligo'), auth.user_id, { points: 1000 })
    const reserved = await aligoapi.send!(
      req({ sender: '025114560', receiver: '01020000007', msg: '예약', rdate: '20261121', rtime: '1200' }),
      auth,
    )
    expect(reserved).toMatchObject({ result_code: '1', message: 'reserved' })
    expect(await aligoapi.cancel!(req({ mid: String(reserved.msg_id) }), auth)).toMatchObject({
      result_code: 1,
      cancel_date: '2026-11-21 10:00:05',
    })
    expect(await aligoapi.cancel!(req({ mid: String(reserved.msg_id) }), auth)).toMatchObject({
      result_code: -803,
    })
  })

  it('forwards an Express multipart request with an image as MMS (aligoapi re-parses it with multiparty)', async () => {
    const boundary = '----standin'
    const part = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
    const body = Buffer.concat([
      Buffer.from(part('sender', '025114560') + part('receiver', '01020000008') + part('msg', '사진 첨부')),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      Buffer.from('ffd8ffe000104a464946', 'hex'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const incoming = Object.assign(new PassThrough(), {
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.length),
      },
    })
    incoming.end(body)
    const res = await aligoapi.send!(incoming, auth)
    expect(res).toMatchObject({ result_code: '1', msg_type: 'MMS' })
    expect(sims.core.inbox.latest({ to: '01020000008' })?.text).toBe('사진 첨부')
  })
})

describe('aligoapi Kakao calls', () => {
  it('creates a token (URL without trailing slash), sends AlimTalk, reads its history and the balance', async () => {
    const token = await aligoapi.token!(req({ type: 's', time: '30' }), kakaoAuth)
    expect(token).toMatchObject({ code: 0, token: expect.stringMatching(/^\w{64}$/) })
    const sent = await aligoapi.alimtalkSend!(
      req({
        senderkey: 'sk_standin',
        tpl_code: 'TP_0001',
        sender: '025114560',
        receiver_1: '01020000009',
        subject_1: '가입 인증',
        message_1: '[standin] 인증번호는 314159 입니다.',
      }),
      { ...kakaoAuth, token: String(token.token) },
    )
    expect(sent).toMatchObject({
      code: 0,
      message: '성공적으로 전송요청 하였습니다.',
      info: { type: 'AT', scnt: 1, fcnt: 0, unit: 6.5 },
    })
    expect(sims.core.inbox.latest({ to: '01020000009', channel: 'kakao' })?.text).toBe(
      '[standin] 인증번호는 314159 입니다.',
    )
    const info = sent.info as { mid: string }
    sims.core.clock.advance(5_000)
    const history = await aligoapi.historyDetail!(req({ mid: info.mid }), kakaoAuth)
    expect(history).toMatchObject({ code: 0, totalCount: '1' })
    expect((history.list as Record<string, string>[])[0]).toMatchObject({
      phone: '01020000009',
      rslt: '0',
      tpl_code: 'TP_0001',
    })
    const heart = await aligoapi.kakaoRemain!(req({}), kakaoAuth)
    expect(heart).toMatchObject({ code: 1, list: { ALT_CNT: expect.any(Number) } })
  })
})
