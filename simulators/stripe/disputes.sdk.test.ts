import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { DISPUTE_FEE, EVIDENCE_SETTLES_AFTER_MS } from './disputes.ts'
import { checkResponse } from './spec-check.ts'
import { failure, LEGACY_VERSION, PINNED_VERSION, startReceiver, useHarness } from './test-support.ts'

/**
 * Disputes raised by Stripe's dispute test cards, driven through the official
 * library: the events in Stripe's order, the ledger (withdrawal with the $15
 * fee, reinstatement on a win), evidence with the magic values, close, the
 * refund refused while a chargeback holds the charge, and the errors.
 */
const h = useHarness()

const settle = () => h.sims.core.clock.advance(EVIDENCE_SETTLES_AFTER_MS + 1000)

describe.each([LEGACY_VERSION, PINNED_VERSION])('disputes in %s', (version) => {
  const client = () => h.client({ version })

  async function disputed(s: Stripe, pm = 'pm_card_createDispute', amount = 4200) {
    const pi = await s.paymentIntents.create({ amount, currency: 'usd', payment_method: pm, confirm: true })
    const [dispute] = (await s.disputes.list({ payment_intent: pi.id })).data
    return { pi, dispute: dispute! }
  }

  it('a chargeback arrives signed, in Stripe order, and withdraws the amount plus the fee', async () => {
    const receiver = await startReceiver()
    try {
      const s = client()
      const endpoint = await s.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] })
      const { pi, dispute } = await disputed(s)
      expect(dispute.id).toMatch(/^du_/)
      expect(dispute).toMatchObject({
        amount: 4200,
        charge: pi.latest_charge,
        payment_intent: pi.id,
        reason: 'fraudulent',
        status: 'needs_response',
        is_charge_refundable: false,
        evidence_details: { has_evidence: false, past_due: false, submission_count: 0 },
      })
      expect(dispute.evidence_details.due_by).toBeGreaterThan(dispute.created + 7 * 86400)
      const [withdrawal] = dispute.balance_transactions
      expect(withdrawal).toMatchObject({ amount: -4200, fee: DISPUTE_FEE, net: -5700, type: 'adjustment' })
      expect((await s.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true)

      await receiver.waitFor((e) => e.type === 'payment_intent.succeeded')
      const order = receiver.received
        .map((r) => JSON.parse(r.body).type as string)
        .filter((t) => /^(charge|payment_intent)\./.test(t))
      expect(order).toEqual([
        'payment_intent.created',
        'charge.succeeded',
        'charge.dispute.created',
        'charge.dispute.funds_withdrawn',
        'payment_intent.succeeded',
      ])
      for (const r of receiver.received)
        expect(() =>
          Stripe.webhooks.constructEvent(r.body, r.headers['stripe-signature'] as string, endpoint.secret!),
        ).not.toThrow()
    } finally {
      await receiver.close()
    }
  })

  it('refuses a refund while the chargeback holds the charge, and allows it after a win', async () => {
    const s = client()
    const { pi, dispute } = await disputed(s)
    const refused = await failure(s.refunds.create({ payment_intent: pi.id }))
    expect(refused.statusCode).toBe(400)
    expect(refused.code).toBe('charge_disputed')
    expect(refused.message).toBe(`Charge ${pi.latest_charge} has been charged back; cannot issue a refund.`)

    const submitted = await s.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Ada' },
    })
    expect(submitted.status).toBe('under_review')
    expect(submitted.evidence_details).toMatchObject({ has_evidence: true, submission_count: 1 })
    expect(submitted.evidence.customer_name).toBe('Ada')
    settle()
    const won = await s.disputes.retrieve(dispute.id)
    expect(won.status).toBe('won')
    expect(won.is_charge_refundable).toBe(true)
    expect(won.balance_transactions.map((t) => [t.amount, t.fee, t.net])).toEqual([
      [-4200, 1500, -5700],
      [4200, -1500, 5700],
    ])
    const types = (await s.events.list({ type: 'charge.dispute.*' })).data.map((e) => e.type).reverse()
    expect(types).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.updated',
      'charge.dispute.funds_reinstated',
      'charge.dispute.closed',
    ])
    const updated = (await s.events.list({ type: 'charge.dispute.updated' })).data[0]!
    expect(updated.data.previous_attributes).toMatchObject({ status: 'needs_response' })
    expect((await s.refunds.create({ payment_intent: pi.id })).status).toBe('succeeded')
  })

  it('losing_evidence loses; close loses at once; a closed dispute refuses changes', async () => {
    const s = client()
    const { dispute } = await disputed(s, 'pm_card_createDisputeProductNotReceived')
    expect(dispute.reason).toBe('product_not_received')
    await s.disputes.update(dispute.id, { evidence: { uncategorized_text: 'losing_evidence' } })
    settle()
    const lost = await s.disputes.retrieve(dispute.id)
    expect(lost.status).toBe('lost')
    expect(lost.balance_transactions).toHaveLength(1)

    const { dispute: other } = await disputed(s)
    const closed = await s.disputes.close(other.id)
    expect(closed.status).toBe('lost')
    for (const call of [s.disputes.close(other.id), s.disputes.update(other.id, { metadata: { a: 'b' } })]) {
      const refused = await failure(call)
      expect(refused.statusCode).toBe(400)
      expect(refused.message).toBe('This dispute is already closed')
    }
  })

  it('an inquiry moves no money until escalated; escalation withdraws', async () => {
    const s = client()
    const { dispute } = await disputed(s, 'pm_card_createDisputeInquiry', 2100)
    expect(dispute).toMatchObject({ status: 'warning_needs_response', is_charge_refundable: true })
    expect(dispute.balance_transactions).toEqual([])
    const draft = await s.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'escalate_inquiry_evidence' },
      submit: false,
    })
    expect(draft.status).toBe('warning_needs_response')
    expect(draft.evidence_details.submission_count).toBe(0)
    const sent = await s.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'escalate_inquiry_evidence' },
    })
    expect(sent.status).toBe('warning_under_review')
    settle()
    const escalated = await s.disputes.retrieve(dispute.id)
    expect(escalated.status).toBe('needs_response')
    expect(escalated.is_charge_refundable).toBe(false)
    expect(escalated.balance_transactions.map((t) => [t.amount, t.fee])).toEqual([[-2100, 1500]])

    const { dispute: second } = await disputed(s, 'pm_card_createDisputeInquiry')
    expect((await s.disputes.close(second.id)).status).toBe('warning_closed')
  })

  it('each event keeps the dispute as it was when it happened, while the dispute changes', async () => {
    const s = client()
    const { dispute } = await disputed(s, 'pm_card_createDisputeInquiry', 2100)
    await s.disputes.update(dispute.id, { evidence: { uncategorized_text: 'escalate_inquiry_evidence' } })
    settle()
    const events = (await s.events.list({ type: 'charge.dispute.*', limit: 100 })).data
      .filter((e) => (e.data.object as Stripe.Dispute).id === dispute.id)
      .reverse()
    const seen = events.map((e) => {
      const d = e.data.object as Stripe.Dispute
      return [
        e.type,
        d.status,
        d.evidence.uncategorized_text,
        d.evidence_details.submission_count,
        d.balance_transactions.length,
      ]
    })
    expect(seen).toEqual([
      ['charge.dispute.created', 'warning_needs_response', null, 0, 0],
      ['charge.dispute.updated', 'warning_under_review', 'escalate_inquiry_evidence', 1, 0],
      ['charge.dispute.updated', 'needs_response', 'escalate_inquiry_evidence', 1, 0],
      ['charge.dispute.funds_withdrawn', 'needs_response', 'escalate_inquiry_evidence', 1, 1],
    ])
  })

  it('lists by charge and payment_intent, pages, and answers Stripe errors naming the parameter', async () => {
    const s = client()
    const a = await disputed(s)
    const b = await disputed(s, 'pm_card_createDisputeInquiry')
    expect((await s.disputes.list()).data.map((d) => d.id)).toEqual([b.dispute.id, a.dispute.id])
    expect((await s.disputes.list({ charge: a.pi.latest_charge as string })).data.map((d) => d.id)).toEqual([
      a.dispute.id,
    ])
    const page = await s.disputes.list({ limit: 1 })
    expect(page.has_more).toBe(true)

    const missing = await failure(s.disputes.retrieve('du_nope'))
    expect([missing.statusCode, missing.code, missing.param, missing.message]).toEqual([
      404,
      'resource_missing',
      'dispute',
      "No such dispute: 'du_nope'",
    ])
    const unknown = await failure(
      s.disputes.update(a.dispute.id, {
        evidence: { colour: 'red' },
      } as unknown as Stripe.DisputeUpdateParams),
    )
    expect([unknown.statusCode, unknown.param]).toEqual([400, 'evidence[colour]'])
    const badSubmit = await failure(
      s.disputes.update(a.dispute.id, { submit: 'maybe' } as unknown as Stripe.DisputeUpdateParams),
    )
    expect(badSubmit.param).toBe('submit')
  })

  it('the balance adds up: available + pending is the sum of every transaction', async () => {
    const s = client()
    await disputed(s)
    await s.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_bypassPending',
      confirm: true,
    })
    const refunded = await s.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    })
    await s.refunds.create({ payment_intent: refunded.id, amount: 500 })
    const txns = (await s.balanceTransactions.list({ limit: 100 })).data
    expect(txns.map((t) => t.type).sort()).toEqual(['adjustment', 'charge', 'charge', 'charge', 'refund'])
    const balance = await s.balance.retrieve()
    const sum = (xs: { amount: number }[]) => xs.reduce((n, x) => n + x.amount, 0)
    expect(sum(balance.available) + sum(balance.pending)).toBe(txns.reduce((n, t) => n + t.net, 0))
    // Only the bypassPending charge is available at once, less the dispute and the refund.
    const fee = (n: number) => Math.round(n * 0.029) + 30
    expect(sum(balance.available)).toBe(1000 - fee(1000) - 5700 - 500)
    h.sims.core.clock.advance(3 * 86_400_000)
    const later = await s.balance.retrieve()
    expect(sum(later.pending)).toBe(0)
    // The pending charges landed: Stripe announces it with balance.available (the balance then).
    const announced = (await s.events.list({ type: 'balance.available' })).data
    expect(announced).toHaveLength(1)
    const landed = announced[0]!.data.object as Stripe.Balance
    expect(checkResponse(landed)).toEqual([])
    expect(sum(landed.available)).toBe(sum(later.available))
    const txn = await s.balanceTransactions.retrieve(txns[0]!.id)
    expect(txn.status).toBe('available')
    const missing = await failure(s.balanceTransactions.retrieve('txn_nope'))
    expect([missing.statusCode, missing.code]).toEqual([404, 'resource_missing'])
  })
})

