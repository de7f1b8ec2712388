import { createRequire } from 'node:module'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { handlerFor, standinHandlers } from '../core/transports/msw.ts'
import { aligo } from './index.ts'

/**
 * In-process, no port: msw answers Aligo's real hosts, so an app (or aligoapi
 * with its hard-coded https URLs) needs no change at all. One provider serves
 * both hosts, as on its own port.
 */
const { handlers, core } = standinHandlers({
  providers: [aligo],
  baseUrls: { aligo: 'https://apis.aligo.in' },
})
const server = setupServer(...handlers, handlerFor(core.provider('aligo'), 'https://kakaoapi.aligo.in'))
const aligoapi = createRequire(import.meta.url)('aligoapi') as Record<
  string,
  (req: unknown, auth: Record<string, string>) => Promise<Record<string, unknown>>
>

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => {
  server.close()
  core.clock.clearTimers()
})

it('answers fetch on https://apis.aligo.in/send/ and captures the SMS', async () => {
  const res = await fetch('https://apis.aligo.in/send/', {
    method: 'POST',
    body: new URLSearchParams({
      key: 'mswkey',
      user_id: 'msw',
      sender: '025114560',
      receiver: '01050000001',
      msg: '인증번호 123456',
    }),
  })
  expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8')
  expect(await res.json()).toMatchObject({ result_code: '1', msg_type: 'SMS' })
  expect(core.inbox.latest({ to: '+821050000001' })?.text).toBe('인증번호 123456')
})

it('serves aligoapi unchanged, SMS and Kakao hosts alike', async () => {
  const req = (body: Record<string, string>) => ({ headers: {}, body })
  const sent = await aligoapi.send!(
    req({ sender: '025114560', receiver: '01050000002', msg: 'no interceptor' }),
    {
      key: 'mswkey',
      user_id: 'msw',
    },
  )
  expect(sent).toMatchObject({ result_code: '1', success_cnt: 1 })
  const heart = await aligoapi.kakaoRemain!(req({}), { apikey: 'mswkey', userid: 'msw' })
  expect(heart).toMatchObject({ code: 1, list: { SMS_CNT: expect.any(Number) } })
})
