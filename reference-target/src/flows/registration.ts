import { timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, badRequest } from '../errors.ts'
import { route } from '../http/api.ts'
import { newId, numericCode, sha256 } from '../ids.ts'
import { createSession, logout } from './auth.ts'
import type { FlowModule } from './module.ts'
import { Phone } from './schemas.ts'
import { sendSms } from './sms.ts'

const HOUR = 3600_000
const hashCode = (challengeId: string, code: string) => sha256(`${challengeId}:${code}`)

interface Challenge {
  id: string
  code_hash: string
  status: string
  attempts: number
  expires_at: Date
  created_at: Date
}

/** Resend cooldown, then per-phone and per-IP hourly limits; 429 with Retry-After. */
async function checkRateLimits(ctx: Ctx, phone: string, ip: string): Promise<void> {
  if (ctx.defects.has('no-otp-rate-limit')) return
  const { otp } = ctx.config
  const now = ctx.clock.nowMs()
  const since = new Date(now - HOUR)
  const [last] = await ctx.db.query<{ created_at: Date }>(
    'SELECT created_at FROM otp_challenges WHERE phone = $1 ORDER BY created_at DESC LIMIT 1',
    [phone],
  )
  if (last && now - last.created_at.getTime() < otp.resendCooldownMs) {
    const wait = Math.ceil((otp.resendCooldownMs - (now - last.created_at.getTime())) / 1000)
    throw new ApiError(429, 'otp_cooldown', `Wait ${wait}s before requesting another code.`, 'phone', {
      retryAfterSeconds: wait,
    })
  }
  const [perPhone] = await ctx.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM otp_challenges WHERE phone = $1 AND created_at > $2',
    [phone, since],
  )
  if (perPhone!.n >= otp.perPhonePerHour)
    throw new ApiError(
      429,
      'otp_rate_limited',
      'Too many codes requested for this phone; try again later.',
      'phone',
      { retryAfterSeconds: 3600 },
    )
  const [perIp] = await ctx.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM otp_challenges WHERE ip = $1 AND created_at > $2',
    [ip, since],
  )
  if (perIp!.n >= otp.perIpPerHour)
    throw new ApiError(
      429,
      'otp_rate_limited',
      'Too many codes requested from this network; try again later.',
      undefined,
      { retryAfterSeconds: 3600 },
    )
}

