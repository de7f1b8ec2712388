import { describe, expect, it } from 'vitest'
import { VirtualClock } from './clock.ts'
import { MessageInbox } from './messages.ts'

const sms = (to: string, text: string) => ({
  provider: 'p',
  account: 'a',
  channel: 'sms' as const,
  to,
  from: '1588',
  text,
})

describe('message inbox', () => {
  it('keeps at least the newest `capacity` messages and forgets older ones in batches', () => {
    const inbox = new MessageInbox(new VirtualClock({ scale: 0 }), 10)
    for (let i = 1; i <= 100; i++) inbox.capture(sms('01012345678', `code ${1000 + i}`))
    const kept = inbox.list({ limit: 1000 })
    expect(kept[0]!.text).toBe('code 1100')
    expect(kept.length).toBeGreaterThanOrEqual(10)
    expect(kept.length).toBeLessThanOrEqual(11)
    expect(kept.map((m) => m.text)).toEqual(kept.map((_, i) => `code ${1100 - i}`))
  })

  it('a waiter gets the first message for its recipient, in any phone format', async () => {
    const inbox = new MessageInbox(new VirtualClock({ scale: 0 }))
    const waiting = inbox.waitFor({ to: '+82 10-1234-5678' }, 5_000)
    inbox.capture(sms('01099999999', 'not yours 1111'))
    inbox.capture(sms('01012345678', 'yours 2222'))
    expect((await waiting)?.text).toBe('yours 2222')
  })
})
