import { ProviderError } from '../core/errors.ts'
import type { PlainRequest } from '../core/http.ts'
import type { RouteDefinition } from '../core/provider.ts'
import { availableIn, book, bookCharge, DAY, syncLedger } from './balance.ts'
import { fail, invalidRequest, stripeError } from './errors.ts'
import type { ConnectedAccount, PaymentIntent, Payout, Transfer } from './models.ts'
import { scopedAccount, scopeOf } from './scope.ts'
import { blank } from './spec.ts'
import type { StripeContext, StripeState } from './state.ts'
import { type EventSource, emitEvent } from './webhooks.ts'

/**
 * Connect for platforms that pay merchants.
 *
 * A request carrying `Stripe-Account: acct_…` acts in that connected
 * account's own world: auth.ts names the store account `<key>/acct_…`, so its
 * customers, PaymentIntents, balance and events are apart from the platform's,
 * and `connectScoped` refuses an account the platform does not have (403
 * `account_invalid`) before any handler runs. Events of a connected account go
 * to the platform's Connect endpoints (`connect=true`) with `account` set.
 *
 * @note The core's `auth(req)` returns an account name without access to the
 * store, so it cannot tell whether the platform owns the account; the check is
 * a wrapper around every authenticated route here instead (see README).
 */

function mask(key: string): string {
  const prefix = /^[a-z]{2}_[a-z]+_/.exec(key)?.[0] ?? ''
  return key.length <= prefix.length + 4 ? key : `${prefix}*********${key.slice(-4)}`
}

function noAccess(platform: string, acct: string): never {
  throw new ProviderError(
    stripeError(403, {
      type: 'invalid_request_error',
      code: 'account_invalid',
      message: `The provided key '${mask(platform)}' does not have access to account '${acct}' (or that account does not exist). Application access may have been revoked.`,
    }),
  )
}

/** The connected account a scoped context acts for (or undefined on the platform itself). */
export function connectedOf(ctx: StripeContext): ConnectedAccount | undefined {
  const { platform, connected } = scopeOf(ctx.account)
  if (!connected) return undefined
  const found = ctx.forAccount(platform).state.accounts.get(connected)
  if (!found || found.deleted) noAccess(platform, connected)
  return found
}

/** Wraps authenticated routes so a Stripe-Account the platform does not own is refused before the handler. */
export function connectScoped(routes: RouteDefinition<StripeState>[]): RouteDefinition<StripeState>[] {
  return routes.map((route) =>
    route.auth === false
      ? route
      : {
          ...route,
          handler: (req: PlainRequest, ctx, input) => {
            connectedOf(ctx)
            return route.handler(req, ctx, input)
          },
        },
  )
}

// ------------------------------------------------------------ accounts

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

// ------------------------------------------------------------ transfers

function assertFunds(ctx: StripeContext, amount: number, currency: string): void {
  if (availableIn(ctx, currency) >= amount) return
  fail(400, {
    type: 'invalid_request_error',
    code: 'balance_insufficient',
    message:
      'You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance',
  })
}

function destinationOf(ctx: StripeContext, id: string, param: string): ConnectedAccount {
  const account = ctx.state.accounts.get(id)
  if (!account || account.deleted) invalidRequest(`No such destination: '${id}'`, param)
  if ((account!.capabilities as Record<string, string>).transfers !== 'active')
    invalidRequest(
      'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
      param,
      'insufficient_capabilities_for_transfer',
    )
  return account!
}

