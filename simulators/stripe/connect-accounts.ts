// Connected accounts (create, test-mode verification): the objects the other Connect files act on.

import { schedulePayouts } from './connect-payouts.ts'
import { invalidRequest } from './errors.ts'
import type { ConnectedAccount } from './models.ts'
import { scopedAccount, scopeOf } from './scope.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/** How long test-mode verification takes after an account is created, in virtual ms (standin's choice). */
export const ACCOUNT_VERIFIED_AFTER_MS = 60_000

export function newAccount(
  src: EventSource,
  input: {
    type: 'express' | 'custom' | 'standard'
    country?: string | undefined
    email?: string | undefined
    business_type?: string | undefined
    default_currency?: string | undefined
    metadata?: Record<string, string> | undefined
  },
): ConnectedAccount {
  const { ctx } = src
  if (scopeOf(ctx.account).connected)
    invalidRequest('You cannot create connected accounts while acting as a connected account.', undefined)
  const id = ctx.ids.mint('acct_', 16)
  const requirements = {
    alternatives: [],
    current_deadline: null,
    currently_due: ['external_account', 'tos_acceptance.date', 'tos_acceptance.ip'],
    disabled_reason: 'requirements.past_due',
    errors: [],
    eventually_due: ['external_account', 'tos_acceptance.date', 'tos_acceptance.ip'],
    past_due: ['external_account', 'tos_acceptance.date', 'tos_acceptance.ip'],
    pending_verification: [],
  }
  const account = {
    ...blank('account'),
    id,
    object: 'account',
    business_profile: {
      mcc: null,
      name: null,
      product_description: null,
      support_address: null,
      support_email: null,
      support_phone: null,
      support_url: null,
      url: null,
    },
    business_type: input.business_type ?? null,
    capabilities: { card_payments: 'inactive', transfers: 'inactive' },
    charges_enabled: false,
    country: input.country ?? 'US',
    created: src.at,
    default_currency: input.default_currency ?? 'usd',
    details_submitted: false,
    email: input.email ?? null,
    external_accounts: {
      object: 'list',
      data: [],
      has_more: false,
      url: `/v1/accounts/${id}/external_accounts`,
    },
    future_requirements: {
      ...requirements,
      currently_due: [],
      eventually_due: [],
      past_due: [],
      disabled_reason: null,
    },
    metadata: input.metadata ?? {},
    payouts_enabled: false,
    requirements,
    settings: {
      bacs_debit_payments: {},
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: {
        decline_on: { avs_failure: false, cvc_failure: false },
        statement_descriptor_prefix: null,
      },
      dashboard: { display_name: null, timezone: 'Etc/UTC' },
      payments: {
        statement_descriptor: null,
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
      },
      payouts: {
        debit_negative_balances: true,
        schedule: { delay_days: 2, interval: 'daily' },
        statement_descriptor: null,
      },
      sepa_debit_payments: {},
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type: input.type,
  } as unknown as ConnectedAccount
  ctx.state.accounts.insert(account)
  ctx.later(ACCOUNT_VERIFIED_AFTER_MS, () => verifyAccount(ctx, id))
  schedulePayouts(ctx, id)
  return account
}

/** Test-mode verification: the account's requirements are met, its capabilities become active. */
export function verifyAccount(ctx: StripeContext, id: string): void {
  const account = ctx.state.accounts.get(id)
  if (!account || account.deleted) return
  const before = {
    capabilities: structuredClone(account.capabilities),
    charges_enabled: account.charges_enabled,
    details_submitted: account.details_submitted,
    payouts_enabled: account.payouts_enabled,
    requirements: structuredClone(account.requirements),
  }
  account.capabilities = { card_payments: 'active', transfers: 'active' }
  account.charges_enabled = true
  account.payouts_enabled = true
  account.details_submitted = true
  account.requirements = {
    ...(account.requirements as object),
    currently_due: [],
    disabled_reason: null,
    eventually_due: [],
    past_due: [],
  }
  // Sent as the connected account's event: to the platform's Connect endpoints, with `account` set.
  const actx = ctx.forAccount(scopedAccount(ctx.account, id))
  emitEvent({ ctx: actx, at: ctx.clock.unix(), request: null }, 'account.updated', account, before)
}
