import mailPkg from '@sendgrid/mail'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { standinHandlers } from '../core/transports/msw.ts'
import { sendgrid } from './index.ts'

/** In-process: the SDK keeps its real host (api.sendgrid.com); msw hands the requests to the simulator. */
const { handlers, core } = standinHandlers({
  providers: [sendgrid],
  baseUrls: { sendgrid: 'https://api.sendgrid.com' },
})
const server = setupServer(...handlers)

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => {
  server.close()
  core.clock.clearTimers()
})

it('@sendgrid/mail against the real host, answered in-process', async () => {
  const { MailService } = mailPkg as unknown as { MailService: new () => typeof mailPkg }
  const sgMail = new MailService()
  sgMail.setApiKey('SG.msw.secret')
  const [response] = await sgMail.send({
    to: 'msw@example.com',
    from: 'noreply@example.com',
    subject: 'In process',
    text: 'hello',
  })
  expect(response.statusCode).toBe(202)
  expect(response.headers['x-message-id']).toMatch(/^[A-Za-z0-9]{22}$/)
  const message = await core.inbox.waitFor({ to: 'msw@example.com' }, 3_000)
  expect(message?.subject).toBe('In process')
  const bad = await sgMail.send({ to: 'x', from: 'noreply@example.com', subject: 's', text: 't' }).then(
    () => undefined,
    (error: { code: number }) => error.code,
  )
  expect(bad).toBe(400)
})
