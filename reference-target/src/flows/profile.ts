import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { newId, sha256 } from '../ids.ts'
import type { FlowModule } from './module.ts'
import { Email } from './schemas.ts'
import { currentSubscription, isPremium } from './subscriptions/model.ts'

const LINK_TTL_MS = 24 * 3600_000
const ADULT_YEARS = 18

export const Profile = z.object({
  displayName: z.string().trim().min(1).max(50),
  birthDate: z.iso.date(),
  gender: z.enum(['female', 'male', 'other']),
  bio: z.string().max(500).optional(),
  email: Email.optional(),
})

function ageOn(birthDate: string, now: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number]
  let age = now.getUTCFullYear() - y
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--
  return age
}

export async function loadMe(ctx: Ctx, userId: string) {
  const [u] = await ctx.db.query<Record<string, unknown>>(
    'SELECT *, birth_date::text AS birth_date_text FROM users WHERE id = $1',
    [userId],
  )
  if (!u) throw notFound('User')
  const [company] = await ctx.db.query<Record<string, unknown>>(
    'SELECT id, company_name, email, status, failure_reason, verified_at FROM company_verifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
    [userId],
  )
  const subscription = await currentSubscription(ctx.db, userId)
  return {
    id: u.id,
    phone: u.phone,
    profile: u.display_name
      ? {
          displayName: u.display_name,
          birthDate: u.birth_date_text,
          gender: u.gender,
          bio: u.bio ?? null,
          email: u.email ?? null,
        }
      : null,
    credits: u.credits,
    premium: {
      active: isPremium(subscription, ctx.clock.nowMs()),
      status: subscription?.status ?? null,
      currentPeriodEnd: subscription?.current_period_end?.toISOString() ?? null,
    },
    companyVerification: company
      ? {
          id: company.id,
          companyName: company.company_name,
          email: company.email,
          status: company.status,
          failureReason: company.failure_reason ?? null,
        }
      : null,
  }
}

export function profileRoutes(ctx: Ctx) {
  return [
    route({
      method: 'GET',
      path: '/v1/me',
      operationId: 'getMe',
      summary: 'The signed-in user: profile, credit balance, premium and company verification status.',
      tag: 'profile',
      handler: ({ user }) => loadMe(ctx, user.id),
    }),
    route({
      method: 'PUT',
      path: '/v1/me/profile',
      operationId: 'setProfile',
      summary: 'Set up the profile (adults only).',
      tag: 'profile',
      body: Profile,
      errors: { 422: 'under 18' },
      handler: async ({ user, body }) => {
        if (!ctx.defects.has('underage-allowed') && ageOn(body.birthDate, ctx.clock.now()) < ADULT_YEARS)
          throw new ApiError(422, 'underage', 'You must be 18 or older to use this service.', 'birthDate')
        await ctx.db.query(
          'UPDATE users SET display_name = $2, birth_date = $3, gender = $4, bio = $5, email = $6 WHERE id = $1',
          [user.id, body.displayName, body.birthDate, body.gender, body.bio ?? null, body.email ?? null],
        )
        return loadMe(ctx, user.id)
      },
    }),
    route({
      method: 'POST',
      path: '/v1/me/company-verification',
      operationId: 'startCompanyVerification',
      summary: 'Send a one-time verification link to a work email (through SendGrid).',
      tag: 'profile',
      status: 202,
      body: z.object({ companyName: z.string().trim().min(1).max(100), email: Email }),
      handler: async ({ user, body }) => {
        const token = randomBytes(24).toString('base64url')
        const id = newId('cv')
        const now = ctx.clock.now()
        await ctx.db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO company_verifications (id, user_id, company_name, email, token_hash, status, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
            [
              id,
              user.id,
              body.companyName,
              body.email.toLowerCase(),
              sha256(token),
              new Date(now.getTime() + LINK_TTL_MS),
              now,
            ],
          )
          // The email goes through the job table: a SendGrid outage delays it, never loses it.
          await ctx.enqueue(tx, 'email.company-verification', { verificationId: id, token })
        })
        return { id, status: 'pending', email: body.email.toLowerCase() }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/company-verifications/:token',
      operationId: 'confirmCompanyEmail',
      summary: 'The one-time link in the verification email: marks the company verified.',
      tag: 'profile',
      auth: false,
      params: z.object({ token: z.string().min(10).max(200) }),
      errors: { 404: 'unknown link', 410: 'link expired or already used' },
      handler: async ({ params }) => {
        const [row] = await ctx.db.query<{ id: string; status: string; expires_at: Date; user_id: string }>(
          'SELECT id, status, expires_at, user_id FROM company_verifications WHERE token_hash = $1',
          [sha256(params.token)],
        )
        if (!row) throw notFound('Verification link', 'token')
        if (row.status === 'verified')
          throw new ApiError(410, 'link_used', 'This link was already used.', 'token')
        if (row.expires_at.getTime() < ctx.clock.nowMs())
          throw new ApiError(410, 'link_expired', 'This link has expired.', 'token')
        await ctx.db.query(
          `UPDATE company_verifications SET status = 'verified', verified_at = $2 WHERE id = $1`,
          [row.id, ctx.clock.now()],
        )
        return { id: row.id, status: 'verified' }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/me/notifications',
      operationId: 'listNotifications',
      summary: 'Messages for the user (e.g. "your work email bounced").',
      tag: 'profile',
      handler: async ({ user }) => {
        const rows = await ctx.db.query<{ id: string; kind: string; message: string; created_at: Date }>(
          'SELECT id, kind, message, created_at FROM notifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT 100',
          [user.id],
        )
        return {
          data: rows.map((r) => ({
            id: r.id,
            kind: r.kind,
            message: r.message,
            createdAt: r.created_at.toISOString(),
          })),
        }
      },
    }),
  ]
}

