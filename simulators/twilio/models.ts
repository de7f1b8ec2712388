import { z } from 'zod'
import { rememberLast } from '../core/remember.ts'
import { Collection } from '../core/store.ts'
import { twilioError } from './errors.ts'

/**
 * Twilio's resources as they go on the wire (snake_case, dates as Twilio
 * writes them: RFC 2822 for 2010-04-01, ISO 8601 for Verify), the state of
 * one account, and the named transitions that move a resource between
 * statuses (an illegal move throws Twilio's own error).
 */

export const API_VERSION = '2010-04-01'

/** Remembers the last second: a create and its lifecycle steps format the same second several times. */
const rfc2822OfSecond = rememberLast((second: number) =>
  new Date(second * 1000).toUTCString().replace('GMT', '+0000'),
)

/** `Thu, 24 Aug 2023 05:01:45 +0000`, as the 2010-04-01 API writes dates. */
export function rfc2822(ms: number): string {
  return rfc2822OfSecond(Math.floor(ms / 1000))
}

/** `2026-01-05T10:00:00Z`, as Verify writes dates (no milliseconds). */
export function iso8601(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// ------------------------------------------------------------------ messages

export const MessageStatus = z.enum([
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
])
export type MessageStatus = z.infer<typeof MessageStatus>

export const Message = z.object({
  account_sid: z.string(),
  api_version: z.literal(API_VERSION),
  body: z.string(),
  date_created: z.string(),
  date_sent: z.string().nullable(),
  date_updated: z.string(),
  direction: z.enum(['inbound', 'outbound-api', 'outbound-call', 'outbound-reply']),
  error_code: z.number().int().nullable(),
  error_message: z.string().nullable(),
  from: z.string().nullable(),
  messaging_service_sid: z.string().nullable(),
  num_media: z.string(),
  num_segments: z.string(),
  price: z.string().nullable(),
  price_unit: z.string(),
  sid: z.string(),
  status: MessageStatus,
  subresource_uris: z.record(z.string(), z.string()),
  to: z.string(),
  uri: z.string(),
})
export type Message = z.infer<typeof Message>

/** A stored message: the wire object plus what only the simulator knows. */
export interface StoredMessage {
  id: string
  wire: Message
  statusCallback: string | undefined
  /** How the lifecycle ends, decided at creation from the recipient. */
  outcome: {
    status: 'delivered' | 'undelivered' | 'failed'
    errorCode: number | null
    errorMessage: string | null
  }
  /** Virtual epoch ms a scheduled message goes out (ScheduleType=fixed). */
  sendAt: number | undefined
  mediaUrls: string[]
}

/** Which status may follow which: the lifecycle a created outbound message walks. */
const MESSAGE_MOVES: Partial<Record<MessageStatus, MessageStatus[]>> = {
  accepted: ['queued', 'failed', 'canceled'],
  scheduled: ['queued', 'canceled'],
  queued: ['sending', 'failed', 'canceled'],
  sending: ['sent', 'failed', 'undelivered'],
  sent: ['delivered', 'undelivered'],
}

/** Moves a message to its next status; an illegal move is Twilio's 20001 (the simulator's own lifecycle never makes one). */
export function moveMessage(message: StoredMessage, to: MessageStatus, now: number): void {
  const from = message.wire.status
  if (!MESSAGE_MOVES[from]?.includes(to))
    throw twilioError('20001', { message: `Cannot change message status from ${from} to ${to}` })
  message.wire.status = to
  message.wire.date_updated = rfc2822(now)
  if (to === 'sent') message.wire.date_sent = rfc2822(now)
  if (to === 'undelivered' || to === 'failed') {
    message.wire.error_code = message.outcome.errorCode
    message.wire.error_message = message.outcome.errorMessage
  }
}

// --------------------------------------------------------------------- calls

export const CallStatus = z.enum([
  'queued',
  'ringing',
  'in-progress',
  'canceled',
  'completed',
  'failed',
  'busy',
  'no-answer',
])
export type CallStatus = z.infer<typeof CallStatus>

export const Call = z.object({
  account_sid: z.string(),
  annotation: z.string().nullable(),
  answered_by: z.string().nullable(),
  api_version: z.literal(API_VERSION),
  caller_name: z.string().nullable(),
  date_created: z.string(),
  date_updated: z.string(),
  direction: z.string(),
  duration: z.string().nullable(),
  end_time: z.string().nullable(),
  forwarded_from: z.string().nullable(),
  from: z.string(),
  from_formatted: z.string(),
  group_sid: z.string().nullable(),
  parent_call_sid: z.string().nullable(),
  phone_number_sid: z.string().nullable(),
  price: z.string().nullable(),
  price_unit: z.string(),
  queue_time: z.string(),
  sid: z.string(),
  start_time: z.string().nullable(),
  status: CallStatus,
  subresource_uris: z.record(z.string(), z.string()),
  to: z.string(),
  to_formatted: z.string(),
  trunk_sid: z.string().nullable(),
  uri: z.string(),
})
export type Call = z.infer<typeof Call>

export const CallEvent = z.enum(['initiated', 'ringing', 'answered', 'completed'])
export type CallEvent = z.infer<typeof CallEvent>

export interface StoredCall {
  id: string
  wire: Call
  statusCallback: string | undefined
  events: CallEvent[]
  sequence: number
  outcome: 'completed' | 'busy' | 'no-answer' | 'failed'
  /** Seconds the answered call lasts before it completes on its own. */
  talkSeconds: number
  answeredAt: number | undefined
  timers: { cancel(): void }[]
}

const CALL_MOVES: Partial<Record<CallStatus, CallStatus[]>> = {
  queued: ['ringing', 'canceled', 'failed'],
  ringing: ['in-progress', 'canceled', 'busy', 'no-answer', 'failed'],
  'in-progress': ['completed'],
}

export const CALL_ENDED: CallStatus[] = ['canceled', 'completed', 'failed', 'busy', 'no-answer']

/** Moves a call; ending one that has ended is Twilio's 21220 ("Call is not in-progress"). */
export function moveCall(call: StoredCall, to: CallStatus, now: number): void {
  const from = call.wire.status
  if (!CALL_MOVES[from]?.includes(to)) throw twilioError('21220')
  call.wire.status = to
  call.wire.date_updated = rfc2822(now)
  if (to === 'in-progress') {
    call.answeredAt = now
    call.wire.start_time = rfc2822(now)
  }
  if (CALL_ENDED.includes(to)) {
    call.wire.end_time = rfc2822(now)
    const seconds =
      call.answeredAt === undefined ? 0 : Math.max(1, Math.round((now - call.answeredAt) / 1000))
    call.wire.duration = String(seconds)
    for (const timer of call.timers) timer.cancel()
    call.timers = []
  }
}

// -------------------------------------------------------------------- verify

export const VerifyService = z.object({
  sid: z.string(),
  account_sid: z.string(),
  friendly_name: z.string(),
  code_length: z.number().int(),
  lookup_enabled: z.boolean(),
  psd2_enabled: z.boolean(),
  skip_sms_to_landlines: z.boolean(),
  dtmf_input_required: z.boolean(),
  tts_name: z.string().nullable(),
  do_not_share_warning_enabled: z.boolean(),
  custom_code_enabled: z.boolean(),
  push: z.record(z.string(), z.unknown()),
  totp: z.record(z.string(), z.unknown()),
  default_template_sid: z.string().nullable(),
  whatsapp: z.record(z.string(), z.unknown()),
  verify_event_subscription_enabled: z.boolean(),
  date_created: z.string(),
  date_updated: z.string(),
  url: z.string(),
  links: z.record(z.string(), z.string()),
})
export type VerifyService = z.infer<typeof VerifyService>

export const VerificationStatus = z.enum([
  'pending',
  'approved',
  'canceled',
  'max_attempts_reached',
  'deleted',
  'failed',
  'expired',
])
export type VerificationStatus = z.infer<typeof VerificationStatus>

export const VerificationChannel = z.enum(['sms', 'call', 'email', 'whatsapp', 'sna', 'auto'])
export type VerificationChannel = z.infer<typeof VerificationChannel>

export const Verification = z.object({
  sid: z.string(),
  service_sid: z.string(),
  account_sid: z.string(),
  to: z.string(),
  channel: VerificationChannel,
  status: VerificationStatus,
  valid: z.boolean(),
  lookup: z.record(z.string(), z.unknown()),
  amount: z.string().nullable(),
  payee: z.string().nullable(),
  send_code_attempts: z.array(z.object({ time: z.string(), channel: z.string(), attempt_sid: z.string() })),
  sna: z.unknown().nullable(),
  date_created: z.string(),
  date_updated: z.string(),
  url: z.string(),
})
export type Verification = z.infer<typeof Verification>

export const VerificationCheck = z.object({
  sid: z.string(),
  service_sid: z.string(),
  account_sid: z.string(),
  to: z.string(),
  channel: VerificationChannel,
  status: VerificationStatus,
  valid: z.boolean(),
  amount: z.string().nullable(),
  payee: z.string().nullable(),
  sna_attempts_error_codes: z.array(z.unknown()),
  date_created: z.string(),
  date_updated: z.string(),
})
export type VerificationCheck = z.infer<typeof VerificationCheck>

export interface StoredVerification {
  id: string
  wire: Verification
  code: string
  checks: number
  /** Virtual epoch ms after which Twilio has deleted the verification (10 minutes). */
  expiresAt: number
}

/** Verify's limits (60202, 60203 pages): 5 checks, 5 sends, 10 minutes. */
export const VERIFY_LIMITS = { checks: 5, sends: 5, ttlMs: 10 * 60_000 } as const

/** A verification leaves `pending` only once: approved, canceled, or blocked by max attempts. */
export function moveVerification(
  verification: StoredVerification,
  to: VerificationStatus,
  now: number,
): void {
  if (verification.wire.status !== 'pending') throw twilioError('60200', { param: 'Status' })
  verification.wire.status = to
  verification.wire.valid = to === 'approved'
  verification.wire.date_updated = iso8601(now)
}

// ------------------------------------------------------------------- account

export interface ApiKey {
  id: string
  secret: string
  friendlyName: string
  created: number
}

/** One account's world, partitioned by AccountSid. */
export interface TwilioState {
  accountSid: string
  /** Remembered on first use (see README: "Credentials"). */
  authToken: string | undefined
  /** Virtual time the simulator first saw the account (its `date_created`). */
  firstSeen: number | undefined
  keys: Collection<ApiKey>
  messages: Collection<StoredMessage>
  calls: Collection<StoredCall>
  services: Collection<{ id: string; wire: VerifyService }>
  verifications: Collection<StoredVerification>
  /** Recipients who replied STOP: sends to them fail 21610. */
  optedOut: Set<string>
  /** Numbers that cannot receive SMS: 21614 / Verify 60205. */
  landlines: Set<string>
  /** A trial account may only send to verified numbers (21608). */
  trial: boolean
  verifiedNumbers: Set<string>
  /** Virtual times of recent requests, for the 20429 limit; those before `recentStart` have expired. */
  recent: number[]
  recentStart: number
  /** Requests per virtual second before 20429. */
  rateLimit: number
}

export function createState(account: string): TwilioState {
  return {
    accountSid: account,
    authToken: undefined,
    firstSeen: undefined,
    keys: new Collection(),
    messages: new Collection(),
    calls: new Collection(),
    services: new Collection(),
    verifications: new Collection(),
    optedOut: new Set(),
    landlines: new Set(),
    trial: false,
    verifiedNumbers: new Set(),
    recent: [],
    recentStart: 0,
    rateLimit: DEFAULT_RATE_LIMIT,
  }
}

/** @note Twilio documents a per-account concurrency limit but no number; 100 requests per second is the simulator's stand-in. */
export const DEFAULT_RATE_LIMIT = 100