describe('triggers and updates of these areas', () => {
  it.each([
    'charge.dispute.created',
    'charge.dispute.funds_withdrawn',
    'charge.dispute.updated',
    'charge.dispute.closed',
    'charge.dispute.funds_reinstated',
    'refund.updated',
    'charge.refund.updated',
  ])('standin trigger stripe %s sends it signed, with its objects behind it', async (type) => {
    const key = `sk_test_trigger_${type.replace(/\W/g, '_')}`
    const s = h.client({ key, version: LEGACY_VERSION })
    const receiver = await startReceiver()
    try {
      const endpoint = await s.webhookEndpoints.create({ url: receiver.url, enabled_events: [type as never] })
      await h.sims.runtime('stripe').trigger(type, key, {})
      const hit = await receiver.waitFor((e) => e.type === type)
      const event = Stripe.webhooks.constructEvent(
        hit.body,
        hit.headers['stripe-signature'] as string,
        endpoint.secret!,
      )
      const object = event.data.object as { id: string; object: string }
      if (object.object === 'dispute') expect((await s.disputes.retrieve(object.id)).id).toBe(object.id)
      else expect((await s.refunds.retrieve(object.id)).id).toBe(object.id)
      if (type.endsWith('.updated')) expect(event.data.previous_attributes).toBeDefined()
    } finally {
      await receiver.close()
    }
  })

  it('updating a refund sends refund.updated and charge.refund.updated with previous_attributes', async () => {
    const s = h.client({ version: LEGACY_VERSION })
    const pi = await s.paymentIntents.create({
      amount: 900,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    })
    const refund = await s.refunds.create({ payment_intent: pi.id, metadata: { a: '1' } })
    await s.refunds.update(refund.id, { metadata: { b: '2' } })
    for (const type of ['refund.updated', 'charge.refund.updated']) {
      const [event] = (await s.events.list({ type })).data
      expect(event!.data.previous_attributes).toEqual({ metadata: { a: '1' } })
      expect((event!.data.object as Stripe.Refund).metadata).toEqual({ a: '1', b: '2' })
    }
  })
})
