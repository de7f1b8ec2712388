import { z } from 'zod'
import { fail, sgError } from '../errors.ts'
import { isValidEmail } from '../mail-validation.ts'
import type { SuppressionEntry, SuppressionKind } from '../models.ts'
import { addSuppression } from '../suppressions.ts'
import { body, noContent, parse, sgRoute } from './common.ts'

/**
 * Suppression lists (`/v3/suppression/*`, `/v3/asm/suppressions/global`).
 * Lists answer a bare JSON array; `start_time`/`end_time` (unix seconds,
 * inclusive), `limit`, `offset` and `email` (substring) filter it.
 */
const ListQuery = z.object({
  start_time: z.coerce.number().int().min(0).optional(),
  end_time: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  email: z.string().optional(),
})

const DeleteBody = z.union([
  z.object({ delete_all: z.literal(true) }),
  z.object({ delete_all: z.literal(false).optional(), emails: z.array(z.string()).min(1) }),
])

function list(entries: Iterable<SuppressionEntry>, query: z.output<typeof ListQuery>): SuppressionEntry[] {
  const needle = query.email?.toLowerCase()
  const out = [...entries]
    .filter(
      (e) =>
        (query.start_time === undefined || e.created >= query.start_time) &&
        (query.end_time === undefined || e.created <= query.end_time) &&
        (needle === undefined || e.email.includes(needle)),
    )
    .sort((a, b) => b.created - a.created)
  const offset = query.offset ?? 0
  return out.slice(offset, offset + (query.limit ?? 500))
}

/** The four lists that share one shape of routes. `unsubscribes` is only listed here; global unsubscribes are managed under /v3/asm. */
const KINDS: Exclude<SuppressionKind, 'unsubscribes'>[] = [
  'bounces',
  'blocks',
  'spam_reports',
  'invalid_emails',
]

const perKind = KINDS.flatMap((kind) => [
  sgRoute({
    operation: `suppression.${kind}.list`,
    method: 'GET',
    path: `/v3/suppression/${kind}`,
    handler: (req, ctx) => ({
      status: 200,
      body: list(ctx.state.suppressions[kind].values(), parse(ListQuery, req.query)),
    }),
  }),
  sgRoute({
    operation: `suppression.${kind}.get`,
    method: 'GET',
    path: `/v3/suppression/${kind}/:email`,
    handler: (req, ctx) => {
      const entry = ctx.state.suppressions[kind].get(req.params.email!.toLowerCase())
      return { status: 200, body: entry ? [entry] : [] }
    },
  }),
  sgRoute({
    operation: `suppression.${kind}.delete_many`,
    method: 'DELETE',
    path: `/v3/suppression/${kind}`,
    handler: (req, ctx) => {
      const input = parse(DeleteBody, body(req))
      if ('emails' in input)
        for (const email of input.emails) ctx.state.suppressions[kind].delete(email.toLowerCase())
      else ctx.state.suppressions[kind].clear()
      return noContent()
    },
  }),
  sgRoute({
    operation: `suppression.${kind}.delete`,
    method: 'DELETE',
    path: `/v3/suppression/${kind}/:email`,
    handler: (req, ctx) => {
      ctx.state.suppressions[kind].delete(req.params.email!.toLowerCase())
      return noContent()
    },
  }),
])

export const suppressions = [
  ...perKind,
  sgRoute({
    operation: 'suppression.unsubscribes.list',
    method: 'GET',
    path: '/v3/suppression/unsubscribes',
    handler: (req, ctx) => ({
      status: 200,
      body: list(ctx.state.suppressions.unsubscribes.values(), parse(ListQuery, req.query)).map(
        ({ created, email }) => ({ created, email }),
      ),
    }),
  }),
  sgRoute({
    operation: 'asm.suppressions.global.create',
    method: 'POST',
    path: '/v3/asm/suppressions/global',
    handler: (req, ctx) => {
      const input = parse(z.object({ recipient_emails: z.array(z.string()).min(1) }), body(req))
      const bad = input.recipient_emails.findIndex((e) => !isValidEmail(e))
      if (bad >= 0) fail(sgError(400, 'email address is invalid', `recipient_emails.${bad}`))
      for (const email of input.recipient_emails)
        addSuppression(ctx.state, 'unsubscribes', email, ctx.clock.unix(), {})
      return { status: 201, body: { recipient_emails: input.recipient_emails } }
    },
  }),
  sgRoute({
    operation: 'asm.suppressions.global.get',
    method: 'GET',
    path: '/v3/asm/suppressions/global/:email',
    handler: (req, ctx) => {
      const email = req.params.email!
      return {
        status: 200,
        body: ctx.state.suppressions.unsubscribes.has(email.toLowerCase()) ? { recipient_email: email } : {},
      }
    },
  }),
  sgRoute({
    operation: 'asm.suppressions.global.delete',
    method: 'DELETE',
    path: '/v3/asm/suppressions/global/:email',
    handler: (req, ctx) => {
      ctx.state.suppressions.unsubscribes.delete(req.params.email!.toLowerCase())
      return noContent()
    },
  }),
]
