import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { ACCOUNT_VERIFIED_AFTER_MS } from './connect-accounts.ts'
import { failure, LEGACY_VERSION, PINNED_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Connect for a platform that pays merchants, through the official library:
 * connected accounts and account.updated, the Stripe-Account header scoping a
 * request to the account's own world, transfers and reversals, application
 * fees on direct and destination charges, payouts on the clock, and a
 * balance that adds up on both sides.
 */
const h = useHarness()

const DAY_MS = 86_400_000
const sum = (xs: { amount: number }[]) => xs.reduce((n, x) => n + x.amount, 0)

/** Every balance equals the sum of its own ledger. */
async function addsUp(s: Stripe, stripeAccount?: string) {
  const opts = stripeAccount ? { stripeAccount } : undefined
  const balance = await s.balance.retrieve(undefined, opts)
  const txns = (await s.balanceTransactions.list({ limit: 100 }, opts)).data
  expect(sum(balance.available) + sum(balance.pending)).toBe(txns.reduce((n, t) => n + t.net, 0))
  return { available: sum(balance.available), txns }
}

describe.each([LEGACY_VERSION, PINNED_VERSION])('Connect in %s', (version) => {
  const client = () => h.client({ version })

  /** A verified Express account (test-mode verification runs on the clock). */
  async function merchant(s: Stripe) {
    const account = await s.accounts.create({ type: 'express', email: 'shop@example.com' })
    h.sims.core.clock.advance(ACCOUNT_VERIFIED_AFTER_MS + 1000)
    return account
  }

  it('creates accounts that test-mode verification enables, with account.updated to Connect endpoints', async () => {
    const receiver = await startReceiver()
    try {
      const s = client()
      const connectEndpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['account.updated'],
        connect: true,
      })
      const account = await s.accounts.create({ type: 'custom', country: 'US', metadata: { shop: 's1' } })
      expect(account.id).toMatch(/^acct_/)
      expect(account).toMatchObject({ type: 'custom', charges_enabled: false, payouts_enabled: false })
      h.sims.core.clock.advance(ACCOUNT_VERIFIED_AFTER_MS + 1000)
      const hit = await receiver.waitFor((e) => e.type === 'account.updated')
      const event = Stripe.webhooks.constructEvent(
        hit.body,
        hit.headers['stripe-signature'] as string,
        connectEndpoint.secret!,
      )
      expect(event.account).toBe(account.id)
      expect(event.data.previous_attributes).toMatchObject({ charges_enabled: false, payouts_enabled: false })
      const got = await s.accounts.retrieve(account.id)
      expect(got).toMatchObject({ charges_enabled: true, payouts_enabled: true, details_submitted: true })
      expect(got.capabilities).toEqual({ card_payments: 'active', transfers: 'active' })

      const updated = await s.accounts.update(account.id, {
        settings: { payouts: { schedule: { interval: 'weekly', weekly_anchor: 'friday' } } },
      })
      expect(updated.settings?.payouts?.schedule).toMatchObject({
        interval: 'weekly',
        weekly_anchor: 'friday',
      })
      expect((await s.accounts.list()).data.map((a) => a.id)).toEqual([account.id])
      const mine = await s.accounts.retrieveCurrent(undefined, { stripeAccount: account.id })
      expect(mine.id).toBe(account.id)
      expect(await s.accounts.del(account.id)).toMatchObject({ id: account.id, deleted: true })
      const gone = await failure(s.accounts.retrieve(account.id))
      expect([gone.statusCode, gone.code, gone.param]).toEqual([404, 'resource_missing', 'account'])
      const missingType = await failure(s.accounts.create({} as Stripe.AccountCreateParams))
      expect([missingType.statusCode, missingType.param]).toEqual([400, 'type'])
    } finally {
      await receiver.close()
    }
  })

  it('Stripe-Account scopes a request to the connected account and refuses an account the platform lacks', async () => {
    const s = client()
    const account = await merchant(s)
    const scoped = { stripeAccount: account.id }
    const customer = await s.customers.create({ email: 'buyer@example.com' }, scoped)
    expect((await s.customers.retrieve(customer.id, {}, scoped)).id).toBe(customer.id)
    const elsewhere = await failure(s.customers.retrieve(customer.id))
    expect(elsewhere.code).toBe('resource_missing')
    expect((await s.customers.list()).data).toEqual([])

    const stranger = await failure(s.customers.list({}, { stripeAccount: 'acct_notmine00000000' }))
    expect(stranger).toBeInstanceOf(Stripe.errors.StripePermissionError)
    expect([stranger.statusCode, stranger.code]).toEqual([403, 'account_invalid'])
    expect(stranger.message).toMatch(/does not have access to account 'acct_notmine00000000'/)
    // Another platform's key cannot act for this platform's account either.
    const other = h.client({ version })
    expect((await failure(other.customers.list({}, scoped))).code).toBe('account_invalid')
  })

  it('transfers need available funds; a transfer and its reversal move both balances', async () => {
    const receiver = await startReceiver()
    try {
      const s = client()
      const endpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['transfer.created', 'transfer.reversed', 'transfer.updated'],
      })
      const account = await merchant(s)
      const broke = await failure(
        s.transfers.create({ amount: 5000, currency: 'usd', destination: account.id }),
      )
      expect([broke.statusCode, broke.code]).toEqual([400, 'balance_insufficient'])
      await s.paymentIntents.create({
        amount: 10_000,
        currency: 'usd',
        payment_method: 'pm_card_bypassPending',
        confirm: true,
      })
      const before = await addsUp(s)
      const transfer = await s.transfers.create({
        amount: 5000,
        currency: 'usd',
        destination: account.id,
        transfer_group: 'order_1',
      })
      expect(transfer.id).toMatch(/^tr_/)
      expect(transfer).toMatchObject({
        amount: 5000,
        amount_reversed: 0,
        destination: account.id,
        reversed: false,
      })
      expect((await addsUp(s)).available).toBe(before.available - 5000)
      expect((await addsUp(s, account.id)).available).toBe(5000)

      const reversal = await s.transfers.createReversal(transfer.id, { amount: 2000 })
      expect(reversal.id).toMatch(/^trr_/)
      const after = await s.transfers.retrieve(transfer.id)
      expect(after).toMatchObject({ amount_reversed: 2000, reversed: false })
      expect((await s.transfers.listReversals(transfer.id)).data.map((r) => r.id)).toEqual([reversal.id])
      expect((await s.transfers.retrieveReversal(transfer.id, reversal.id)).amount).toBe(2000)
      expect((await addsUp(s, account.id)).available).toBe(3000)
      expect((await addsUp(s)).available).toBe(before.available - 3000)
      const tooMuch = await failure(s.transfers.createReversal(transfer.id, { amount: 4000 }))
      expect([tooMuch.statusCode, tooMuch.param]).toEqual([400, 'amount'])
      expect((await s.transfers.list({ transfer_group: 'order_1' })).data.map((t) => t.id)).toEqual([
        transfer.id,
      ])

      const updatedEvent = await receiver.waitFor((e) => e.type === 'transfer.updated')
      expect(JSON.parse(updatedEvent.body).data.previous_attributes).toEqual({
        amount_reversed: 0,
        reversed: false,
      })
      const types = receiver.received.map(
        (r) =>
          Stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'] as string, endpoint.secret!)
            .type,
      )
      expect(types.slice(0, 3)).toEqual(['transfer.created', 'transfer.reversed', 'transfer.updated'])

      const noDestination = await failure(
        s.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_nope0000000000' }),
      )
      expect([noDestination.statusCode, noDestination.param]).toEqual([400, 'destination'])
      const missing = await failure(
        s.transfers.create({ amount: 100, currency: 'usd' } as Stripe.TransferCreateParams),
      )
      expect([missing.code, missing.param]).toEqual(['parameter_missing', 'destination'])
    } finally {
      await receiver.close()
    }
  })

  it('application fees: a direct charge with Stripe-Account and a destination charge', async () => {
    const s = client()
    const account = await merchant(s)
    const scoped = { stripeAccount: account.id }
    const direct = await s.paymentIntents.create(
      {
        amount: 10_000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: true,
        application_fee_amount: 300,
      },
      scoped,
    )
    expect(direct.status).toBe('succeeded')
    const [fee] = (await s.applicationFees.list()).data
    expect(fee).toMatchObject({
      amount: 300,
      account: account.id,
      charge: direct.latest_charge,
      refunded: false,
    })
    expect(fee!.id).toMatch(/^fee_/)
    expect((await s.applicationFees.retrieve(fee!.id)).amount).toBe(300)
    const connected = await addsUp(s, account.id)
    const chargeTxn = connected.txns.find((t) => t.source === direct.latest_charge)!
    expect(chargeTxn.fee_details.map((f) => [f.type, f.amount])).toEqual([
      ['stripe_fee', 320],
      ['application_fee', 300],
    ])
    const platform = await addsUp(s)
    expect(platform.txns.find((t) => t.type === 'application_fee')?.amount).toBe(300)

    const destination = await s.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      application_fee_amount: 500,
      transfer_data: { destination: account.id },
    })
    const transfers = (await s.transfers.list({ destination: account.id })).data
    expect(transfers.map((t) => [t.amount, t.source_transaction])).toEqual([
      [4500, destination.latest_charge],
    ])
    expect(
      (await s.applicationFees.list({ charge: destination.latest_charge as string })).data[0]!.amount,
    ).toBe(500)
    await addsUp(s)
    await addsUp(s, account.id)

    // Refunds: the direct charge gives the fee back in proportion, the destination charge pulls its transfer back.
    await s.refunds.create({ payment_intent: direct.id, amount: 5000, refund_application_fee: true }, scoped)
    const halfFee = await s.applicationFees.retrieve(fee!.id)
    expect([halfFee.amount_refunded, halfFee.refunded]).toEqual([150, false])
    const feeRefund = await s.applicationFees.createRefund(fee!.id)
    expect(feeRefund).toMatchObject({ object: 'fee_refund', amount: 150, fee: fee!.id })
    expect((await s.applicationFees.listRefunds(fee!.id)).data.map((r) => r.amount)).toEqual([150, 150])
    expect((await s.applicationFees.retrieveRefund(fee!.id, feeRefund.id)).id).toBe(feeRefund.id)
    const overFee = await failure(s.applicationFees.createRefund(fee!.id, { amount: 1 }))
    expect([overFee.statusCode, overFee.param]).toEqual([400, 'amount'])
    const back = await s.refunds.create({ payment_intent: destination.id, reverse_transfer: true })
    expect(back.transfer_reversal).toMatch(/^trr_/)
    expect((await s.transfers.retrieve(transfers[0]!.id)).amount_reversed).toBe(4500)
    const noTransfer = await failure(
      s.refunds.create({ payment_intent: direct.id, reverse_transfer: true }, scoped),
    )
    expect([noTransfer.statusCode, noTransfer.param]).toEqual([400, 'reverse_transfer'])
    await addsUp(s)
    await addsUp(s, account.id)

    const refused = await failure(
      s.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        application_fee_amount: 10,
      }),
    )
    expect([refused.statusCode, refused.param]).toEqual([400, 'application_fee_amount'])
  })

  it('payouts: manual ones pay on the clock or cancel; a connected account is paid out on its daily schedule', async () => {
    const receiver = await startReceiver()
    try {
      const s = client()
      await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['payout.created', 'payout.paid'],
        connect: true,
      })
      const platformEvents = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['payout.canceled'],
      })
      expect(platformEvents.id).toMatch(/^we_/)
      await s.paymentIntents.create({
        amount: 20_000,
        currency: 'usd',
        payment_method: 'pm_card_bypassPending',
        confirm: true,
      })
      const payout = await s.payouts.create({ amount: 5000, currency: 'usd' })
      expect(payout).toMatchObject({ status: 'pending', automatic: false, amount: 5000 })
      const canceled = await s.payouts.create({ amount: 1000, currency: 'usd' })
      expect((await s.payouts.cancel(canceled.id)).status).toBe('canceled')
      expect((await failure(s.payouts.cancel(canceled.id))).statusCode).toBe(400)
      const tooMuch = await failure(s.payouts.create({ amount: 10_000_000, currency: 'usd' }))
      expect(tooMuch.code).toBe('balance_insufficient')
      await addsUp(s)

      const account = await merchant(s)
      await s.transfers.create({ amount: 7000, currency: 'usd', destination: account.id })
      h.sims.core.clock.advance(DAY_MS)
      const [automatic] = (await s.payouts.list({}, { stripeAccount: account.id })).data
      expect(automatic).toMatchObject({ automatic: true, amount: 7000, status: 'pending' })
      const created = JSON.parse((await receiver.waitFor((e) => e.type === 'payout.created')).body)
      expect(created.account).toBe(account.id)
      h.sims.core.clock.advance(3 * DAY_MS)
      expect((await s.payouts.retrieve(payout.id)).status).toBe('paid')
      expect((await s.payouts.retrieve(automatic!.id, {}, { stripeAccount: account.id })).status).toBe('paid')
      await receiver.waitFor((e) => e.type === 'payout.paid')
      expect((await addsUp(s, account.id)).available).toBe(0)
      expect((await s.payouts.list({ status: 'canceled' })).data.map((p) => p.id)).toEqual([canceled.id])
    } finally {
      await receiver.close()
    }
  })

  it.each([
    ['000123456789', 'paid', null],
    ['000111111116', 'failed', 'no_account'],
    ['000111111113', 'failed', 'account_closed'],
    ['000222222227', 'failed', 'insufficient_funds'],
    ['000333333335', 'failed', 'debit_not_authorized'],
    ['000444444440', 'failed', 'invalid_currency'],
  ])('a payout to test bank account %s ends %s (%s)', async (number, status, code) => {
    const s = client()
    const account = await s.accounts.create({
      type: 'custom',
      external_account: {
        object: 'bank_account',
        country: 'US',
        currency: 'usd',
        routing_number: '110000000',
        account_number: number,
      },
    } as Stripe.AccountCreateParams)
    const [bank] = account.external_accounts!.data as Stripe.BankAccount[]
    expect(bank).toMatchObject({ object: 'bank_account', last4: number.slice(-4), currency: 'usd' })
    h.sims.core.clock.advance(ACCOUNT_VERIFIED_AFTER_MS + 1000)
    await s.accounts.update(account.id, { settings: { payouts: { schedule: { interval: 'manual' } } } })
    await s.paymentIntents.create({
      amount: 9000,
      currency: 'usd',
      payment_method: 'pm_card_bypassPending',
      confirm: true,
    })
    await s.transfers.create({ amount: 4000, currency: 'usd', destination: account.id })
    const scoped = { stripeAccount: account.id }
    const payout = await s.payouts.create({ amount: 4000, currency: 'usd' }, scoped)
    expect(payout.destination).toBe(bank!.id)
    expect((await addsUp(s, account.id)).available).toBe(0)
    h.sims.core.clock.advance(3 * DAY_MS)
    const done = await s.payouts.retrieve(payout.id, {}, scoped)
    expect([done.status, done.failure_code]).toEqual([status, code])
    // A failed payout's money comes back to the account's balance.
    expect((await addsUp(s, account.id)).available).toBe(status === 'failed' ? 4000 : 0)
    const events = (await s.events.list({ type: 'payout.*' }, scoped)).data.map((e) => e.type).reverse()
    expect(events).toEqual([
      'payout.created',
      'payout.updated',
      status === 'failed' ? 'payout.failed' : 'payout.paid',
    ])
  })

  it('refuses a bad external_account naming the parameter', async () => {
    const s = client()
    const token = await failure(s.accounts.create({ type: 'custom', external_account: 'btok_nope' }))
    expect([token.statusCode, token.code, token.param]).toEqual([400, 'resource_missing', 'external_account'])
    const noNumber = await failure(
      s.accounts.create({
        type: 'custom',
        external_account: { object: 'bank_account', country: 'US', currency: 'usd' },
      } as Stripe.AccountCreateParams),
    )
    expect([noNumber.statusCode, noNumber.code, noNumber.param]).toEqual([
      400,
      'parameter_missing',
      'external_account[account_number]',
    ])
  })

  it("a connected account's Checkout Session is paid on its hosted page; the events reach the Connect endpoint", async () => {
    const receiver = await startReceiver()
    try {
      const s = client()
      const connectEndpoint = await s.webhookEndpoints.create({
        url: receiver.url,
        enabled_events: ['checkout.session.completed'],
        connect: true,
      })
      const account = await merchant(s)
      const scoped = { stripeAccount: account.id }
      const session = await s.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [
            {
              price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Gift card' } },
              quantity: 1,
            },
          ],
          success_url: 'https://shop.example/ok',
        },
        scoped,
      )
      const paid = await fetch(session.url!, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({
          email: 'buyer@example.com',
          cardNumber: '4242 4242 4242 4242',
          cardExpiry: '12 / 40',
          cardCvc: '123',
          billingName: 'B',
        }),
      })
      expect(paid.status).toBe(303)
      const hit = await receiver.waitFor((e) => e.type === 'checkout.session.completed')
      const event = Stripe.webhooks.constructEvent(
        hit.body,
        hit.headers['stripe-signature'] as string,
        connectEndpoint.secret!,
      )
      expect(event.account).toBe(account.id)
      expect((await s.checkout.sessions.retrieve(session.id, {}, scoped)).payment_status).toBe('paid')
      expect((await failure(s.checkout.sessions.retrieve(session.id))).code).toBe('resource_missing')
      expect((await addsUp(s, account.id)).txns.map((t) => t.type)).toContain('charge')
    } finally {
      await receiver.close()
    }
  })

  it("a connected account's charges become available after its schedule's delay_days", async () => {
    const s = client()
    const account = await merchant(s)
    await s.accounts.update(account.id, {
      settings: { payouts: { schedule: { interval: 'manual', delay_days: 7 } } },
    })
    const pi = await s.paymentIntents.create(
      { amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      { stripeAccount: account.id },
    )
    const { txns } = await addsUp(s, account.id)
    const txn = txns.find((t) => t.source === pi.latest_charge)!
    expect(txn.available_on).toBe(Math.ceil((txn.created + 7 * 86_400) / 86_400) * 86_400)
    h.sims.core.clock.advance(3 * DAY_MS)
    expect((await addsUp(s, account.id)).available).toBe(0)
  })
})
