import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { fail, MESSAGES, sgError } from '../errors.ts'
import { isValidEmail } from '../mail-validation.ts'
import type { SendgridState, UnsubscribeGroup } from '../models.ts'
import { body, noContent, parse, sgRoute } from './common.ts'

/**
 * Unsubscribe groups (`/v3/asm/groups`) and their suppressions. A send with
 * `asm.group_id` is dropped (`Unsubscribed Address`) for recipients who left
 * that group; the group id must exist on the account.
 */
type Ctx = ProviderContext<SendgridState>

const MAX_GROUPS = 200

const GroupParams = z.object({
  name: z.string().min(1).max(30),
  description: z.string().max(100).optional(),
  is_default: z.boolean().optional(),
})
const Emails = z.object({ recipient_emails: z.array(z.string()).min(1) })

function group(ctx: Ctx, raw: string): UnsubscribeGroup {
  return ctx.state.groups.get(Number(raw)) ?? fail(sgError(404, MESSAGES.notFound))
}

const view = (g: UnsubscribeGroup) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  is_default: g.is_default,
  unsubscribes: g.suppressions.size,
})

function checkEmails(emails: string[]) {
  const bad = emails.findIndex((e) => !isValidEmail(e))
  if (bad >= 0) fail(sgError(400, 'email address is invalid', `recipient_emails.${bad}`))
}

/** Only one group can be the default: setting it clears the others. */
function setDefault(ctx: Ctx, g: UnsubscribeGroup, value: boolean | undefined) {
  if (value === undefined) return
  if (value) for (const other of ctx.state.groups.values()) other.is_default = false
  g.is_default = value
}

export const asmGroups = [
  sgRoute({
    operation: 'asm.groups.create',
    method: 'POST',
    path: '/v3/asm/groups',
    handler: (req, ctx) => {
      const input = parse(GroupParams, body(req))
      if (ctx.state.groups.size >= MAX_GROUPS)
        fail(sgError(400, `You have reached the maximum number of groups (${MAX_GROUPS}).`, 'name'))
      if ([...ctx.state.groups.values()].some((g) => g.name === input.name))
        fail(sgError(400, 'Another group with this name already exists.', 'name'))
      const g: UnsubscribeGroup = {
        id: ctx.state.nextGroupId++,
        name: input.name,
        description: input.description ?? '',
        is_default: false,
        suppressions: new Map(),
      }
      ctx.state.groups.set(g.id, g)
      setDefault(ctx, g, input.is_default)
      const { unsubscribes: _u, ...created } = view(g)
      return { status: 201, body: created }
    },
  }),
  sgRoute({
    operation: 'asm.groups.list',
    method: 'GET',
    path: '/v3/asm/groups',
    handler: (req, ctx) => {
      const ids = ([] as unknown[]).concat(req.query.id ?? []).map(Number)
      const all = [...ctx.state.groups.values()].filter((g) => ids.length === 0 || ids.includes(g.id))
      return { status: 200, body: all.map(view) }
    },
  }),
  sgRoute({
    operation: 'asm.groups.get',
    method: 'GET',
    path: '/v3/asm/groups/:group_id',
    handler: (req, ctx) => ({ status: 200, body: view(group(ctx, req.params.group_id!)) }),
  }),
  sgRoute({
    operation: 'asm.groups.update',
    method: 'PATCH',
    path: '/v3/asm/groups/:group_id',
    handler: (req, ctx) => {
      const g = group(ctx, req.params.group_id!)
      const input = parse(GroupParams.partial(), body(req))
      if (input.name !== undefined) g.name = input.name
      if (input.description !== undefined) g.description = input.description
      setDefault(ctx, g, input.is_default)
      // SendGrid's reference answers this update with 201.
      return { status: 201, body: view(g) }
    },
  }),
  sgRoute({
    operation: 'asm.groups.delete',
    method: 'DELETE',
    path: '/v3/asm/groups/:group_id',
    handler: (req, ctx) => {
      const g = group(ctx, req.params.group_id!)
      ctx.state.groups.delete(g.id)
      return noContent()
    },
  }),
  sgRoute({
    operation: 'asm.groups.suppressions.create',
    method: 'POST',
    path: '/v3/asm/groups/:group_id/suppressions',
    handler: (req, ctx) => {
      const g = group(ctx, req.params.group_id!)
      const input = parse(Emails, body(req))
      checkEmails(input.recipient_emails)
      for (const email of input.recipient_emails) g.suppressions.set(email.toLowerCase(), ctx.clock.unix())
      return { status: 201, body: { recipient_emails: input.recipient_emails } }
    },
  }),
  sgRoute({
    operation: 'asm.groups.suppressions.list',
    method: 'GET',
    path: '/v3/asm/groups/:group_id/suppressions',
    handler: (req, ctx) => ({ status: 200, body: [...group(ctx, req.params.group_id!).suppressions.keys()] }),
  }),
  sgRoute({
    operation: 'asm.groups.suppressions.search',
    method: 'POST',
    path: '/v3/asm/groups/:group_id/suppressions/search',
    handler: (req, ctx) => {
      const g = group(ctx, req.params.group_id!)
      const input = parse(Emails, body(req))
      return { status: 200, body: input.recipient_emails.filter((e) => g.suppressions.has(e.toLowerCase())) }
    },
  }),
  sgRoute({
    operation: 'asm.groups.suppressions.delete',
    method: 'DELETE',
    path: '/v3/asm/groups/:group_id/suppressions/:email',
    handler: (req, ctx) => {
      group(ctx, req.params.group_id!).suppressions.delete(req.params.email!.toLowerCase())
      return noContent()
    },
  }),
  sgRoute({
    operation: 'asm.suppressions.list',
    method: 'GET',
    path: '/v3/asm/suppressions',
    handler: (_req, ctx) => ({
      status: 200,
      body: [...ctx.state.groups.values()].flatMap((g) =>
        [...g.suppressions].map(([email, created]) => ({
          email,
          group_id: g.id,
          group_name: g.name,
          created_at: created,
        })),
      ),
    }),
  }),
  sgRoute({
    operation: 'asm.suppressions.get',
    method: 'GET',
    path: '/v3/asm/suppressions/:email',
    handler: (req, ctx) => {
      const email = req.params.email!.toLowerCase()
      return {
        status: 200,
        body: {
          suppressions: [...ctx.state.groups.values()].map((g) => ({
            id: g.id,
            name: g.name,
            description: g.description,
            is_default: g.is_default,
            suppressed: g.suppressions.has(email),
          })),
        },
      }
    },
  }),
]
