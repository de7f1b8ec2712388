import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { aligo } from './index.ts'

/**
 * Input Aligo's PHP never sees as fields (JSON, broken multipart, over-size
 * bodies, other methods) reaches it without credentials: HTTP 200 and -101.
 * Fields it does see but dislikes get their own negative code. After each,
 * the simulator still serves a good request.
 */
let sims: RunningProviders
const creds = { key: 'k3y0000000000000000000000000test', user_id: 'badinput' }
const AUTH_ERROR = { result_code: -101, message: '인증오류입니다.' }

beforeAll(async () => {
  sims = await startProviders([aligo])
})
afterAll(() => sims.close())

async function raw(path: string, init: RequestInit) {
  const res = await fetch(sims.url('aligo') + path, init)
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, text, json }
}

const form = (params: Record<string, string>) =>
  raw('/send/', { method: 'POST', body: new URLSearchParams({ ...creds, sender: '025114560', ...params }) })

async function stillServes() {
  const res = await form({ receiver: '01012345678', msg: 'still here' })
  expect(res.json).toMatchObject({ result_code: '1' })
}

describe('bodies PHP cannot read', () => {
  it('answers a JSON body as missing credentials (Aligo reads forms only)', async () => {
    const res = await raw('/send/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...creds, sender: '025114560', receiver: '01012345678', msg: 'x' }),
    })
    expect(res).toMatchObject({ status: 200, json: AUTH_ERROR })
    await stillServes()
  })

  it('answers a multipart body without a boundary, or with a broken one, as missing credentials', async () => {
    const noBoundary = await raw('/send/', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'key=x',
    })
    expect(noBoundary).toMatchObject({ status: 200, json: AUTH_ERROR })
    const broken = await raw('/send/', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=____boundary____' },
      body: '--____boundary____\r\nContent-Disposition: form-data; name="key"\r\n\r\nunterminated',
    })
    expect(broken).toMatchObject({ status: 200, json: AUTH_ERROR })
    await stillServes()
  })

  it('answers an unknown content type and a text body as missing credentials', async () => {
    for (const type of ['application/xml', 'text/plain']) {
      const res = await raw('/send/', {
        method: 'POST',
        headers: { 'content-type': type },
        body: `key=${creds.key}`,
      })
      expect(res).toMatchObject({ status: 200, json: AUTH_ERROR })
    }
    await stillServes()
  })

  it('answers a body past the limit (PHP post_max_size empties $_POST) with -101, and the Kakao API with -99', async () => {
    const huge = `${new URLSearchParams(creds)}&msg=${'a'.repeat(3 * 1024 * 1024)}`
    const sms = await rawNode('/send/', huge)
    expect(sms.status).toBe(200)
    expect(JSON.parse(sms.body)).toEqual(AUTH_ERROR)
    const kakao = await rawNode('/akv10/alimtalk/send/', huge)
    expect(JSON.parse(kakao.body)).toMatchObject({ code: -99 })
    await stillServes()
  })

  it('answers GET on an API path as missing credentials and an unknown path with a 404 page', async () => {
    expect(await raw(`/send/?${new URLSearchParams(creds)}`, { method: 'GET' })).toMatchObject({
      status: 200,
      json: AUTH_ERROR,
    })
    const missing = await raw('/sendd/', { method: 'POST', body: new URLSearchParams(creds) })
    expect(missing.status).toBe(404)
    expect(missing.text).toContain('404 Not Found')
    await stillServes()
  })
})

describe('fields Aligo reads but refuses', () => {
  it('refuses an empty, missing or bracketed msg with -102', async () => {
    for (const params of [{ receiver: '01012345678' }, { receiver: '01012345678', msg: '' }] as Record<
      string,
      string
    >[]) {
      expect((await form(params)).json).toMatchObject({ result_code: -102 })
    }
    const bracketed = await raw('/send/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${new URLSearchParams({ ...creds, sender: '025114560', receiver: '01012345678' })}&msg[]=x`,
    })
    expect(bracketed.json).toMatchObject({ result_code: -102 })
  })

  it('refuses a message over 2000 EUC-KR bytes with -102 (1001 Hangul)', async () => {
    expect((await form({ receiver: '01012345678', msg: '한'.repeat(1001) })).json).toMatchObject({
      result_code: -102,
    })
    expect((await form({ receiver: '01012345678', msg: '한'.repeat(1000) })).json).toMatchObject({
      msg_type: 'LMS',
    })
  })

  it('answers bad numbers: no receiver or none valid -301, over 1000 receivers -102', async () => {
    expect((await form({ msg: 'x' })).json).toMatchObject({ result_code: -301 })
    expect((await form({ receiver: '+821012345678,02-123-4567,abc', msg: 'x' })).json).toEqual({
      result_code: -301,
      message: '수신번호가 올바르지 않습니다.',
    })
    const many = Array.from({ length: 1001 }, (_, i) => `0101${String(i).padStart(7, '0')}`).join(',')
    expect((await form({ receiver: many, msg: 'x' })).json).toMatchObject({ result_code: -102 })
    await stillServes()
  })

  it('refuses an unknown msg_type and a missing sender with -102, a non-image MMS attachment too', async () => {
    expect((await form({ receiver: '01012345678', msg: 'x', msg_type: 'FAX' })).json).toMatchObject({
      result_code: -102,
    })
    expect((await form({ receiver: '01012345678', msg: 'x', sender: '' })).json).toMatchObject({
      result_code: -102,
    })
    const body = new FormData()
    for (const [k, v] of Object.entries({ ...creds, sender: '025114560', receiver: '01012345678', msg: 'x' }))
      body.append(k, v)
    body.append('image', new Blob(['MZ'], { type: 'application/x-msdownload' }), 'a.exe')
    expect((await raw('/send/', { method: 'POST', body })).json).toMatchObject({ result_code: -102 })
  })

  it('sends text that was not UTF-8 with the undecodable bytes shown as ?', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${new URLSearchParams({ ...creds, sender: '025114560', receiver: '01044448888' })}&msg=`),
      Buffer.from('%C7%D1%B1%DB'), // "한글" in EUC-KR, percent-encoded: not UTF-8
    ])
    const res = await raw('/send/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: bytes,
    })
    expect(res.json).toMatchObject({ result_code: '1' })
    expect(sims.core.inbox.latest({ to: '01044448888' })!.text).toMatch(/^\?+$/)
  })

  it('refuses Kakao credential names on the SMS API and SMS ones on the Kakao API', async () => {
    const sms = await raw('/send/', {
      method: 'POST',
      body: new URLSearchParams({ apikey: creds.key, userid: creds.user_id }),
    })
    expect(sms.json).toEqual(AUTH_ERROR)
    const kakao = await raw('/akv10/heartinfo/', { method: 'POST', body: new URLSearchParams(creds) })
    expect(kakao.json).toEqual({
      code: -99,
      message: '계정 아이디(=userid) 파라메더 정보가 전달되지 않았습니다.',
    })
  })
})

/** A raw POST that tolerates the server answering before the whole body is sent. */
function rawNode(path: string, body: string): Promise<{ status: number; body: string }> {
  const url = new URL(sims.url('aligo') + path)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
