import { describe, expect, it } from 'vitest'
import { configFromEnv } from '../src/config.ts'

describe('configuration', () => {
  it('defaults to standin’s ports and documented test credentials', () => {
    const c = configFromEnv({})
    expect(c).toMatchObject({ port: 4800, host: '127.0.0.1', defects: [], testClock: false })
    expect(c.twilio.baseUrl).toBe('http://127.0.0.1:4701')
    expect(c.toss.baseUrl).toBe('http://127.0.0.1:4706')
    expect(c.retry.maxAttempts).toBe(4)
  })

  it('reads defects, the test clock and provider URLs from the environment', () => {
    const c = configFromEnv({
      REFERENCE_DEFECTS: 'skip-webhook-signature, no-sms-failover',
      REFERENCE_TEST_CLOCK: '1',
      STRIPE_BASE_URL: 'https://api.stripe.com',
      DATABASE_URL: 'postgres://x',
    })
    expect(c.defects).toEqual(['skip-webhook-signature', 'no-sms-failover'])
    expect(c.testClock).toBe(true)
    expect(c.stripe.baseUrl).toBe('https://api.stripe.com')
    expect(c.databaseUrl).toBe('postgres://x')
  })

  it('refuses an unknown defect with a clear message', () => {
    expect(() => configFromEnv({ REFERENCE_DEFECTS: 'bogus' })).toThrow(
      /Known defects: skip-webhook-signature/,
    )
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(/port/)
  })
})
