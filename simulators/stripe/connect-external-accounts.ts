// Connected accounts' bank accounts and the failing test bank numbers: where payouts go.
import { invalidRequest } from './errors.ts'
import type { ConnectedAccount } from './models.ts'
import { scopeOf } from './scope.ts'
import { blank } from './spec.ts'
import type { StripeContext } from './state.ts'

/**
 * Stripe's test bank account numbers for payouts (routing 110000000): the
 * payout to an account with one of these fails at arrival with that code.
 */
export const PAYOUT_BANK_FAILURES: Record<string, { code: string; message: string }> = {
  '000111111116': {
    code: 'no_account',
    message:
      'The bank account details on file are probably incorrect. No bank account could be located with those details.',
  },
  '000111111113': { code: 'account_closed', message: 'The bank account has been closed.' },
  '000222222227': {
    code: 'insufficient_funds',
    message: 'Your Stripe account has insufficient funds to cover the payout.',
  },
  '000333333335': {
    code: 'debit_not_authorized',
    message:
      'Debit transactions are not approved on the bank account. (Stripe requires bank accounts to be set up for both credit and debit payouts.)',
  },
  '000444444440': {
    code: 'invalid_currency',
    message:
      'The bank was unable to process this payout because of its currency. This is probably because the bank account cannot accept payments in that currency.',
  },
}

/** `external_account` on account create/update: a bank account dictionary becomes the default for its currency. */
export function attachExternalAccount(ctx: StripeContext, account: ConnectedAccount, value: unknown): void {
  if (value === undefined) return
  if (typeof value === 'string')
    invalidRequest(`No such token: '${value}'`, 'external_account', 'resource_missing')
  const input = value as Record<string, unknown>
  if (input.object !== 'bank_account')
    invalidRequest(
      'Missing required param: external_account[object].',
      'external_account[object]',
      'parameter_missing',
    )
  const number = input.account_number
  if (typeof number !== 'string' || !/^\d{4,17}$/.test(number))
    invalidRequest(
      'Missing required param: external_account[account_number].',
      'external_account[account_number]',
      'parameter_missing',
    )
  const currency = String(input.currency ?? account.default_currency ?? 'usd').toLowerCase()
  const bank = {
    ...blank('bank_account'),
    id: ctx.ids.mint('ba_', 24),
    object: 'bank_account',
    account: account.id,
    account_holder_name: (input.account_holder_name as string | undefined) ?? null,
    account_holder_type: (input.account_holder_type as string | undefined) ?? null,
    account_type: null,
    available_payout_methods: ['standard'],
    bank_name: 'STRIPE TEST BANK',
    country: String(input.country ?? account.country ?? 'US'),
    currency,
    default_for_currency: true,
    fingerprint: ctx.ids.mint('', 16),
    last4: (number as string).slice(-4),
    metadata: {},
    routing_number: (input.routing_number as string | undefined) ?? null,
    status: 'new',
    _number: number,
  }
  const list = account.external_accounts as { data: Record<string, unknown>[] }
  // The new account replaces the default of its currency, as Stripe does by default.
  list.data = [bank, ...list.data.filter((b) => b.currency !== currency)]
}

/** Where a connected account's payouts in `currency` go: its default external account, if it has one. */
export function payoutDestination(
  ctx: StripeContext,
  currency: string,
): { id: string; _number: string } | undefined {
  const { platform, connected } = scopeOf(ctx.account)
  if (!connected) return undefined
  const account = ctx.forAccount(platform).state.accounts.get(connected)
  const list = (
    account?.external_accounts as { data: { id: string; currency: string; _number: string }[] } | undefined
  )?.data
  return list?.find((b) => b.currency === currency)
}
