import { ProviderError } from '../core/errors.ts'
import type { PlainResponse } from '../core/http.ts'
import type { CatalogueEntry, ErrorCatalogue } from '../core/provider.ts'

/**
 * Twilio's error catalogue, named by Twilio's own numeric codes so a fault
 * rule reads like the docs (`{ type: 'provider-error', error: '21211' }`).
 * Every error goes on the wire as Twilio's legacy JSON body:
 * `{ code, message, more_info, status }` (the shape `RestException` reads).
 * Messages follow the wording Twilio's docs and API return where it is known;
 * `params` fill in numbers and names (`{ to: '+1...' }`).
 */
export function twilioBody(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }
}

type Params = Record<string, unknown>
const str = (p: Params, key: string, fallback: string) => (p[key] === undefined ? fallback : String(p[key]))

function entry(
  status: number,
  code: number,
  summary: string,
  message: (p: Params) => string,
  headers?: Record<string, string>,
): CatalogueEntry {
  return {
    summary,
    respond: (p) => ({
      status,
      ...(headers ? { headers } : {}),
      body: twilioBody(status, code, p.message === undefined ? message(p) : String(p.message)),
    }),
  }
}

export const errors = {
  // --- account and request level
  '20001': entry(400, 20001, 'unknown parameter or value', (p) => str(p, 'detail', 'Invalid parameter')),
  '20003': entry(401, 20003, 'authentication failed', (p) => str(p, 'reason', 'Authenticate')),
  '20004': entry(405, 20004, 'method not allowed', () => 'Method not allowed'),
  '20404': entry(
    404,
    20404,
    'resource not found',
    (p) => `The requested resource ${str(p, 'resource', '')} was not found`,
  ),
  '20429': entry(
    429,
    20429,
    'too many requests (per-account concurrency limit); never processed, safe to retry',
    () => 'Too many requests',
  ),
  '20500': entry(500, 20500, 'Twilio internal error', () => 'An internal server error has occurred'),
  // --- Messages (Programmable Messaging)
  '21211': entry(
    400,
    21211,
    "invalid 'To' number",
    (p) => `The 'To' number ${str(p, 'to', '')} is not a valid phone number.`,
  ),
  '21212': entry(
    400,
    21212,
    "invalid 'From' number",
    (p) =>
      `The 'From' number ${str(p, 'from', '')} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
  ),
  '21408': entry(
    400,
    21408,
    'no geographic permission for the destination',
    (p) =>
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${str(p, 'to', '')}.`,
  ),
  '21602': entry(400, 21602, 'neither Body nor MediaUrl given', () => 'Message body is required.'),
  '21603': entry(
    400,
    21603,
    'neither From nor MessagingServiceSid given',
    () => "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
  ),
  '21604': entry(
    400,
    21604,
    "'To' missing (also when the body was JSON, not a form)",
    () => "A 'To' phone number is required.",
  ),
  '21606': entry(
    400,
    21606,
    "'From' is not a message-capable number of the account",
    (p) =>
      `The 'From' phone number provided (${str(p, 'from', '')}) is not a valid message-capable Twilio phone number for this destination/account.`,
  ),
  '21608': entry(
    400,
    21608,
    'trial account sending to an unverified number',
    (p) =>
      `The number ${str(p, 'to', '')} is unverified. Trial accounts cannot send messages to unverified numbers; verify ${str(p, 'to', '')} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers.`,
  ),
  '21609': entry(
    400,
    21609,
    'StatusCallback is not a valid URL',
    (p) => `The StatusCallback URL ${str(p, 'url', '')} is not a valid URL.`,
  ),
  '21610': entry(
    400,
    21610,
    'recipient opted out (replied STOP)',
    () => 'Attempt to send to unsubscribed recipient',
  ),
  '21611': entry(
    400,
    21611,
    "the 'From' number's queue is full",
    () => "This 'From' number has exceeded the maximum number of queued messages",
  ),
  '21612': entry(
    400,
    21612,
    "cannot route to 'To'",
    (p) =>
      `The 'To' phone number: ${str(p, 'to', '')}, is not currently reachable using the 'From' phone number: ${str(p, 'from', '')} via SMS.`,
  ),
  '21614': entry(
    400,
    21614,
    "'To' cannot receive SMS (landline)",
    (p) => `'To' number ${str(p, 'to', '')} is not a valid mobile number`,
  ),
  '21617': entry(
    400,
    21617,
    'body over 1600 characters',
    () => 'The concatenated message body exceeds the 1600 character limit.',
  ),
  // --- Message Scheduling
  '35111': entry(
    400,
    35111,
    'ScheduleType=fixed without SendAt',
    () => "You must indicate SendAt timestamp if ScheduleType is 'fixed'.",
  ),
  '35115': entry(
    400,
    35115,
    'SendAt outside 5 minutes to 35 days ahead, or not YYYY-MM-DDTHH:MM:SSZ',
    () => 'Scheduling does not support this timestamp',
  ),
  '35118': entry(
    400,
    35118,
    'scheduling without a Messaging Service',
    () => 'MessagingServiceSid is required to schedule a message',
  ),
  '35126': entry(
    400,
    35126,
    "ScheduleType other than 'fixed'",
    () => 'The ScheduleType value provided is not supported for this channel',
  ),
  // --- Voice (Calls)
  '21201': entry(400, 21201, "'To' missing on a call", () => "No 'To' number is specified"),
  '21205': entry(
    400,
    21205,
    "'Url' is not a valid URL",
    (p) => `Url is not a valid URL: ${str(p, 'url', '')}`,
  ),
  '21210': entry(
    400,
    21210,
    "call 'From' is not a verified caller ID or Twilio number",
    (p) =>
      `The source phone number provided, ${str(p, 'from', '')}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.`,
  ),
  '21213': entry(400, 21213, "'From' missing on a call", () => "No 'From' number is specified"),
  '21214': entry(
    400,
    21214,
    "call 'To' cannot be reached",
    (p) => `'To' phone number cannot be reached: ${str(p, 'to', '')}`,
  ),
  '21215': entry(
    400,
    21215,
    'no geographic permission to call the destination',
    (p) =>
      `Account not authorized to call ${str(p, 'to', '')}. Perhaps you need to enable some international permissions.`,
  ),
  '21216': entry(
    400,
    21216,
    "call 'To' is blocked",
    (p) => `Call blocked by Twilio blocklist: ${str(p, 'to', '')}`,
  ),
  '21220': entry(
    400,
    21220,
    'the call is not in progress (already ended)',
    () => 'Call is not in-progress. Cannot redirect.',
  ),
  '21217': entry(
    400,
    21217,
    "call 'To' is not a valid phone number",
    (p) => `Phone number does not appear to be valid: ${str(p, 'to', '')}`,
  ),
  // --- Verify v2
  '60200': entry(
    400,
    60200,
    'Verify: invalid parameter',
    (p) => `Invalid parameter: ${str(p, 'param', 'To')}`,
  ),
  '60202': entry(429, 60202, 'Verify: max (5) check attempts reached', () => 'Max check attempts reached'),
  '60203': entry(429, 60203, 'Verify: max (5) send attempts reached', () => 'Max send attempts reached'),
  '60205': entry(
    403,
    60205,
    'Verify: SMS is not supported by landline phone number',
    () => 'SMS is not supported by landline phone number',
  ),
  '60212': entry(
    429,
    60212,
    'Verify: too many concurrent requests for one phone number',
    () => 'Too many concurrent requests for phone number',
  ),
} satisfies ErrorCatalogue

export type TwilioErrorCode = keyof typeof errors

/** The response a catalogue entry gives, for places that return rather than throw. */
export function twilioResponse(code: TwilioErrorCode, params: Params = {}): PlainResponse {
  return errors[code].respond(params)
}

/** Throws Twilio's own error: handlers and state transitions end with this on illegal input or moves. */
export function twilioError(code: TwilioErrorCode, params: Params = {}): ProviderError {
  return new ProviderError(errors[code].respond(params), `twilio ${code}`)
}
