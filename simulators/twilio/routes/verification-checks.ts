import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { twilioError } from '../errors.ts'
import {
  moveVerification,
  type StoredVerification,
  type TwilioState,
  VERIFY_LIMITS,
  type VerificationCheck,
} from '../models.ts'
import { param } from '../params.ts'
import { toE164 } from '../phone.ts'
import { notFound, twilioRoute } from '../route.ts'
import { liveVerification, pendingFor } from './verifications.ts'
import { findService } from './verify-services.ts'

/**
 * `POST /v2/Services/{ServiceSid}/VerificationCheck`.
 *
 * - right code → 200 `approved`, `valid: true`; the verification is then deleted;
 * - wrong code → 200 `pending`, `valid: false` (one of 5 check attempts);
 * - a 6th check → 429 / 60202, and the verification is deleted;
 * - no live verification (never started, approved, canceled, expired, max
 *   attempts reached) → 404 / 20404,
 *   "The requested resource /Services/VA…/VerificationCheck was not found".
 */

const CheckInput = z.object({ Code: param, To: param, VerificationSid: param, Amount: param, Payee: param })

function checkBody(v: StoredVerification): VerificationCheck {
  const w = v.wire
  return {
    sid: w.sid,
    service_sid: w.service_sid,
    account_sid: w.account_sid,
    to: w.to,
    channel: w.channel,
    status: w.status,
    valid: w.valid,
    amount: w.amount,
    payee: w.payee,
    sna_attempts_error_codes: [],
    date_created: w.date_created,
    date_updated: w.date_updated,
  }
}

function target(ctx: ProviderContext<TwilioState>, serviceSid: string, input: z.output<typeof CheckInput>) {
  if (input.VerificationSid) {
    const v = ctx.state.verifications.get(input.VerificationSid)
    return v?.wire.service_sid === serviceSid && v.wire.status === 'pending'
      ? liveVerification(ctx, v)
      : undefined
  }
  const to = toE164(input.To!) ?? input.To!.trim().toLowerCase()
  return pendingFor(ctx, serviceSid, to)
}

export const verificationCheckRoutes = [
  ...twilioRoute({
    operation: 'verify.verification_checks.create',
    method: 'POST',
    product: 'verify',
    path: '/Services/:ServiceSid/VerificationCheck',
    input: CheckInput,
    handler: (req, ctx, input) => {
      const service = findService(req, ctx)
      if (!input.Code) throw twilioError('60200', { param: 'Code' })
      if (!/^[0-9A-Za-z]{4,10}$/.test(input.Code)) throw twilioError('60200', { param: 'Code' })
      if (!input.To && !input.VerificationSid) throw twilioError('60200', { param: 'To' })
      const v = target(ctx, service.sid, input)
      if (!v) throw notFound(req)
      if (v.checks >= VERIFY_LIMITS.checks) {
        // Twilio deletes a verification once max check attempts are reached: this check is 60202, the next 20404.
        moveVerification(v, 'max_attempts_reached', ctx.clock.now())
        ctx.state.verifications.delete(v.id)
        throw twilioError('60202')
      }
      v.checks++
      if (input.Code === v.code) {
        moveVerification(v, 'approved', ctx.clock.now())
        ctx.state.verifications.delete(v.id)
      }
      return { status: 200, body: checkBody(v) }
    },
  }),
]
