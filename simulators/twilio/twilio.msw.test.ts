import { setupServer } from 'msw/node'
import twilioSdk from 'twilio'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { extractCode } from '../core/messages.ts'
import { handlerFor, standinHandlers } from '../core/transports/msw.ts'
import { twilio } from './index.ts'

/**
 * In-process, no port: msw answers Twilio's real hosts, so the official
 * library runs with no httpClient at all (only `keepAlive: false`). One provider serves both hosts and
 * tells them apart by Host, as on its own port.
 */
const { handlers, core } = standinHandlers({
  providers: [twilio],
  baseUrls: { twilio: 'https://api.twilio.com' },
})
const server = setupServer(...handlers, handlerFor(core.provider('twilio'), 'https://verify.twilio.com'))

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => {
  server.close()
  core.clock.clearTimers()
})

it('the unmodified twilio library sends an SMS and runs Verify against the real hosts', async () => {
  // keepAlive off: with the library's keep-alive agent, msw's interceptor answers but axios never sees the end of the response.
  const client = twilioSdk(`AC${'e'.repeat(32)}`, 'msw-token', { keepAlive: false })
  const message = await client.messages.create({ to: '+14155552671', from: '+15005550006', body: 'via msw' })
  expect(message.status).toBe('queued')
  expect(core.inbox.latest({ to: '+14155552671' })?.text).toBe('via msw')

  const service = await client.verify.v2.services.create({ friendlyName: 'Msw' })
  expect(service.url).toBe(`https://verify.twilio.com/v2/Services/${service.sid}`)
  await client.verify.v2.services(service.sid).verifications.create({ to: '+14155550199', channel: 'sms' })
  const code = extractCode(core.inbox.latest({ to: '+14155550199' })!.text)!
  const check = await client.verify.v2
    .services(service.sid)
    .verificationChecks.create({ to: '+14155550199', code })
  expect(check.status).toBe('approved')
})
