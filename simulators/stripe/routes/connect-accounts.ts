// Connect's account routes (/v1/accounts, /v1/account) and their settings: one resource per file.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { newAccount } from '../connect-accounts.ts'
import { attachExternalAccount } from '../connect-external-accounts.ts'
import { connectedOf } from '../connect-scope.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import type { ConnectedAccount } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { scopedAccount, scopeOf } from '../scope.ts'
import { blank } from '../spec.ts'
import { emitEvent } from '../webhooks.ts'
import { list, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

/** The `metadata` param as the Connect routes take it: an empty string clears it. */
export const meta = (m: Record<string, string> | '' | undefined) => (m === '' ? {} : m)

const schedule = z
  .looseObject({
    interval: z.enum(['manual', 'daily', 'weekly', 'monthly']).optional(),
    delay_days: z.union([z.number(), z.literal('minimum')]).optional(),
    weekly_anchor: z.string().optional(),
    monthly_anchor: z.number().optional(),
  })
  .optional()
const settings = z.looseObject({ payouts: z.looseObject({ schedule }).optional() }).optional()

function applySettings(account: ConnectedAccount, input: { settings?: z.infer<typeof settings> }): void {
  const s = input.settings?.payouts?.schedule
  if (!s) return
  const current = account.settings as { payouts: { schedule: Record<string, unknown> } }
  const payouts = current.payouts
  const next: Record<string, unknown> = { ...payouts.schedule, ...s }
  if (next.delay_days === 'minimum') next.delay_days = 2
  if (next.interval !== 'weekly') delete next.weekly_anchor
  if (next.interval !== 'monthly') delete next.monthly_anchor
  if (next.interval === 'weekly' && !next.weekly_anchor)
    invalidRequest(
      'You must provide a weekly_anchor when the interval is weekly.',
      'settings[payouts][schedule][weekly_anchor]',
    )
  if (next.interval === 'monthly' && !next.monthly_anchor)
    invalidRequest(
      'You must provide a monthly_anchor when the interval is monthly.',
      'settings[payouts][schedule][monthly_anchor]',
    )
  account.settings = { ...current, payouts: { ...payouts, schedule: next } }
}

/** The platform's own account (GET /v1/account without Stripe-Account): a stable id per key. */
function platformAccount(key: string): Record<string, unknown> {
  const id = `acct_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
  return {
    ...blank('account'),
    id,
    object: 'account',
    type: 'standard',
    charges_enabled: true,
    payouts_enabled: true,
    details_submitted: true,
    country: 'US',
    default_currency: 'usd',
    metadata: {},
  }
}

export const accountRoutes = [
  route({
    operation: 'accounts.create',
    method: 'POST',
    path: '/v1/accounts',
    input: params('POST', '/v1/accounts', {
      ...expandShape,
      ...metadataShape,
      type: z.enum(['custom', 'express', 'standard']).optional(),
      country: z.string().optional(),
      email: z.string().optional(),
      business_type: z.string().optional(),
      default_currency: z.string().optional(),
      external_account: z.unknown().optional(),
      settings,
    }),
    handler: (req, ctx, input) => {
      if (!input.type) invalidRequest('Missing required param: type.', 'type', 'parameter_missing')
      const account = newAccount(source(req, ctx), {
        type: input.type!,
        country: input.country,
        email: input.email,
        business_type: input.business_type,
        default_currency: input.default_currency,
        metadata: meta(input.metadata),
      })
      applySettings(account, input)
      attachExternalAccount(ctx, account, input.external_account)
      return respond(req, ctx, account, input.expand)
    },
  }),
  route({
    operation: 'accounts.retrieve_current',
    method: 'GET',
    path: '/v1/account',
    input: params('GET', '/v1/account', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, connectedOf(ctx) ?? platformAccount(scopeOf(ctx.account).platform), input.expand),
  }),
  route({
    operation: 'accounts.retrieve',
    method: 'GET',
    path: '/v1/accounts/:account',
    input: params('GET', '/v1/accounts/{account}', expandShape),
    handler: (req, ctx, input) => respond(req, ctx, ownAccount(ctx, req.params.account!), input.expand),
  }),
  route({
    operation: 'accounts.update',
    method: 'POST',
    path: '/v1/accounts/:account',
    input: params('POST', '/v1/accounts/{account}', {
      ...expandShape,
      ...metadataShape,
      email: z.string().optional(),
      business_profile: z.record(z.string(), z.unknown()).optional(),
      external_account: z.unknown().optional(),
      settings,
    }),
    handler: (req, ctx, input) => {
      const account = ownAccount(ctx, req.params.account!)
      const before = structuredClone(account) as Record<string, unknown>
      if (input.email !== undefined) account.email = input.email
      if (input.business_profile)
        account.business_profile = { ...(account.business_profile as object), ...input.business_profile }
      account.metadata = mergeMetadata(account.metadata, input.metadata)
      applySettings(account, input)
      attachExternalAccount(ctx, account, input.external_account)
      const previous = previousOf(before, account)
      const actx = scopeOf(ctx.account).connected
        ? ctx
        : ctx.forAccount(scopedAccount(ctx.account, account.id))
      if (Object.keys(previous).length > 0) emitEvent(source(req, actx), 'account.updated', account, previous)
      return respond(req, ctx, account, input.expand)
    },
  }),
  route({
    operation: 'accounts.list',
    method: 'GET',
    path: '/v1/accounts',
    input: params('GET', '/v1/accounts', listShape),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.accounts, input, '/v1/accounts', (a) => !a.deleted),
  }),
  route({
    operation: 'accounts.delete',
    method: 'DELETE',
    path: '/v1/accounts/:account',
    handler: (req, ctx) => {
      const account = ownAccount(ctx, req.params.account!)
      account.deleted = true
      return { status: 200, body: { id: account.id, object: 'account', deleted: true } }
    },
  }),
]

/** A connected account of this platform, by id. */
function ownAccount(ctx: Parameters<typeof connectedOf>[0], id: string): ConnectedAccount {
  const { connected } = scopeOf(ctx.account)
  if (connected) {
    // Acting as a connected account, only that account itself is visible.
    const self = connectedOf(ctx)!
    if (self.id !== id) resourceMissing('account', id, 'account')
    return self
  }
  const account = ctx.state.accounts.get(id)
  if (!account || account.deleted) resourceMissing('account', id, 'account')
  return account!
}