export function profileJobs(ctx: Ctx) {
  return {
    'email.company-verification': async (payload: Record<string, unknown>) => {
      const [row] = await ctx.db.query<{ id: string; email: string; company_name: string; status: string }>(
        'SELECT id, email, company_name, status FROM company_verifications WHERE id = $1',
        [payload.verificationId],
      )
      if (row?.status !== 'pending') return
      const link = `${ctx.publicUrl()}/v1/company-verifications/${payload.token}`
      await ctx.gateways.email.send({
        to: row.email,
        subject: `Verify your work email at ${row.company_name}`,
        text: `Confirm that you work at ${row.company_name} by opening this link: ${link}\nThe link expires in 24 hours.`,
        html: `<p>Confirm that you work at ${row.company_name}: <a href="${link}">${link}</a></p>`,
        customArgs: { verification_id: row.id },
        categories: ['company-verification'],
      })
    },
  }
}

/** A bounce or drop for a verification email: the address is undeliverable, and the user is told. */
export async function markEmailUndeliverable(
  ctx: Ctx,
  input: { email: string; verificationId?: string | undefined; reason: string },
) {
  if (ctx.defects.has('email-bounce-ignored')) return
  const rows = await ctx.db.query<{ id: string; user_id: string; email: string }>(
    `UPDATE company_verifications SET status = 'undeliverable', failure_reason = $3
     WHERE status = 'pending' AND (id = $1 OR email = $2) RETURNING id, user_id, email`,
    [input.verificationId ?? '', input.email.toLowerCase(), input.reason],
  )
  for (const row of rows)
    await ctx.db.query(
      'INSERT INTO notifications (id, user_id, kind, message, created_at) VALUES ($1, $2, $3, $4, $5)',
      [
        newId('ntf'),
        row.user_id,
        'company_email_undeliverable',
        `We could not deliver the verification email to ${row.email} (${input.reason}). Check the address and try again.`,
        ctx.clock.now(),
      ],
    )
}

/** Profile, work-email verification by SendGrid, notifications. */
export const profile: FlowModule = { routes: profileRoutes, jobs: profileJobs }
