import type { TwilioErrorCode } from './errors.ts'

/**
 * Twilio's documented magic numbers (the "Test Credentials" page), honoured
 * for every account so an app's existing test suite passes unchanged, plus a
 * few standin-only numbers for what Twilio's test credentials cannot show
 * (delivery failures after acceptance).
 *
 * @note Twilio only honours the magic numbers with test credentials, and with
 * them any other `From` fails 21606. The simulator cannot tell test from live
 * credentials, so it honours the magic numbers always and accepts any other
 * well-formed `From`.
 */

/** Messages `From` → the error a create answers (Twilio: Test Credentials). */
export const MESSAGE_FROM: Record<string, TwilioErrorCode> = {
  '+15005550001': '21212',
  '+15005550007': '21606',
  '+15005550008': '21611',
}

/** Messages `To` → the error a create answers (Twilio: Test Credentials). */
export const MESSAGE_TO: Record<string, TwilioErrorCode> = {
  '+15005550001': '21211',
  '+15005550002': '21612',
  '+15005550003': '21408',
  '+15005550004': '21610',
  '+15005550009': '21614',
}

/** The `From` that passes every check with test credentials. */
export const VALID_FROM = '+15005550006'

/** Calls `From` → error (Twilio: Test Credentials; other unverified From would be 21210 with test credentials). */
export const CALL_FROM: Record<string, TwilioErrorCode> = {
  '+15005550001': '21212',
}

/** Calls `To` → error (Twilio: Test Credentials). */
export const CALL_TO: Record<string, TwilioErrorCode> = {
  '+15005550001': '21217',
  '+15005550002': '21214',
  '+15005550003': '21215',
  '+15005550004': '21216',
}

/**
 * standin-only: recipients whose message is accepted (201 queued) and then
 * ends `undelivered` or `failed` with this delivery error code, on the
 * virtual clock, with the status callbacks that go with it.
 */
export const DELIVERY_FAILURES: Record<
  string,
  { status: 'undelivered' | 'failed'; errorCode: number; errorMessage: string }
> = {
  '+15005550030': {
    status: 'undelivered',
    errorCode: 30003,
    errorMessage: 'Unreachable destination handset',
  },
  '+15005550031': { status: 'undelivered', errorCode: 30005, errorMessage: 'Unknown destination handset' },
  '+15005550032': {
    status: 'undelivered',
    errorCode: 30006,
    errorMessage: 'Landline or unreachable carrier',
  },
  '+15005550033': { status: 'undelivered', errorCode: 30007, errorMessage: 'Message filtered' },
  '+15005550034': { status: 'failed', errorCode: 30034, errorMessage: 'Message from an unregistered number' },
  '+15005550035': { status: 'failed', errorCode: 30008, errorMessage: 'Unknown error' },
}

/**
 * standin-only: call recipients and how the call ends (Twilio's test
 * credentials never place a call, so there is nothing to copy).
 */
export const CALL_OUTCOMES: Record<string, 'busy' | 'no-answer' | 'failed'> = {
  '+15005550040': 'busy',
  '+15005550041': 'no-answer',
  '+15005550042': 'failed',
}

/** Numbers the simulator treats as landlines (SMS → 21614 / Verify sms → 60205) besides those an account marks. */
export const LANDLINES = new Set(['+15005550009'])