export function newTransfer(
  src: EventSource,
  input: {
    amount: number
    currency: string
    destination: string
    description?: string | undefined
    transfer_group?: string | undefined
    source_transaction?: string | undefined
    metadata?: Record<string, string> | undefined
  },
  options: { fromCharge?: boolean } = {},
): Transfer {
  const { ctx } = src
  if (scopeOf(ctx.account).connected)
    invalidRequest('Transfers can only be created by the platform.', undefined)
  destinationOf(ctx, input.destination, 'destination')
  if (input.amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (input.source_transaction) {
    const charge = ctx.state.charges.get(input.source_transaction)
    if (!charge)
      invalidRequest(
        `No such charge: '${input.source_transaction}'`,
        'source_transaction',
        'resource_missing',
      )
  } else if (!options.fromCharge) assertFunds(ctx, input.amount, input.currency)
  const id = ctx.ids.mint('tr_', 24)
  const platformTxn = book(ctx, {
    amount: -input.amount,
    currency: input.currency,
    type: 'transfer',
    reportingCategory: 'transfer',
    source: id,
    description: input.description ?? null,
    created: src.at,
  })
  const dest = ctx.forAccount(scopedAccount(ctx.account, input.destination))
  syncLedger(dest)
  // The destination receives a Payment (`py_`), booked in its own ledger.
  const paymentId = dest.ids.mint('py_', 24)
  const paymentTxn = book(dest, {
    amount: input.amount,
    currency: input.currency,
    type: 'payment',
    reportingCategory: 'charge',
    source: paymentId,
    description: null,
    created: src.at,
    availableOn: src.at,
  })
  dest.state.charges.insert({
    ...blank('charge'),
    id: paymentId,
    object: 'charge',
    amount: input.amount,
    amount_captured: input.amount,
    amount_refunded: 0,
    balance_transaction: paymentTxn.id,
    billing_details: { address: null, email: null, name: null, phone: null },
    captured: true,
    created: src.at,
    currency: input.currency,
    customer: null,
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: null,
    payment_method: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${paymentId}/refunds` },
    source_transfer: id,
    status: 'succeeded',
  } as never)
  const transfer = {
    ...blank('transfer'),
    id,
    object: 'transfer',
    amount: input.amount,
    amount_reversed: 0,
    balance_transaction: platformTxn.id,
    created: src.at,
    currency: input.currency,
    description: input.description ?? null,
    destination: input.destination,
    destination_payment: paymentId,
    livemode: false,
    metadata: input.metadata ?? {},
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: input.source_transaction ?? null,
    source_type: 'card',
    transfer_group: input.transfer_group ?? null,
  } as unknown as Transfer
  ctx.state.transfers.insert(transfer)
  emitEvent(src, 'transfer.created', transfer)
  return transfer
}

export function reverseTransfer(
  src: EventSource,
  transfer: Transfer,
  input: {
    amount?: number | undefined
    description?: string | undefined
    metadata?: Record<string, string> | undefined
  },
): Record<string, unknown> {
  const { ctx } = src
  const remaining = transfer.amount - transfer.amount_reversed
  const amount = input.amount ?? remaining
  if (remaining <= 0)
    invalidRequest(
      `Transfer ${transfer.id} has already been fully reversed.`,
      undefined,
      'transfer_already_reversed' as never,
    )
  if (amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (amount > remaining)
    invalidRequest(
      `Transfer reversal amount (${amount}) is greater than the transfer's remaining amount (${remaining}).`,
      'amount',
    )
  // The reversal is taken even when it leaves the account negative: the platform carries
  // negative balances of Express and Custom accounts (settings.payouts.debit_negative_balances).
  const dest = ctx.forAccount(scopedAccount(ctx.account, transfer.destination))
  syncLedger(dest)
  const id = ctx.ids.mint('trr_', 24)
  const txn = book(ctx, {
    amount,
    currency: transfer.currency,
    type: 'transfer_refund',
    reportingCategory: 'transfer_reversal',
    source: id,
    created: src.at,
  })
  book(dest, {
    amount: -amount,
    currency: transfer.currency,
    type: 'payment_refund',
    reportingCategory: 'refund',
    source: id,
    created: src.at,
  })
  const reversal = {
    ...blank('transfer_reversal'),
    id,
    object: 'transfer_reversal',
    amount,
    balance_transaction: txn.id,
    created: src.at,
    currency: transfer.currency,
    destination_payment_refund: null,
    metadata: input.metadata ?? {},
    source_refund: null,
    transfer: transfer.id,
  }
  const previous = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed }
  transfer.amount_reversed += amount
  transfer.reversed = transfer.amount_reversed >= transfer.amount
  transfer.reversals.data.unshift(reversal)
  emitEvent(src, 'transfer.reversed', transfer)
  emitEvent(src, 'transfer.updated', transfer, previous)
  return reversal
}

// ------------------------------------------------------------ application fees

/**
 * A PaymentIntent's Connect parameters: `application_fee_amount` with a
 * Stripe-Account header (a direct charge) or with `transfer_data[destination]`
 * (a destination charge), and `on_behalf_of`.
 */
export function applyConnectParams(
  ctx: StripeContext,
  pi: PaymentIntent,
  input: Record<string, unknown>,
): void {
  const fee = input.application_fee_amount as number | undefined
  const transferData = input.transfer_data as { destination?: string; amount?: number } | undefined
  if (transferData?.destination) {
    destinationOf(ctx, transferData.destination, 'transfer_data[destination]')
    pi.transfer_data = {
      ...(transferData.amount !== undefined ? { amount: transferData.amount } : {}),
      destination: transferData.destination,
    }
  }
  if (input.transfer_group !== undefined) pi.transfer_group = input.transfer_group as string
  if (input.on_behalf_of !== undefined) pi.on_behalf_of = input.on_behalf_of as string
  if (fee === undefined) return
  if (!transferData?.destination && !scopeOf(ctx.account).connected)
    invalidRequest(
      'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
      'application_fee_amount',
    )
  if (fee > pi.amount)
    invalidRequest(
      'The application fee cannot be greater than the amount of the payment.',
      'application_fee_amount',
    )
  pi.application_fee_amount = fee
}

/** After a PaymentIntent's charge is captured: the application fee and the destination transfer. */
export function settleConnectCharge(src: EventSource, pi: PaymentIntent): void {
  const { ctx } = src
  const charge = pi.latest_charge ? ctx.state.charges.get(pi.latest_charge) : undefined
  if (!charge?.captured) return
  const feeAmount = (pi.application_fee_amount as number | null) ?? 0
  const destination = (pi.transfer_data as { destination: string; amount: number | null } | null)?.destination
  if (!feeAmount && !destination) return
  const { platform, connected } = scopeOf(ctx.account)
  charge.application_fee_amount = feeAmount || null
  charge.transfer_data = pi.transfer_data
  charge.transfer_group = pi.transfer_group
  if (connected) charge.application = 'ca_standin'
  // The charge's own balance transaction first (its fee details name the application fee).
  bookCharge(ctx, charge)
  if (destination) {
    // Destination charge: the platform keeps the fee and transfers the rest.
    const amount = (pi.transfer_data as { amount?: number }).amount ?? charge.amount_captured - feeAmount
    const transfer = newTransfer(
      src,
      {
        amount,
        currency: charge.currency,
        destination,
        source_transaction: charge.id,
        transfer_group: (pi.transfer_group as string | null) ?? undefined,
      },
      { fromCharge: true },
    )
    charge.transfer = transfer.id
    charge.destination = destination
  }
  if (!feeAmount) return
  // The fee lives on the platform; for a direct charge the charge is on the connected account.
  const platformCtx = connected ? ctx.forAccount(platform) : ctx
  const account = connected ?? destination!
  const id = platformCtx.ids.mint('fee_', 24)
  const txn = book(platformCtx, {
    amount: feeAmount,
    currency: charge.currency,
    type: 'application_fee',
    reportingCategory: 'platform_earning',
    source: id,
    created: src.at,
  })
  const fee = {
    ...blank('application_fee'),
    id,
    object: 'application_fee',
    account,
    amount: feeAmount,
    amount_refunded: 0,
    application: 'ca_standin',
    balance_transaction: txn.id,
    charge: charge.id,
    created: src.at,
    currency: charge.currency,
    livemode: false,
    originating_transaction: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/application_fees/${id}/refunds` },
  }
  platformCtx.state.applicationFees.insert(fee as never)
  charge.application_fee = id
  emitEvent({ ...src, ctx: platformCtx }, 'application_fee.created', fee)
}

// ------------------------------------------------------------ payouts

/** How long a payout takes to arrive, in days (standard payouts: about two business days). */
export const PAYOUT_ARRIVES_AFTER_DAYS = 2

export function newPayout(
  src: EventSource,
  input: {
    amount: number
    currency: string
    description?: string | undefined
    metadata?: Record<string, string> | undefined
    method?: string | undefined
    statement_descriptor?: string | undefined
  },
  automatic = false,
): Payout {
  const { ctx } = src
  if (input.amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  assertFunds(ctx, input.amount, input.currency)
  const id = ctx.ids.mint('po_', 24)
  const txn = book(ctx, {
    amount: -input.amount,
    currency: input.currency,
    type: 'payout',
    reportingCategory: 'payout',
    source: id,
    description: input.description ?? 'STRIPE PAYOUT',
    created: src.at,
  })
  const arrival = Math.ceil((src.at + PAYOUT_ARRIVES_AFTER_DAYS * DAY) / DAY) * DAY
  const bank = payoutDestination(ctx, input.currency)
  const payout = {
    ...blank('payout'),
    id,
    object: 'payout',
    amount: input.amount,
    arrival_date: arrival,
    automatic,
    balance_transaction: txn.id,
    created: src.at,
    currency: input.currency,
    description: input.description ?? 'STRIPE PAYOUT',
    destination: bank?.id ?? null,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: input.metadata ?? {},
    method: input.method ?? 'standard',
    original_payout: null,
    reconciliation_status: automatic ? 'not_applicable' : 'not_applicable',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: input.statement_descriptor ?? null,
    status: 'pending',
    type: 'bank_account',
  } as unknown as Payout
  txn._payout = id
  ctx.state.payouts.insert(payout)
  emitEvent(src, 'payout.created', payout)
  ctx.later(Math.max(0, arrival - src.at) * 1000, () => payPayout(ctx, id))
  return payout
}

/** A pending payout arrives: paid, with payout.updated and payout.paid. */
export function payPayout(ctx: StripeContext, id: string): void {
  const payout = ctx.state.payouts.get(id)
  if (payout?.status !== 'pending') return
  const bank = payout.destination ? payoutDestination(ctx, payout.currency) : undefined
  const failure = bank?.id === payout.destination ? PAYOUT_BANK_FAILURES[bank?._number ?? ''] : undefined
  if (failure) {
    failPayout(ctx, payout, failure)
    return
  }
  const src = { ctx, at: ctx.clock.unix(), request: null }
  payout.status = 'paid'
  if (payout.automatic) payout.reconciliation_status = 'completed'
  emitEvent(src, 'payout.updated', payout, { status: 'pending' })
  emitEvent(src, 'payout.paid', payout)
}

export function cancelPayout(src: EventSource, payout: Payout): void {
  if (payout.status !== 'pending')
    invalidRequest(`Payouts can only be canceled while they are pending.`, undefined)
  if (payout.automatic) invalidRequest('Automatic payouts cannot be canceled.', undefined)
  const { ctx } = src
  const txn = book(ctx, {
    amount: payout.amount,
    currency: payout.currency,
    type: 'payout_cancel',
    reportingCategory: 'payout_reversal',
    source: payout.id,
    description: 'STRIPE PAYOUT CANCEL',
    created: src.at,
  })
  payout.status = 'canceled'
  payout.failure_balance_transaction = txn.id
  emitEvent(src, 'payout.updated', payout, { status: 'pending' })
  emitEvent(src, 'payout.canceled', payout)
}

/**
 * Automatic payouts of a connected account on its schedule: at each midnight
 * UTC the schedule allows (daily; weekly on `weekly_anchor`; monthly on
 * `monthly_anchor`), the available balance of each currency is paid out.
 */
function schedulePayouts(platform: StripeContext, id: string): void {
  const now = platform.clock.unix()
  const next = (Math.floor(now / DAY) + 1) * DAY
  platform.later((next - now) * 1000, () => {
    const account = platform.state.accounts.get(id)
    if (!account || account.deleted) return
    const schedule = (account.settings as { payouts: { schedule: Record<string, unknown> } }).payouts.schedule
    const day = new Date(next * 1000)
    const due =
      schedule.interval === 'daily' ||
      (schedule.interval === 'weekly' &&
        ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][day.getUTCDay()] ===
          schedule.weekly_anchor) ||
      (schedule.interval === 'monthly' && day.getUTCDate() === schedule.monthly_anchor)
    if (due && account.payouts_enabled) {
      const ctx = platform.forAccount(scopedAccount(platform.account, id))
      syncLedger(ctx)
      const byCurrency = new Map<string, number>()
      for (const txn of ctx.state.balanceTransactions.all())
        if (txn.status === 'available')
          byCurrency.set(txn.currency, (byCurrency.get(txn.currency) ?? 0) + txn.net)
      for (const [currency, amount] of byCurrency)
        if (amount > 0) newPayout({ ctx, at: next, request: null }, { amount, currency }, true)
    }
    schedulePayouts(platform, id)
  })
}

// ------------------------------------------------------------ external accounts

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

/** A payout to a failing test bank account fails at arrival; the money comes back to the balance. */
export function failPayout(
  ctx: StripeContext,
  payout: Payout,
  failure: { code: string; message: string },
): void {
  const src = { ctx, at: ctx.clock.unix(), request: null }
  const txn = book(ctx, {
    amount: payout.amount,
    currency: payout.currency,
    type: 'payout_failure',
    reportingCategory: 'payout_reversal',
    source: payout.id,
    description: 'STRIPE PAYOUT FAILURE',
    created: src.at,
  })
  payout.status = 'failed'
  payout.failure_code = failure.code
  payout.failure_message = failure.message
  payout.failure_balance_transaction = txn.id
  emitEvent(src, 'payout.updated', payout, {
    status: 'pending',
    failure_code: null,
    failure_message: null,
    failure_balance_transaction: null,
  })
  emitEvent(src, 'payout.failed', payout)
}

// ------------------------------------------------------------ refunds on Connect charges

/** `POST /v1/application_fees/{id}/refunds`: the platform gives (part of) its fee back to the account. */
export function refundApplicationFee(
  src: EventSource,
  fee: Record<string, unknown> & {
    id: string
    amount: number
    amount_refunded: number
    currency: string
    account: string
  },
  input: { amount?: number | undefined; metadata?: Record<string, string> | undefined },
): Record<string, unknown> {
  const { ctx } = src
  const remaining = fee.amount - fee.amount_refunded
  const amount = input.amount ?? remaining
  if (amount <= 0) invalidRequest('Invalid positive integer', 'amount', 'parameter_invalid_integer')
  if (amount > remaining)
    invalidRequest(
      `Refund amount (${amount}) is greater than the application fee's unrefunded amount (${remaining}).`,
      'amount',
    )
  const id = ctx.ids.mint('fr_', 24)
  const txn = book(ctx, {
    amount: -amount,
    currency: fee.currency,
    type: 'application_fee_refund',
    reportingCategory: 'platform_earning_refund',
    source: id,
    created: src.at,
  })
  const account = ctx.forAccount(scopedAccount(ctx.account, fee.account))
  syncLedger(account)
  book(account, {
    amount,
    currency: fee.currency,
    type: 'application_fee_refund',
    reportingCategory: 'fee',
    source: id,
    created: src.at,
  })
  const refund = {
    ...blank('fee_refund'),
    id,
    object: 'fee_refund',
    amount,
    balance_transaction: txn.id,
    created: src.at,
    currency: fee.currency,
    fee: fee.id,
    metadata: input.metadata ?? {},
  }
  fee.amount_refunded += amount
  fee.refunded = fee.amount_refunded >= fee.amount
  ;(fee.refunds as { data: unknown[] }).data.unshift(refund)
  emitEvent(src, 'application_fee.refunded', fee)
  return refund
}

/**
 * After a refund of a Connect charge: `refund_application_fee` gives the fee
 * back in proportion (direct charges), `reverse_transfer` pulls the
 * destination's share back in proportion (destination charges).
 */
export function afterConnectRefund(
  src: EventSource,
  charge: Record<string, unknown> & { id: string; amount_captured: number },
  refund: Record<string, unknown> & { amount: number },
  input: { refund_application_fee?: boolean | undefined; reverse_transfer?: boolean | undefined },
): void {
  const { ctx } = src
  const { platform, connected } = scopeOf(ctx.account)
  const feeId = charge.application_fee as string | null | undefined
  if (input.refund_application_fee && feeId) {
    const pctx = connected ? ctx.forAccount(platform) : ctx
    const fee = pctx.state.applicationFees.get(feeId) as unknown as Parameters<typeof refundApplicationFee>[1]
    if (fee) {
      const share = Math.round((fee.amount * refund.amount) / charge.amount_captured)
      const amount = Math.min(share, fee.amount - fee.amount_refunded)
      if (amount > 0) refundApplicationFee({ ...src, ctx: pctx }, fee, { amount })
    }
  }
  const transferId = charge.transfer as string | null | undefined
  if (input.reverse_transfer) {
    if (!transferId)
      invalidRequest(
        'You cannot reverse the transfer of a charge that has no transfer (reverse_transfer needs a destination charge).',
        'reverse_transfer',
      )
    const transfer = ctx.state.transfers.get(transferId!)!
    const share = Math.round((transfer.amount * refund.amount) / charge.amount_captured)
    const amount = Math.min(share, transfer.amount - transfer.amount_reversed)
    if (amount > 0) {
      const reversal = reverseTransfer(src, transfer, { amount })
      refund.transfer_reversal = reversal.id
    }
  }
}
