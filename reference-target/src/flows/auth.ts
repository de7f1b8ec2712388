import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { Ctx } from '../context.ts'
import type { Queryable } from '../db/database.ts'
import { ApiError } from '../errors.ts'
import type { AuthUser } from '../http/api.ts'
import { sha256 } from '../ids.ts'

/** Mobile-app style long sessions; logout revokes. */
const SESSION_MS = 90 * 24 * 3600_000

/** Issues an opaque bearer token; only its hash is stored, so a database leak leaks no sessions. */
export async function createSession(
  ctx: Ctx,
  tx: Queryable,
  userId: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = `rt_${randomBytes(32).toString('base64url')}`
  const now = ctx.clock.now()
  const expiresAt = new Date(now.getTime() + SESSION_MS)
  await tx.query(
    'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
    [sha256(token), userId, now, expiresAt],
  )
  return { token, expiresAt }
}

export function authenticator(ctx: Ctx) {
  return async (request: FastifyRequest): Promise<AuthUser> => {
    const header = request.headers.authorization ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match)
      throw new ApiError(
        401,
        'unauthorized',
        'Send Authorization: Bearer <token> (from POST /v1/auth/otp/verify).',
        'authorization',
      )
    const rows = await ctx.db.query<AuthUser>(
      `SELECT u.id, u.phone FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [sha256(match[1]!), ctx.clock.now()],
    )
    if (!rows[0])
      throw new ApiError(401, 'unauthorized', 'The bearer token is unknown or expired.', 'authorization')
    return rows[0]
  }
}

export async function logout(ctx: Ctx, request: FastifyRequest): Promise<void> {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  if (token) await ctx.db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)])
}
