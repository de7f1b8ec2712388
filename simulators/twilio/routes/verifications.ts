import { z } from 'zod'
import type { PlainRequest } from '../../core/http.ts'
import type { ProviderContext } from '../../core/provider.ts'
import { twilioError } from '../errors.ts'
import {
  iso8601,
  moveVerification,
  type StoredVerification,
  type TwilioState,
  VERIFY_LIMITS,
  VerificationChannel,
  type VerifyService,
} from '../models.ts'
import { param } from '../params.ts'
import { toE164 } from '../phone.ts'
import { notFound, twilioRoute, verifyBase } from '../route.ts'
import { LANDLINES } from '../test-values.ts'
import { findService } from './verify-services.ts'

/**
 * Verify v2 verifications: start (and resend) a code, fetch, cancel/approve.
 *
 * Lifecycle (Twilio's 60202/60203 pages): a verification lives 10 minutes,
 * takes 5 sends and 5 checks; once approved, canceled or expired it is gone
 * (a later fetch or check is 20404).
 */

const VerificationCreate = z.object({
  To: param,
  Channel: param,
  CustomCode: param,
  CustomFriendlyName: param,
  Locale: param,
})

/** The channel address a verification is sent to: E.164 for phones, an address for email. */
function recipient(channel: VerificationChannel, raw: string): string | undefined {
  if (channel === 'email')
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw.trim()) ? raw.trim().toLowerCase() : undefined
  return toE164(raw)
}

/** The verification, unless Twilio has deleted it by now (10 minutes after it started). */
export function liveVerification(
  ctx: ProviderContext<TwilioState>,
  v: StoredVerification | undefined,
): StoredVerification | undefined {
  if (!v) return undefined
  if (ctx.clock.now() >= v.expiresAt) {
    ctx.state.verifications.delete(v.id)
    return undefined
  }
  return v
}

/** The pending verification of a service for a recipient, if one is live. */
export function pendingFor(
  ctx: ProviderContext<TwilioState>,
  serviceSid: string,
  to: string,
): StoredVerification | undefined {
  const found = ctx.state.verifications.find(
    (v) => v.wire.service_sid === serviceSid && v.wire.to === to && v.wire.status === 'pending',
  )
  return liveVerification(ctx, found)
}

function digits(ctx: ProviderContext<TwilioState>, length: number): string {
  let code = ''
  for (let i = 0; i < length; i++) code += Math.floor(ctx.random() * 10).toString()
  return code
}

/** Sends the code to the recipient's inbox on the verification's channel (Twilio's own SMS wording). */
function deliver(
  ctx: ProviderContext<TwilioState>,
  service: VerifyService,
  v: StoredVerification,
  name: string,
) {
  const text = `Your ${name} verification code is: ${v.code}`
  const meta = { verificationSid: v.wire.sid, serviceSid: service.sid, channel: v.wire.channel }
  const channel = v.wire.channel === 'email' ? 'email' : v.wire.channel === 'call' ? 'voice' : 'sms'
  ctx.inbox.capture({
    channel,
    to: v.wire.to,
    from: name,
    ...(channel === 'email' ? { subject: `${name} verification code` } : {}),
    text,
    meta,
  })
}

