import { z } from 'zod'
import type { Ctx } from '../context.ts'
import { ApiError, badRequest, notFound } from '../errors.ts'
import { route } from '../http/api.ts'
import { newId } from '../ids.ts'
import { applyCredits } from './credits.ts'
import type { FlowModule } from './module.ts'
import { IdParams } from './schemas.ts'

const MESSAGE_COST = 1

/** A match row stores the pair in a fixed order so (a, b) and (b, a) are one match. */
const pair = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x])

async function requireProfile(ctx: Ctx, userId: string) {
  const [u] = await ctx.db.query<{ display_name: string | null }>(
    'SELECT display_name FROM users WHERE id = $1',
    [userId],
  )
  if (!u?.display_name)
    throw new ApiError(409, 'profile_required', 'Set up your profile first (PUT /v1/me/profile).')
}

async function memberMatch(ctx: Ctx, userId: string, matchId: string) {
  const [m] = await ctx.db.query<{ id: string; user_a: string; user_b: string }>(
    'SELECT * FROM matches WHERE id = $1',
    [matchId],
  )
  if (!m || (m.user_a !== userId && m.user_b !== userId)) throw notFound('Match', 'id')
  return m
}

export function matchingRoutes(ctx: Ctx) {
  return [
    route({
      method: 'GET',
      path: '/v1/discovery',
      operationId: 'discover',
      summary: 'Profiles to like: adults with a profile, not yourself, not already liked.',
      tag: 'matching',
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      handler: async ({ user, query }) => {
        await requireProfile(ctx, user.id)
        const rows = await ctx.db.query<{
          id: string
          display_name: string
          gender: string
          bio: string | null
          birth_date: string
        }>(
          `SELECT id, display_name, gender, bio, birth_date::text AS birth_date FROM users u
           WHERE u.id <> $1 AND u.display_name IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM likes l WHERE l.from_user = $1 AND l.to_user = u.id)
           ORDER BY u.created_at DESC LIMIT $2`,
          [user.id, query.limit],
        )
        return {
          data: rows.map((r) => ({
            id: r.id,
            displayName: r.display_name,
            gender: r.gender,
            bio: r.bio,
            birthYear: Number(r.birth_date.slice(0, 4)),
          })),
        }
      },
    }),
    route({
      method: 'POST',
      path: '/v1/users/:id/like',
      operationId: 'likeUser',
      summary: 'Like a profile; a mutual like creates a match and emails both users.',
      tag: 'matching',
      params: IdParams,
      errors: { 404: 'unknown user' },
      handler: async ({ user, params }) => {
        if (params.id === user.id) throw badRequest('invalid_request', 'You cannot like yourself.', 'id')
        await requireProfile(ctx, user.id)
        const [target] = await ctx.db.query(
          'SELECT id FROM users WHERE id = $1 AND display_name IS NOT NULL',
          [params.id],
        )
        if (!target) throw notFound('User', 'id')
        return ctx.db.transaction(async (tx) => {
          const now = ctx.clock.now()
          await tx.query(
            'INSERT INTO likes (from_user, to_user, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
            [user.id, params.id, now],
          )
          const back = await tx.query('SELECT 1 FROM likes WHERE from_user = $1 AND to_user = $2', [
            params.id,
            user.id,
          ])
          if (!back.length) return { liked: true, match: null }
          const [a, b] = pair(user.id, params.id)
          const created = await tx.query<{ id: string }>(
            'INSERT INTO matches (id, user_a, user_b, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_a, user_b) DO NOTHING RETURNING id',
            [newId('mat'), a, b, now],
          )
          const [match] = await tx.query<{ id: string }>(
            'SELECT id FROM matches WHERE user_a = $1 AND user_b = $2',
            [a, b],
          )
          // One email job per user, so a retry never re-sends the email the other user already got.
          if (created.length)
            for (const userId of [a, b])
              await ctx.enqueue(
                tx,
                'match.notify',
                { matchId: match!.id, userId },
                { dedupeKey: `match-notify:${match!.id}:${userId}` },
              )
          return { liked: true, match: { id: match!.id } }
        })
      },
    }),
    route({
      method: 'GET',
      path: '/v1/matches',
      operationId: 'listMatches',
      summary: "The user's matches.",
      tag: 'matching',
      handler: async ({ user }) => {
        const rows = await ctx.db.query<{
          id: string
          other: string
          display_name: string
          created_at: Date
        }>(
          `SELECT m.id, o.id AS other, o.display_name, m.created_at FROM matches m
           JOIN users o ON o.id = CASE WHEN m.user_a = $1 THEN m.user_b ELSE m.user_a END
           WHERE m.user_a = $1 OR m.user_b = $1 ORDER BY m.created_at DESC`,
          [user.id],
        )
        return {
          data: rows.map((r) => ({
            id: r.id,
            user: { id: r.other, displayName: r.display_name },
            createdAt: r.created_at.toISOString(),
          })),
        }
      },
    }),
    route({
      method: 'GET',
      path: '/v1/matches/:id/messages',
      operationId: 'listMessages',
      summary: 'Chat history of a match.',
      tag: 'matching',
      params: IdParams,
      handler: async ({ user, params }) => {
        await memberMatch(ctx, user.id, params.id)
        const rows = await ctx.db.query<{ id: string; sender_id: string; body: string; created_at: Date }>(
          'SELECT id, sender_id, body, created_at FROM chat_messages WHERE match_id = $1 ORDER BY created_at, id',
          [params.id],
        )
        return {
          data: rows.map((r) => ({
            id: r.id,
            senderId: r.sender_id,
            text: r.body,
            createdAt: r.created_at.toISOString(),
          })),
        }
      },
    }),
    route({
      method: 'POST',
      path: '/v1/matches/:id/messages',
      operationId: 'sendMessage',
      summary: 'Send a chat message; costs 1 credit (402 insufficient_credits when the balance is 0).',
      tag: 'matching',
      status: 201,
      params: IdParams,
      body: z.object({ text: z.string().trim().min(1).max(2000) }),
      errors: { 402: 'not enough credits', 404: 'unknown match' },
      handler: async ({ user, params, body }) => {
        await memberMatch(ctx, user.id, params.id)
        return ctx.db.transaction(async (tx) => {
          const id = newId('msg')
          const now = ctx.clock.now()
          await tx.query(
            'INSERT INTO chat_messages (id, match_id, sender_id, body, created_at) VALUES ($1, $2, $3, $4, $5)',
            [id, params.id, user.id, body.text, now],
          )
          // The debit is a guarded UPDATE in the message's transaction: no credit, no message.
          const balance = await applyCredits(tx, {
            userId: user.id,
            delta: -MESSAGE_COST,
            reason: 'chat-message',
            ref: `message:${id}`,
            at: now,
            allowNegative: ctx.defects.has('chat-without-credit-check'),
          })
          return { id, text: body.text, senderId: user.id, createdAt: now.toISOString(), credits: balance }
        })
      },
    }),
  ]
}

export function matchingJobs(ctx: Ctx) {
  return {
    'match.notify': async (payload: Record<string, unknown>) => {
      const users = await ctx.db.query<{ id: string; email: string | null; display_name: string }>(
        `SELECT u.id, COALESCE(u.email, cv.email) AS email, u.display_name FROM matches m
         JOIN users u ON u.id IN (m.user_a, m.user_b)
         LEFT JOIN LATERAL (SELECT email FROM company_verifications c WHERE c.user_id = u.id AND c.status = 'verified' ORDER BY created_at DESC LIMIT 1) cv ON true
         WHERE m.id = $1`,
        [payload.matchId],
      )
      for (const u of users.filter((x) => x.id === payload.userId)) {
        const other = users.find((o) => o.id !== u.id)
        if (!u.email || !other) continue
        await ctx.gateways.email.send({
          to: u.email,
          subject: `It's a match with ${other.display_name}!`,
          text: `You and ${other.display_name} liked each other. Say hello in the app.`,
          customArgs: { match_id: String(payload.matchId) },
          categories: ['match'],
        })
      }
    },
  }
}

/** Discovery, likes, matches, paid chat. */
export const matching: FlowModule = { routes: matchingRoutes, jobs: matchingJobs }
