import { createHash } from 'node:crypto'
import { z } from 'zod'
import { newAccount } from '../connect-accounts.ts'
import { attachExternalAccount } from '../connect-external-accounts.ts'
import { refundApplicationFee } from '../connect-fees.ts'
import { cancelPayout, newPayout } from '../connect-payouts.ts'
import { connectedOf } from '../connect-scope.ts'
import { newTransfer, reverseTransfer } from '../connect-transfers.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import type { ConnectedAccount } from '../models.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { scopedAccount, scopeOf } from '../scope.ts'
import { blank } from '../spec.ts'
import { emitEvent } from '../webhooks.ts'
import { find, list, matchesGiven, mergeMetadata, previousOf, respond, route, source } from './shared.ts'

/** Connect: connected accounts, transfers and their reversals, payouts, application fees (connect.ts). */
const meta = (m: Record<string, string> | '' | undefined) => (m === '' ? {} : m)

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
  const payouts = (account.settings as { payouts: { schedule: Record<string, unknown> } }).payouts
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
  payouts.schedule = next
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

export const connect = [
  // ------------------------------------------------------------ accounts
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
  // ------------------------------------------------------------ transfers
  route({
    operation: 'transfers.create',
    method: 'POST',
    path: '/v1/transfers',
    input: params('POST', '/v1/transfers', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
      currency: z.string(),
      destination: z.string(),
      description: z.string().optional(),
      transfer_group: z.string().optional(),
      source_transaction: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      if (input.amount === undefined)
        invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing')
      const transfer = newTransfer(source(req, ctx), {
        amount: input.amount!,
        currency: input.currency.toLowerCase(),
        destination: input.destination,
        description: input.description,
        transfer_group: input.transfer_group,
        source_transaction: input.source_transaction,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, transfer, input.expand)
    },
  }),
  route({
    operation: 'transfers.retrieve',
    method: 'GET',
    path: '/v1/transfers/:transfer',
    input: params('GET', '/v1/transfers/{transfer}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.transfers, req.params.transfer!, 'transfer', 'transfer'),
        input.expand,
      ),
  }),
  route({
    operation: 'transfers.update',
    method: 'POST',
    path: '/v1/transfers/:transfer',
    input: params('POST', '/v1/transfers/{transfer}', {
      ...expandShape,
      ...metadataShape,
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.transfer!, 'transfer', 'transfer')
      const before = structuredClone(transfer) as Record<string, unknown>
      if (input.description !== undefined) transfer.description = input.description
      transfer.metadata = mergeMetadata(transfer.metadata, input.metadata)
      emitEvent(source(req, ctx), 'transfer.updated', transfer, previousOf(before, transfer))
      return respond(req, ctx, transfer, input.expand)
    },
  }),
  route({
    operation: 'transfers.list',
    method: 'GET',
    path: '/v1/transfers',
    input: params('GET', '/v1/transfers', {
      ...listShape,
      destination: z.string().optional(),
      transfer_group: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.transfers, input, '/v1/transfers', (t) =>
        matchesGiven(input, t, ['destination', 'transfer_group'] as never),
      ),
  }),
  route({
    operation: 'transfer_reversals.create',
    method: 'POST',
    path: '/v1/transfers/:id/reversals',
    input: params('POST', '/v1/transfers/{id}/reversals', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
      description: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.id!, 'transfer', 'id')
      const reversal = reverseTransfer(source(req, ctx), transfer, {
        amount: input.amount,
        description: input.description,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, reversal, input.expand)
    },
  }),
  route({
    operation: 'transfer_reversals.list',
    method: 'GET',
    path: '/v1/transfers/:id/reversals',
    input: params('GET', '/v1/transfers/{id}/reversals', listShape),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.id!, 'transfer', 'id')
      const data = transfer.reversals.data as { id: string }[]
      return respond(req, ctx, {
        object: 'list',
        data: data.slice(0, input.limit ?? 10),
        has_more: data.length > (input.limit ?? 10),
        url: `/v1/transfers/${transfer.id}/reversals`,
      })
    },
  }),
  route({
    operation: 'transfer_reversals.retrieve',
    method: 'GET',
    path: '/v1/transfers/:transfer/reversals/:id',
    input: params('GET', '/v1/transfers/{transfer}/reversals/{id}', expandShape),
    handler: (req, ctx, input) => {
      const transfer = find(ctx.state.transfers, req.params.transfer!, 'transfer', 'transfer')
      const reversal = (transfer.reversals.data as { id: string }[]).find((r) => r.id === req.params.id)
      if (!reversal) invalidRequest(`No such transfer reversal: '${req.params.id}'`, 'id', 'resource_missing')
      return respond(req, ctx, reversal!, input.expand)
    },
  }),
  // ------------------------------------------------------------ payouts
  route({
    operation: 'payouts.create',
    method: 'POST',
    path: '/v1/payouts',
    input: params('POST', '/v1/payouts', {
      ...expandShape,
      ...metadataShape,
      amount: z.number(),
      currency: z.string(),
      description: z.string().optional(),
      method: z.string().optional(),
      statement_descriptor: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const payout = newPayout(source(req, ctx), {
        amount: input.amount,
        currency: input.currency.toLowerCase(),
        description: input.description,
        method: input.method,
        statement_descriptor: input.statement_descriptor,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, payout, input.expand)
    },
  }),
  route({
    operation: 'payouts.retrieve',
    method: 'GET',
    path: '/v1/payouts/:payout',
    input: params('GET', '/v1/payouts/{payout}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.payouts, req.params.payout!, 'payout', 'payout'), input.expand),
  }),
  route({
    operation: 'payouts.update',
    method: 'POST',
    path: '/v1/payouts/:payout',
    input: params('POST', '/v1/payouts/{payout}', { ...expandShape, ...metadataShape }),
    handler: (req, ctx, input) => {
      const payout = find(ctx.state.payouts, req.params.payout!, 'payout', 'payout')
      const before = structuredClone(payout) as Record<string, unknown>
      payout.metadata = mergeMetadata(payout.metadata, input.metadata)
      emitEvent(source(req, ctx), 'payout.updated', payout, previousOf(before, payout))
      return respond(req, ctx, payout, input.expand)
    },
  }),
  route({
    operation: 'payouts.cancel',
    method: 'POST',
    path: '/v1/payouts/:payout/cancel',
    input: params('POST', '/v1/payouts/{payout}/cancel', expandShape),
    handler: (req, ctx, input) => {
      const payout = find(ctx.state.payouts, req.params.payout!, 'payout', 'payout')
      cancelPayout(source(req, ctx), payout)
      return respond(req, ctx, payout, input.expand)
    },
  }),
  route({
    operation: 'payouts.list',
    method: 'GET',
    path: '/v1/payouts',
    input: params('GET', '/v1/payouts', { ...listShape, status: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.payouts, input, '/v1/payouts', (p) =>
        matchesGiven(input, p, ['status'] as never),
      ),
  }),
  // ------------------------------------------------------------ application fees
  route({
    operation: 'application_fees.retrieve',
    method: 'GET',
    path: '/v1/application_fees/:id',
    input: params('GET', '/v1/application_fees/{id}', expandShape),
    handler: (req, ctx, input) =>
      respond(
        req,
        ctx,
        find(ctx.state.applicationFees, req.params.id!, 'application fee', 'id'),
        input.expand,
      ),
  }),
  route({
    operation: 'application_fee_refunds.create',
    method: 'POST',
    path: '/v1/application_fees/:id/refunds',
    input: params('POST', '/v1/application_fees/{id}/refunds', {
      ...expandShape,
      ...metadataShape,
      amount: z.number().optional(),
    }),
    handler: (req, ctx, input) => {
      const fee = find(ctx.state.applicationFees, req.params.id!, 'application fee', 'id')
      const refund = refundApplicationFee(source(req, ctx), fee as never, {
        amount: input.amount,
        metadata: meta(input.metadata),
      })
      return respond(req, ctx, refund, input.expand)
    },
  }),
  route({
    operation: 'application_fee_refunds.list',
    method: 'GET',
    path: '/v1/application_fees/:id/refunds',
    input: params('GET', '/v1/application_fees/{id}/refunds', listShape),
    handler: (req, ctx, input) => {
      const fee = find(ctx.state.applicationFees, req.params.id!, 'application fee', 'id')
      const data = (fee.refunds as { data: { id: string }[] }).data
      const limit = input.limit ?? 10
      return respond(req, ctx, {
        object: 'list',
        data: data.slice(0, limit),
        has_more: data.length > limit,
        url: `/v1/application_fees/${fee.id}/refunds`,
      })
    },
  }),
  route({
    operation: 'application_fee_refunds.retrieve',
    method: 'GET',
    path: '/v1/application_fees/:fee/refunds/:id',
    input: params('GET', '/v1/application_fees/{fee}/refunds/{id}', expandShape),
    handler: (req, ctx, input) => {
      const fee = find(ctx.state.applicationFees, req.params.fee!, 'application fee', 'fee')
      const refund = (fee.refunds as { data: { id: string }[] }).data.find((r) => r.id === req.params.id)
      if (!refund) resourceMissing('fee refund', req.params.id!, 'id')
      return respond(req, ctx, refund!, input.expand)
    },
  }),
  route({
    operation: 'application_fees.list',
    method: 'GET',
    path: '/v1/application_fees',
    input: params('GET', '/v1/application_fees', { ...listShape, charge: z.string().optional() }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.applicationFees, input, '/v1/application_fees', (f) =>
        matchesGiven(input, f, ['charge'] as never),
      ),
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