function startOrResend(
  req: PlainRequest,
  ctx: ProviderContext<TwilioState>,
  input: z.output<typeof VerificationCreate>,
) {
  const service = findService(req, ctx)
  if (!input.To) throw twilioError('60200', { param: 'To' })
  if (!input.Channel) throw twilioError('60200', { param: 'Channel' })
  const parsedChannel = VerificationChannel.safeParse(input.Channel)
  // `sna` needs a mobile data session the simulator has no stand-in for; `auto` picks SMS, as it does for mobiles.
  if (!parsedChannel.success || parsedChannel.data === 'sna') throw twilioError('60200', { param: 'Channel' })
  const channel = parsedChannel.data === 'auto' ? 'sms' : parsedChannel.data
  const to = recipient(channel, input.To)
  if (!to) throw twilioError('60200', { param: 'To' })
  if (channel === 'sms' && (LANDLINES.has(to) || ctx.state.landlines.has(to))) throw twilioError('60205')
  if (input.CustomCode !== undefined && !/^[0-9A-Za-z]{4,10}$/.test(input.CustomCode))
    throw twilioError('60200', { param: 'CustomCode' })

  const now = ctx.clock.now()
  const attempt = {
    time: iso8601(now),
    channel: channel.toUpperCase(),
    attempt_sid: ctx.ids.mint('VL', 32, 'hex'),
  }
  const name = input.CustomFriendlyName || service.friendly_name
  const existing = pendingFor(ctx, service.sid, to)
  if (existing) {
    // A start while one is pending is a resend: same sid, same code, one more send attempt.
    if (existing.wire.send_code_attempts.length >= VERIFY_LIMITS.sends) throw twilioError('60203')
    existing.wire.send_code_attempts.push(attempt)
    existing.wire.channel = channel
    existing.wire.date_updated = iso8601(now)
    deliver(ctx, service, existing, name)
    return existing
  }
  const sid = ctx.ids.mint('VE', 32, 'hex')
  const v: StoredVerification = {
    id: sid,
    code: input.CustomCode ?? digits(ctx, service.code_length),
    checks: 0,
    expiresAt: now + VERIFY_LIMITS.ttlMs,
    wire: {
      sid,
      service_sid: service.sid,
      account_sid: ctx.state.accountSid,
      to,
      channel,
      status: 'pending',
      valid: false,
      lookup: {},
      amount: null,
      payee: null,
      send_code_attempts: [attempt],
      sna: null,
      date_created: iso8601(now),
      date_updated: iso8601(now),
      url: `${verifyBase()}/Services/${service.sid}/Verifications/${sid}`,
    },
  }
  ctx.state.verifications.insert(v)
  deliver(ctx, service, v, name)
  return v
}

function findVerification(req: PlainRequest, ctx: ProviderContext<TwilioState>): StoredVerification {
  const service = findService(req, ctx)
  const sid = req.params.Sid ?? ''
  // Verify also accepts the recipient (E.164 or email) in place of the sid.
  const byId = ctx.state.verifications.get(sid)
  const found =
    byId?.wire.service_sid === service.sid
      ? byId
      : ctx.state.verifications.find(
          (v) => v.wire.service_sid === service.sid && v.wire.to === sid && v.wire.status === 'pending',
        )
  const v = liveVerification(ctx, found)
  if (!v) throw notFound(req)
  return v
}

export const verificationRoutes = [
  ...twilioRoute({
    operation: 'verify.verifications.create',
    method: 'POST',
    product: 'verify',
    path: '/Services/:ServiceSid/Verifications',
    input: VerificationCreate,
    handler: (req, ctx, input) => ({ status: 201, body: startOrResend(req, ctx, input).wire }),
  }),
  ...twilioRoute({
    operation: 'verify.verifications.fetch',
    method: 'GET',
    product: 'verify',
    path: '/Services/:ServiceSid/Verifications/:Sid',
    handler: (req, ctx) => ({ status: 200, body: findVerification(req, ctx).wire }),
  }),
  ...twilioRoute({
    operation: 'verify.verifications.update',
    method: 'POST',
    product: 'verify',
    path: '/Services/:ServiceSid/Verifications/:Sid',
    input: z.object({ Status: param }),
    handler: (req, ctx, input) => {
      const v = findVerification(req, ctx)
      if (input.Status !== 'canceled' && input.Status !== 'approved')
        throw twilioError('60200', { param: 'Status' })
      moveVerification(v, input.Status, ctx.clock.now())
      // The lifecycle has ended: Twilio deletes the verification.
      ctx.state.verifications.delete(v.id)
      return { status: 200, body: v.wire }
    },
  }),
]