export function registrationRoutes(ctx: Ctx) {
  return [
    route({
      method: 'POST',
      path: '/v1/auth/otp',
      operationId: 'startPhoneVerification',
      summary:
        'Send a 6-digit sign-in code by SMS (+82 through Aligo, others through Twilio, with failover).',
      tag: 'auth',
      auth: false,
      status: 202,
      body: z.object({ phone: Phone }),
      response: z.object({
        challengeId: z.string(),
        provider: z.string(),
        expiresAt: z.string(),
        resendAfterSeconds: z.number(),
      }),
      errors: { 429: 'cooldown or rate limit (Retry-After)', 503: 'no SMS provider could send the code' },
      handler: async ({ body, ip, reply }) => {
        await checkRateLimits(ctx, body.phone, ip)
        const id = newId('otp')
        const code = numericCode(6)
        const now = ctx.clock.now()
        const expiresAt = new Date(now.getTime() + ctx.config.otp.ttlMs)
        // A new code replaces any earlier one for this phone.
        await ctx.db.query(
          `UPDATE otp_challenges SET status = 'replaced' WHERE phone = $1 AND status = 'sent'`,
          [body.phone],
        )
        await ctx.db.query(
          `INSERT INTO otp_challenges (id, phone, ip, code_hash, status, expires_at, created_at) VALUES ($1, $2, $3, $4, 'sending', $5, $6)`,
          [id, body.phone, ip, hashCode(id, code), expiresAt, now],
        )
        try {
          const sent = await sendSms(ctx, {
            to: body.phone,
            body: `[Reference] Your verification code is ${code}. It expires in 5 minutes.`,
            purpose: 'otp',
          })
          await ctx.db.query(`UPDATE otp_challenges SET status = 'sent', provider = $2 WHERE id = $1`, [
            id,
            sent.provider,
          ])
          reply.code(202)
          return {
            challengeId: id,
            provider: sent.provider,
            expiresAt: expiresAt.toISOString(),
            resendAfterSeconds: Math.ceil(ctx.config.otp.resendCooldownMs / 1000),
          }
        } catch {
          await ctx.db.query(`UPDATE otp_challenges SET status = 'failed' WHERE id = $1`, [id])
          throw new ApiError(
            503,
            'sms_unavailable',
            'We could not send the code right now; try again in a minute.',
          )
        }
      },
    }),
    route({
      method: 'POST',
      path: '/v1/auth/otp/verify',
      operationId: 'verifyPhone',
      summary: 'Check the code; answers a bearer session token (creates the account on first sign-in).',
      tag: 'auth',
      auth: false,
      body: z.object({
        phone: Phone,
        code: z
          .string()
          .trim()
          .regex(/^\d{6}$/, 'must be 6 digits'),
      }),
      response: z.object({
        token: z.string(),
        expiresAt: z.string(),
        user: z.object({ id: z.string(), phone: z.string() }),
        isNew: z.boolean(),
      }),
      errors: { 410: 'code expired', 422: 'wrong code', 429: 'too many wrong codes: request a new one' },
      handler: async ({ body }) => {
        const [challenge] = await ctx.db.query<Challenge>(
          `SELECT * FROM otp_challenges WHERE phone = $1 AND status IN ('sent', 'locked') ORDER BY created_at DESC LIMIT 1`,
          [body.phone],
        )
        if (!challenge)
          throw badRequest(
            'otp_not_requested',
            'No code was requested for this phone; call POST /v1/auth/otp first.',
            'phone',
          )
        const max = ctx.defects.has('otp-no-lockout') ? Number.POSITIVE_INFINITY : ctx.config.otp.maxAttempts
        if (challenge.status === 'locked' || challenge.attempts >= max)
          throw new ApiError(429, 'otp_locked', 'Too many wrong codes; request a new code.', 'code')
        if (!ctx.defects.has('otp-never-expires') && challenge.expires_at.getTime() <= ctx.clock.nowMs())
          throw new ApiError(410, 'otp_expired', 'This code has expired; request a new one.', 'code')
        const expected = Buffer.from(challenge.code_hash)
        const given = Buffer.from(hashCode(challenge.id, body.code))
        if (!timingSafeEqual(expected, given)) {
          // Count the wrong try atomically so parallel guesses cannot exceed the limit.
          const [row] = await ctx.db.query<{ attempts: number }>(
            `UPDATE otp_challenges SET attempts = attempts + 1,
               status = CASE WHEN attempts + 1 >= $2 THEN 'locked' ELSE status END
             WHERE id = $1 RETURNING attempts`,
            [challenge.id, Number.isFinite(max) ? max : 2_147_483_647],
          )
          const remaining = Math.max(0, ctx.config.otp.maxAttempts - row!.attempts)
          throw new ApiError(422, 'otp_invalid', `Wrong code; ${remaining} tries left.`, 'code', {
            remainingAttempts: remaining,
          })
        }
        return ctx.db.transaction(async (tx) => {
          const claimed = await tx.query(
            `UPDATE otp_challenges SET status = 'verified', verified_at = $2 WHERE id = $1 AND status = 'sent' RETURNING id`,
            [challenge.id, ctx.clock.now()],
          )
          if (!claimed.length)
            throw new ApiError(410, 'otp_expired', 'This code was already used; request a new one.', 'code')
          const now = ctx.clock.now()
          const inserted = await tx.query<{ id: string }>(
            'INSERT INTO users (id, phone, created_at) VALUES ($1, $2, $3) ON CONFLICT (phone) DO NOTHING RETURNING id',
            [newId('usr'), body.phone, now],
          )
          const [user] = await tx.query<{ id: string; phone: string }>(
            'SELECT id, phone FROM users WHERE phone = $1',
            [body.phone],
          )
          const session = await createSession(ctx, tx, user!.id)
          return {
            token: session.token,
            expiresAt: session.expiresAt.toISOString(),
            user: user!,
            isNew: inserted.length > 0,
          }
        })
      },
    }),
    route({
      method: 'POST',
      path: '/v1/auth/logout',
      operationId: 'logout',
      summary: 'Revoke the bearer token.',
      tag: 'auth',
      status: 204,
      handler: async ({ request, reply }) => {
        await logout(ctx, request)
        reply.code(204).send()
      },
    }),
  ]
}

/** Phone sign-up: OTP by SMS (with failover), verify, sessions. */
export const registration: FlowModule = { routes: registrationRoutes }
