import type Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { failure, LEGACY_VERSION, PINNED_VERSION, useHarness } from './test-support.ts'

/**
 * The payments surface driven by the official stripe library (v23.1.0), in the
 * bundled spec's version (every response checked against the spec) and in the
 * version the library pins.
 */
const h = useHarness()

describe.each([LEGACY_VERSION, PINNED_VERSION])('payments in %s', (version) => {
  const client = () => h.client({ version })

  it('creates, retrieves, updates, lists and deletes customers', async () => {
    const s = client()
    const created = await s.customers.create({
      email: 'ada@example.com',
      name: 'Ada',
      metadata: { plan: 'pro', drop: 'x' },
    })
    expect(created.id).toMatch(/^cus_/)
    expect(created.object).toBe('customer')
    expect(created.livemode).toBe(false)
    const got = await s.customers.retrieve(created.id)
    expect(got).toMatchObject({
      id: created.id,
      email: 'ada@example.com',
      metadata: { plan: 'pro', drop: 'x' },
    })
    const updated = await s.customers.update(created.id, { name: 'Ada L', metadata: { drop: '' } })
    expect(updated.name).toBe('Ada L')
    expect(updated.metadata).toEqual({ plan: 'pro' })
    const deleted = await s.customers.del(created.id)
    expect(deleted).toMatchObject({ id: created.id, deleted: true })
    const again = await s.customers.retrieve(created.id)
    expect(again.deleted).toBe(true)
    const missing = await failure(s.customers.retrieve('cus_nope'))
    expect(missing.statusCode).toBe(404)
    expect(missing.code).toBe('resource_missing')
    expect(missing.message).toBe("No such customer: 'cus_nope'")
  })

  it('regression: one test token as payment_method and default_payment_method names the attached card', async () => {
    const s = client()
    const customer = await s.customers.create({
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    })
    const methods = await s.customers.listPaymentMethods(customer.id)
    expect(methods.data).toHaveLength(1)
    expect(customer.invoice_settings.default_payment_method).toBe(methods.data[0]!.id)
    // a token that was not attached here is still refused
    const refused = await failure(
      s.customers.create({ invoice_settings: { default_payment_method: 'pm_card_mastercard' } }),
    )
    expect(refused.code).toBe('resource_missing')
    expect(refused.param).toBe('invoice_settings[default_payment_method]')
  })

  it('pages lists newest first with limit, starting_after, ending_before and has_more', async () => {
    const s = client()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await s.customers.create({ email: `p${i}@example.com` })).id)
    const newest = [...ids].reverse()
    const first = await s.customers.list({ limit: 2 })
    expect(first.data.map((c) => c.id)).toEqual(newest.slice(0, 2))
    expect(first.has_more).toBe(true)
    expect(first.url).toBe('/v1/customers')
    const second = await s.customers.list({ limit: 2, starting_after: first.data[1]!.id })
    expect(second.data.map((c) => c.id)).toEqual(newest.slice(2, 4))
    const last = await s.customers.list({ limit: 2, starting_after: second.data[1]!.id })
    expect(last.data.map((c) => c.id)).toEqual(newest.slice(4))
    expect(last.has_more).toBe(false)
    const before = await s.customers.list({ limit: 2, ending_before: newest[4] })
    expect(before.data.map((c) => c.id)).toEqual(newest.slice(2, 4))
    expect(before.has_more).toBe(true)
    const all: string[] = []
    for await (const c of s.customers.list({ limit: 2 })) all.push(c.id)
    expect(all).toEqual(newest)
    const created = (await s.customers.retrieve(ids[0]!)) as Stripe.Customer
    expect(
      (await s.customers.list({ created: { gte: created.created } })).data.length,
    ).toBeGreaterThanOrEqual(5)
    expect((await s.customers.list({ created: { lt: created.created } })).data).toHaveLength(0)
  })

  it('searches with the query language and pages with next_page', async () => {
    const s = client()
    const made: string[] = []
    for (const [i, plan] of ['gold', 'gold', 'silver', 'gold'].entries())
      made.push(
        (await s.customers.create({ email: `s${i}@search.example`, name: `Ann ${i}`, metadata: { plan } }))
          .id,
      )
    const gold = await s.customers.search({ query: 'metadata["plan"]:"gold"', limit: 2 })
    expect(gold.object).toBe('search_result')
    expect(gold.data.map((c) => c.id)).toEqual([made[3], made[1]])
    expect(gold.has_more).toBe(true)
    const next = await s.customers.search({
      query: 'metadata["plan"]:"gold"',
      limit: 2,
      page: gold.next_page!,
    })
    expect(next.data.map((c) => c.id)).toEqual([made[0]])
    expect(next.next_page).toBeNull()
    const both = await s.customers.search({ query: 'email:"s2@search.example" OR email:"s0@search.example"' })
    expect(both.data.map((c) => c.id)).toEqual([made[2], made[0]])
    const all: string[] = []
    for await (const c of s.customers.search({
      query: 'email~"search.example" AND -metadata["plan"]:"silver"',
      limit: 1,
    }))
      all.push(c.id)
    expect(all).toEqual([made[3], made[1], made[0]])
    const pi = await s.paymentIntents.create({ amount: 4321, currency: 'usd', metadata: { order: 'srch' } })
    expect(
      (await s.paymentIntents.search({ query: 'amount>4320 AND metadata["order"]:"srch"' })).data.map(
        (p) => p.id,
      ),
    ).toEqual([pi.id])
    const bad = await failure(s.customers.search({ query: 'email = nobody' }))
    expect([bad.statusCode, bad.param]).toEqual([400, 'query'])
  })

  it('attaches and detaches payment methods from test tokens and raw test card numbers', async () => {
    const s = client()
    const customer = await s.customers.create({ email: 'pm@example.com' })
    const fromToken = await s.paymentMethods.attach('pm_card_visa', { customer: customer.id })
    expect(fromToken.id).toMatch(/^pm_/)
    expect(fromToken.id).not.toBe('pm_card_visa')
    expect(fromToken.card).toMatchObject({ brand: 'visa', last4: '4242' })
    expect(fromToken.customer).toBe(customer.id)
    const raw = await s.paymentMethods.create({
      type: 'card',
      card: { number: '5555555555554444', exp_month: 12, exp_year: 2040, cvc: '123' },
    })
    expect(raw.card).toMatchObject({ brand: 'mastercard', last4: '4444', exp_year: 2040 })
    await s.paymentMethods.attach(raw.id, { customer: customer.id })
    const listed = await s.customers.listPaymentMethods(customer.id)
    expect(listed.data.map((p) => p.id).sort()).toEqual([fromToken.id, raw.id].sort())
    const detached = await s.paymentMethods.detach(raw.id)
    expect(detached.customer).toBeNull()
    const declined = await failure(
      s.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }),
    )
    expect(declined.statusCode).toBe(402)
    expect(declined.code).toBe('card_declined')
    const wrong = await failure(
      s.paymentMethods.create({
        type: 'card',
        card: { number: '4242424242424241', exp_month: 1, exp_year: 2040 },
      }),
    )
    expect(wrong.code).toBe('incorrect_number')
  })

  it('moves a PaymentIntent from requires_payment_method through requires_confirmation to succeeded', async () => {
    const s = client()
    const pi = await s.paymentIntents.create({ amount: 1999, currency: 'usd', metadata: { order: 'o1' } })
    expect(pi.status).toBe('requires_payment_method')
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`))
    const withPm = await s.paymentIntents.update(pi.id, { payment_method: 'pm_card_visa' })
    expect(withPm.status).toBe('requires_confirmation')
    const confirmed = await s.paymentIntents.confirm(pi.id, { expand: ['latest_charge'] })
    expect(confirmed.status).toBe('succeeded')
    expect(confirmed.amount_received).toBe(1999)
    const charge = confirmed.latest_charge as Stripe.Charge
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 1999,
      captured: true,
      paid: true,
      status: 'succeeded',
      payment_intent: pi.id,
    })
    const again = await failure(s.paymentIntents.confirm(pi.id))
    expect(again.code).toBe('payment_intent_unexpected_state')
    expect(again.statusCode).toBe(400)
    const charges = await s.charges.list({ payment_intent: pi.id })
    expect(charges.data.map((c) => c.id)).toEqual([charge.id])
    expect((await s.charges.retrieve(charge.id)).amount).toBe(1999)
    const listed = await s.paymentIntents.list({ limit: 100 })
    expect(listed.data.some((p) => p.id === pi.id)).toBe(true)
  })

  it('declines with the card error, the PaymentIntent embedded and last_payment_error set', async () => {
    const s = client()
    const error = await failure(
      s.paymentIntents.create({
        amount: 500,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
        confirm: true,
      }),
    )
    expect(error).toBeInstanceOf(Error)
    expect(error.type).toBe('StripeCardError')
    expect(error.statusCode).toBe(402)
    expect(error.code).toBe('card_declined')
    expect(error.decline_code).toBe('insufficient_funds')
    expect(error.message).toBe('Your card has insufficient funds.')
    expect(error.doc_url).toBe('https://stripe.com/docs/error-codes/card-declined')
    expect(error.requestId).toMatch(/^req_/)
    const embedded = error.payment_intent!
    expect(embedded.status).toBe('requires_payment_method')
    const stored = await s.paymentIntents.retrieve(embedded.id)
    expect(stored.last_payment_error).toMatchObject({
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      type: 'card_error',
    })
    expect(stored.status).toBe('requires_payment_method')
    const failed = await s.charges.retrieve(stored.latest_charge as string)
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'card_declined', paid: false })
    const generic = await failure(
      s.paymentIntents.create({
        amount: 500,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      }),
    )
    expect(generic.decline_code).toBe('generic_decline')
    const expired = await failure(
      s.paymentIntents.create({
        amount: 500,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclinedExpiredCard',
        confirm: true,
      }),
    )
    expect(expired.code).toBe('expired_card')
    // The same PaymentIntent can be retried with another card.
    const retried = await s.paymentIntents.confirm(stored.id, { payment_method: 'pm_card_visa' })
    expect(retried.status).toBe('succeeded')
  })

  it('requires 3-D Secure and completes or fails it on the authentication page', async () => {
    const s = client()
    const pi = await s.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_authenticationRequired',
      confirm: true,
      return_url: 'https://shop.example/return',
    })
    expect(pi.status).toBe('requires_action')
    expect(pi.next_action?.type).toBe('redirect_to_url')
    const url = pi.next_action!.redirect_to_url!.url!
    expect((await fetch(url)).status).toBe(200)
    const pass = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ action: 'complete' }),
      redirect: 'manual',
    })
    expect(pass.status).toBe(303)
    expect(pass.headers.get('location')).toContain('redirect_status=succeeded')
    expect((await s.paymentIntents.retrieve(pi.id)).status).toBe('succeeded')

    const other = await s.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_authenticationRequired',
      confirm: true,
    })
    expect(other.next_action?.type).toBe('use_stripe_sdk')
    await fetch(`http://127.0.0.1:${h.port}/3ds/${other.id}`, {
      method: 'POST',
      body: new URLSearchParams({ action: 'fail' }),
    })
    const failed = await s.paymentIntents.retrieve(other.id)
    expect(failed.status).toBe('requires_payment_method')
    expect(failed.last_payment_error?.code).toBe('payment_intent_authentication_failure')

    const badUrl = await failure(
      s.paymentIntents.create({
        amount: 3000,
        currency: 'usd',
        payment_method: 'pm_card_authenticationRequired',
        confirm: true,
        return_url: 'shop',
      }),
    )
    expect([badUrl.statusCode, badUrl.param]).toEqual([400, 'return_url'])
    const offSession = await failure(
      s.paymentIntents.create({
        amount: 3000,
        currency: 'usd',
        payment_method: 'pm_card_authenticationRequired',
        confirm: true,
        off_session: true,
      }),
    )
    expect(offSession.code).toBe('authentication_required')
    expect(offSession.decline_code).toBe('authentication_required')
  })

  it('saves a card with a SetupIntent through 3-D Secure, then charges it off-session', async () => {
    const s = client()
    const customer = await s.customers.create({ email: 'save@example.com' })
    const si = await s.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequiredOnSetup',
      confirm: true,
      return_url: 'https://shop.example/saved',
    })
    expect(si.status).toBe('requires_action')
    expect(si.client_secret).toMatch(new RegExp(`^${si.id}_secret_`))
    const done = await fetch(si.next_action!.redirect_to_url!.url!, {
      method: 'POST',
      body: new URLSearchParams({ action: 'complete' }),
      redirect: 'manual',
    })
    expect(done.headers.get('location')).toContain(`setup_intent=${si.id}`)
    const saved = await s.setupIntents.retrieve(si.id)
    expect(saved.status).toBe('succeeded')
    const pm = saved.payment_method as string
    expect((await s.paymentMethods.retrieve(pm)).customer).toBe(customer.id)
    const later = await s.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      customer: customer.id,
      payment_method: pm,
      confirm: true,
      off_session: true,
    })
    expect(later.status).toBe('succeeded')
    const declined = await failure(
      s.setupIntents.create({
        customer: customer.id,
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      }),
    )
    expect([declined.statusCode, declined.code]).toEqual([402, 'card_declined'])
    expect(declined.setup_intent?.status).toBe('requires_payment_method')
    const open = await s.setupIntents.create({ customer: customer.id })
    expect((await s.setupIntents.cancel(open.id)).status).toBe('canceled')
    expect((await failure(s.setupIntents.cancel(open.id))).code).toBe('setup_intent_unexpected_state')
    expect((await s.setupIntents.list({ customer: customer.id })).data).toHaveLength(3)
  })

  it('authorizes with capture_method=manual, captures part, and cancels another', async () => {
    const s = client()
    const pi = await s.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: true,
    })
    expect(pi.status).toBe('requires_capture')
    expect(pi.amount_capturable).toBe(5000)
    const early = await failure(
      s.paymentIntents
        .cancel((await s.paymentIntents.create({ amount: 100, currency: 'usd' })).id)
        .then(() => s.paymentIntents.capture(pi.id, { amount_to_capture: 6000 })),
    )
    expect(early.code).toBe('amount_too_large')
    const captured = await s.paymentIntents.capture(pi.id, { amount_to_capture: 4000 })
    expect(captured.status).toBe('succeeded')
    expect(captured.amount_received).toBe(4000)
    const charge = await s.charges.retrieve(captured.latest_charge as string)
    expect(charge).toMatchObject({ captured: true, amount_captured: 4000 })
    const twice = await failure(s.paymentIntents.capture(pi.id))
    expect(twice.code).toBe('payment_intent_unexpected_state')

    const held = await s.paymentIntents.create({
      amount: 700,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: true,
    })
    const canceled = await s.paymentIntents.cancel(held.id, { cancellation_reason: 'requested_by_customer' })
    expect(canceled.status).toBe('canceled')
    expect(canceled.cancellation_reason).toBe('requested_by_customer')
    const cancelAgain = await failure(s.paymentIntents.cancel(held.id))
    expect(cancelAgain.code).toBe('payment_intent_unexpected_state')
  })

  it('refunds in full and in part, and refuses an over-refund', async () => {
    const s = client()
    const pi = await s.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    })
    const partial = await s.refunds.create({
      payment_intent: pi.id,
      amount: 300,
      reason: 'requested_by_customer',
    })
    expect(partial).toMatchObject({
      object: 'refund',
      amount: 300,
      status: 'succeeded',
      payment_intent: pi.id,
    })
    let charge = await s.charges.retrieve(pi.latest_charge as string)
    expect(charge.amount_refunded).toBe(300)
    expect(charge.refunded).toBe(false)
    const over = await failure(s.refunds.create({ charge: charge.id, amount: 800 }))
    expect(over.statusCode).toBe(400)
    expect(over.code).toBeUndefined()
    expect(over.param).toBe('amount')
    expect(over.message).toBe('Refund amount ($8.00) is greater than unrefunded amount on charge ($7.00)')
    const rest = await s.refunds.create({ charge: charge.id })
    expect(rest.amount).toBe(700)
    charge = await s.charges.retrieve(charge.id)
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: true })
    const done = await failure(s.refunds.create({ charge: charge.id }))
    expect(done.code).toBe('charge_already_refunded')
    expect((await s.refunds.retrieve(partial.id)).amount).toBe(300)
    const receipt = await fetch(charge.receipt_url!)
    expect(await receipt.text()).toContain('10.00 USD')
    expect((await s.refunds.list({ payment_intent: pi.id })).data.map((r) => r.amount)).toEqual([700, 300])
  })

  it('takes a bank debit through processing and settles it later', async () => {
    const s = client()
    const ok = await s.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      payment_method_types: ['us_bank_account'],
      payment_method: 'pm_usBankAccount_success',
      confirm: true,
      // Not in stripe 23's typings any more, still a parameter of the bundled spec.
    } as Stripe.PaymentIntentCreateParams)
    expect(ok.status).toBe('processing')
    expect((await s.charges.retrieve(ok.latest_charge as string)).status).toBe('pending')
    const bad = await s.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      payment_method_types: ['us_bank_account'],
      payment_method: 'pm_usBankAccount_insufficientFunds',
      confirm: true,
      // Not in stripe 23's typings any more, still a parameter of the bundled spec.
    } as Stripe.PaymentIntentCreateParams)
    expect(bad.status).toBe('processing')
    h.sims.core.clock.advance(61_000)
    const settled = await s.paymentIntents.retrieve(ok.id)
    expect([settled.status, settled.amount_received]).toEqual(['succeeded', 2500])
    const failed = await s.paymentIntents.retrieve(bad.id)
    expect(failed.status).toBe('requires_payment_method')
    expect(failed.last_payment_error?.code).toBe('insufficient_funds')
    const types = (await s.events.list({ limit: 100 })).data.map((e) => e.type)
    expect(types).toEqual(
      expect.arrayContaining([
        'payment_intent.processing',
        'charge.pending',
        'payment_intent.succeeded',
        'charge.failed',
      ]),
    )
    const wrongType = await failure(
      s.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        payment_method: 'pm_usBankAccount_success',
        confirm: true,
      }),
    )
    expect(wrongType.param).toBe('payment_method')
  })

  it('fails a refund of card 5126 asynchronously, giving the amount back to the charge', async () => {
    const s = client()
    const pi = await s.paymentIntents.create({
      amount: 600,
      currency: 'usd',
      payment_method: 'pm_card_refundFail',
      confirm: true,
    })
    const refund = await s.refunds.create({ payment_intent: pi.id })
    expect(refund.status).toBe('succeeded')
    h.sims.core.clock.advance(61_000)
    expect((await s.refunds.retrieve(refund.id)).status).toBe('failed')
    expect((await s.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(0)
    expect(
      (await s.events.list({ type: 'refund.failed' })).data.map((e) => (e.data.object as Stripe.Refund).id),
    ).toEqual([refund.id])
  })

  it('expands ids into objects with expand[] and expand[0]=', async () => {
    const s = client()
    const customer = await s.customers.create({ email: 'x@example.com' })
    const pi = await s.paymentIntents.create({
      amount: 800,
      currency: 'usd',
      customer: customer.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      expand: ['customer', 'latest_charge'],
    })
    expect((pi.customer as Stripe.Customer).email).toBe('x@example.com')
    expect((pi.latest_charge as Stripe.Charge).object).toBe('charge')
    const list = await s.paymentIntents.list({ customer: customer.id, expand: ['data.customer'] })
    expect((list.data[0]!.customer as Stripe.Customer).id).toBe(customer.id)
    // curl's style (expand[]=) gives the same answer as the SDK's indexed style.
    const key = (s as unknown as { _api: { auth: string } })._api?.auth
    const raw = await fetch(
      `http://127.0.0.1:${h.port}/v1/payment_intents/${pi.id}?expand[]=customer&expand[]=latest_charge`,
      {
        headers: { authorization: key ?? '', 'stripe-version': version },
      },
    )
    const body = (await raw.json()) as { customer: { object: string }; latest_charge: { object: string } }
    if (key) expect([body.customer.object, body.latest_charge.object]).toEqual(['customer', 'charge'])
    const bad = await failure(s.paymentIntents.retrieve(pi.id, { expand: ['amount'] }))
    expect(bad.message).toBe('This property cannot be expanded (amount).')
  })
})
