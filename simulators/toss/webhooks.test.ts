import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { type Receiver, startReceiver } from './receiver.ts'
import { authenticated, call, confirmed, openWindow, shop, start, submitWindow } from './test-helpers.ts'
import { signToss, verifyToss, webhookSpec } from './webhooks.ts'

/** Toss's documented retry policy (웹훅 연결하기; /work/shared/providers/toss.md): 7 retries, 1, 4, 16, 64, 256, 1024 and 4096 minutes apart. */
const DOCUMENTED_RETRIES_MS = [1, 4, 16, 64, 256, 1024, 4096].map((minutes) => minutes * 60_000)

let sims: RunningProviders
let base: string
const receivers: Receiver[] = []
beforeAll(async () => {
  sims = await start()
  base = sims.url('toss')
})
afterEach(async () => {
  sims.core.webhooks.clearRules()
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => sims.close())

/** A fresh merchant with a config endpoint (Toss registers them in the developer center) and its receiver. */
async function merchant(
  name: string,
  events = ['PAYMENT_STATUS_CHANGED', 'DEPOSIT_CALLBACK', 'CANCEL_STATUS_CHANGED'],
  status?: (n: number) => number,
) {
  const receiver = await startReceiver(status)
  receivers.push(receiver)
  const keys = shop(`${name}${Date.now().toString(36)}`)
  sims.core.webhooks.addEndpoint({
    provider: 'toss',
    account: keys.account,
    url: receiver.url,
    events,
    source: 'config',
  })
  return { ...keys, receiver }
}

describe('PAYMENT_STATUS_CHANGED', () => {
  it('is sent on DONE with the transmission headers and the Payment as data', async () => {
    const m = await merchant('whDone')
    const payment = await confirmed(base, { clientKey: m.clientKey }, {}, m.secretKey)
    const [hit] = await m.receiver.waitFor(1)
    expect(hit!.body.eventType).toBe('PAYMENT_STATUS_CHANGED')
    expect(hit!.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    expect(hit!.body.data).toEqual(payment)
    expect(hit!.headers['tosspayments-webhook-transmission-time']).toMatch(/\+09:00$/)
    expect(hit!.headers['tosspayments-webhook-transmission-retried-count']).toBe('0')
    expect(hit!.headers['tosspayments-webhook-transmission-id']).toMatch(/^whtrans_[a-z0-9]{27}$/)
    expect(hit!.headers['tosspayments-webhook-signature']).toBeUndefined()
  })

  it('is not sent for READY, IN_PROGRESS or a window the customer canceled', async () => {
    const m = await merchant('whQuiet')
    await authenticated(base, { clientKey: m.clientKey })
    const opened = await openWindow(base, { clientKey: m.clientKey })
    const to = await submitWindow(base, opened.checkout, { action: 'cancel' })
    expect(to.searchParams.get('code')).toBe('PAY_PROCESS_CANCELED')
    await sims.core.settled()
    expect(m.receiver.hits).toHaveLength(0)
  })

  it('reports CANCELED and PARTIAL_CANCELED', async () => {
    const m = await merchant('whCancel')
    const payment = await confirmed(base, { clientKey: m.clientKey, amount: 10000 }, {}, m.secretKey)
    const cancel = (body: object) =>
      call(base, 'POST', `/v1/payments/${payment.paymentKey}/cancel`, { body, key: m.secretKey })
    await cancel({ cancelReason: 'a', cancelAmount: 4000 })
    await cancel({ cancelReason: 'b' })
    const hits = await m.receiver.waitFor(3)
    expect(hits.map((h) => h.body.data.status)).toEqual(['DONE', 'PARTIAL_CANCELED', 'CANCELED'])
  })

  it('keeps each event as the Payment was when it was sent, nested objects included', async () => {
    const keys = shop(`whSnap${Date.now().toString(36)}`)
    const payment = await confirmed(base, { clientKey: keys.clientKey }, {}, keys.secretKey)
    expect(payment.card.acquireStatus).not.toBe('CANCELED')
    await call(base, 'POST', `/v1/payments/${payment.paymentKey}/cancel`, {
      body: { cancelReason: 'snapshot' },
      key: keys.secretKey,
    })
    const [canceled, done] = sims.core.webhooks.listEvents({ provider: 'toss', account: keys.account })
    const data = (event: typeof done) => (event!.payload as { data: typeof payment }).data
    expect(data(canceled).status).toBe('CANCELED')
    expect(data(canceled).card.acquireStatus).toBe('CANCELED')
    // The cancel changed the stored Payment and its card in place: the DONE event did not follow.
    expect(data(done)).toEqual(payment)
  })

  it('reports ABORTED on a refused card and EXPIRED on a lapsed confirm', async () => {
    const m = await merchant('whFail', ['PAYMENT_STATUS_CHANGED'])
    const refused = await authenticated(base, { clientKey: m.clientKey }, { cardNumber: '4000000000009995' })
    await call(base, 'POST', '/v1/payments/confirm', { body: refused, key: m.secretKey })
    const [aborted] = await m.receiver.waitFor(1)
    expect(aborted!.body.data).toMatchObject({ status: 'ABORTED', failure: { code: 'REJECT_CARD_PAYMENT' } })
    const lapsed = await authenticated(base, { clientKey: m.clientKey })
    sims.core.clock.advance(10 * 60_000 + 1)
    const hits = await m.receiver.waitFor(2)
    expect(hits[1]!.body.data).toMatchObject({
      paymentKey: lapsed.paymentKey,
      status: 'EXPIRED',
      failure: { code: 'EXPIRED_PAYMENT' },
    })
  })

  it('is retried 1, 4, 16, 64, 256, 1024 and 4096 minutes apart on the virtual clock, then given up', async () => {
    const m = await merchant('whRetry', ['PAYMENT_STATUS_CHANGED'], () => 500)
    const payment = await confirmed(base, { clientKey: m.clientKey }, {}, m.secretKey)
    for (let i = 0; i < DOCUMENTED_RETRIES_MS.length; i++) {
      await m.receiver.waitFor(i + 1)
      // Let the dispatcher record the failed attempt and arm the next before time moves.
      await sims.core.webhooks.waitFor(
        { provider: 'toss', account: m.account, minAttempts: i + 1, status: 'retrying' },
        2000,
      )
      // The clock also runs in real time, so "just before" leaves a second of slack.
      await sims.core.clock.advanceAsync(DOCUMENTED_RETRIES_MS[i]! - 1000)
      expect(m.receiver.hits, `no attempt before ${DOCUMENTED_RETRIES_MS[i]} ms`).toHaveLength(i + 1)
      await sims.core.clock.advanceAsync(1000)
    }
    const hits = await m.receiver.waitFor(8)
    expect(hits.map((h) => h.headers['tosspayments-webhook-transmission-retried-count'])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
    ])
    expect(new Set(hits.map((h) => h.headers['tosspayments-webhook-transmission-id'])).size).toBe(1)
    const delivery = await sims.core.webhooks.waitFor({ account: m.account, status: 'failed' }, 2000)
    expect(delivery?.attempts).toHaveLength(8)
    expect(hits.every((h) => h.body.data.paymentKey === payment.paymentKey)).toBe(true)
  })

  it('counts a 200 after a failure as delivered', async () => {
    const m = await merchant('whRecover', ['PAYMENT_STATUS_CHANGED'], (n) => (n === 1 ? 503 : 200))
    await confirmed(base, { clientKey: m.clientKey }, {}, m.secretKey)
    await m.receiver.waitFor(1)
    await sims.core.webhooks.waitFor({ account: m.account, status: 'retrying' }, 2000)
    sims.core.clock.advance(60_000)
    await m.receiver.waitFor(2)
    const delivery = await sims.core.webhooks.waitFor({ account: m.account, status: 'delivered' }, 2000)
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 200])
  })
})

describe('webhook rules observed at a local receiver', () => {
  it('duplicate: the same webhook arrives twice, with one transmission id', async () => {
    const m = await merchant('whDup', ['PAYMENT_STATUS_CHANGED'])
    sims.core.webhooks.addRule({
      match: { provider: 'toss', account: m.account, eventType: 'PAYMENT_STATUS_CHANGED' },
      effect: { type: 'duplicate', copies: 1 },
    })
    await confirmed(base, { clientKey: m.clientKey }, {}, m.secretKey)
    const hits = await m.receiver.waitFor(2)
    expect(hits[0]!.raw).toBe(hits[1]!.raw)
    expect(hits[0]!.headers['tosspayments-webhook-transmission-id']).toBe(
      hits[1]!.headers['tosspayments-webhook-transmission-id'],
    )
  })

  it('reorder: CANCELED arrives before the DONE it follows', async () => {
    const m = await merchant('whOrder', ['PAYMENT_STATUS_CHANGED'])
    sims.core.webhooks.addRule({
      match: { provider: 'toss', account: m.account, payload: { 'data.status': 'DONE' } },
      effect: { type: 'reorder', holdMs: 60_000 },
    })
    const payment = await confirmed(base, { clientKey: m.clientKey }, {}, m.secretKey)
    await sims.core.settled()
    expect(m.receiver.hits).toHaveLength(0)
    await call(base, 'POST', `/v1/payments/${payment.paymentKey}/cancel`, {
      body: { cancelReason: 'x' },
      key: m.secretKey,
    })
    const hits = await m.receiver.waitFor(2)
    expect(hits.map((h) => h.body.data.status)).toEqual(['CANCELED', 'DONE'])
    // createdAt lets a receiver put them back in order.
    expect(hits[1]!.body.createdAt <= hits[0]!.body.createdAt).toBe(true)
  })
})

describe('virtual accounts and DEPOSIT_CALLBACK', () => {
  it('issues an account, then a deposit makes it DONE; both webhooks carry the secret', async () => {
    const m = await merchant('whVa')
    const auth = await authenticated(
      base,
      { clientKey: m.clientKey, method: 'VIRTUAL_ACCOUNT', amount: 30000, customerName: '김토스' },
      { bank: '20' },
    )
    const confirm = await call(base, 'POST', '/v1/payments/confirm', { body: auth, key: m.secretKey })
    expect(confirm.status).toBe(200)
    const p = confirm.body
    expect(p).toMatchObject({ status: 'WAITING_FOR_DEPOSIT', method: '가상계좌', approvedAt: null })
    expect(p.secret).toMatch(/^ps_[A-Za-z0-9]{28}$/)
    expect(p.virtualAccount).toMatchObject({
      bankCode: '20',
      customerName: '김토스',
      expired: false,
      settlementStatus: 'INCOMPLETED',
    })
    expect(p.virtualAccount.accountNumber).toMatch(/^X\d{13}$/)

    const issued = await m.receiver.waitFor(2)
    const callback = issued.find((h) => h.body.eventType === undefined)!
    expect(Object.keys(callback.body).sort()).toEqual([
      'createdAt',
      'orderId',
      'secret',
      'status',
      'transactionKey',
    ])
    expect(callback.body).toMatchObject({
      secret: p.secret,
      status: 'WAITING_FOR_DEPOSIT',
      orderId: p.orderId,
    })

    await sims.runtime('toss').trigger('virtual-account.deposit', m.account, { orderId: p.orderId })
    const all = await m.receiver.waitFor(4)
    const done = all.slice(2)
    expect(done.map((h) => h.body.status ?? h.body.data.status).sort()).toEqual(['DONE', 'DONE'])
    expect(done.find((h) => h.body.eventType === undefined)!.body.secret).toBe(p.secret)
    const after = await call(base, 'GET', `/v1/payments/orders/${p.orderId}`, { key: m.secretKey })
    expect(after.body).toMatchObject({ status: 'DONE', virtualAccount: { settlementStatus: 'COMPLETED' } })
    expect(after.body.approvedAt).toMatch(/\+09:00$/)
  })

  it('cancels an unpaid account in full only, and a paid one only to a refund account', async () => {
    const m = await merchant('whVaCancel', ['DEPOSIT_CALLBACK'])
    const unpaid = await confirmed(
      base,
      { clientKey: m.clientKey, method: 'VIRTUAL_ACCOUNT', amount: 20000 },
      {},
      m.secretKey,
    )
    const partial = await call(base, 'POST', `/v1/payments/${unpaid.paymentKey}/cancel`, {
      body: { cancelReason: 'x', cancelAmount: 1000 },
      key: m.secretKey,
    })
    expect(partial.status).toBe(403)
    expect(partial.body.code).toBe('NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT')
    const full = await call(base, 'POST', `/v1/payments/${unpaid.paymentKey}/cancel`, {
      body: { cancelReason: 'x' },
      key: m.secretKey,
    })
    expect(full.body.status).toBe('CANCELED')

    const paid = await confirmed(
      base,
      { clientKey: m.clientKey, method: 'VIRTUAL_ACCOUNT', amount: 20000 },
      {},
      m.secretKey,
    )
    await sims.runtime('toss').trigger('virtual-account.deposit', m.account, { paymentKey: paid.paymentKey })
    const noAccount = await call(base, 'POST', `/v1/payments/${paid.paymentKey}/cancel`, {
      body: { cancelReason: 'x' },
      key: m.secretKey,
    })
    expect(noAccount.status).toBe(400)
    expect(noAccount.body.code).toBe('INVALID_REFUND_ACCOUNT_INFO')
    const refunded = await call(base, 'POST', `/v1/payments/${paid.paymentKey}/cancel`, {
      body: {
        cancelReason: 'x',
        refundReceiveAccount: { bank: '88', accountNumber: '12345678901234', holderName: '김토스' },
      },
      key: m.secretKey,
    })
    expect(refunded.body).toMatchObject({
      status: 'CANCELED',
      virtualAccount: {
        refundStatus: 'COMPLETED',
        refundReceiveAccount: { bankCode: '88', holderName: '김토스' },
      },
    })
    const hits = await m.receiver.waitFor(5)
    expect(hits.map((h) => h.body.status)).toEqual([
      'WAITING_FOR_DEPOSIT',
      'CANCELED',
      'WAITING_FOR_DEPOSIT',
      'DONE',
      'CANCELED',
    ])
  })

  it('expires an unpaid account at its due date without a webhook', async () => {
    const m = await merchant('whVaExp', ['DEPOSIT_CALLBACK', 'PAYMENT_STATUS_CHANGED'])
    const p = await confirmed(
      base,
      { clientKey: m.clientKey, method: 'VIRTUAL_ACCOUNT', validHours: 1 },
      {},
      m.secretKey,
    )
    await m.receiver.waitFor(2)
    sims.core.clock.advance(3_600_000)
    const after = await call(base, 'GET', `/v1/payments/${p.paymentKey}`, { key: m.secretKey })
    expect(after.body).toMatchObject({ status: 'EXPIRED', virtualAccount: { expired: true } })
    await sims.core.settled()
    expect(m.receiver.hits).toHaveLength(2)
  })

  it('a reversed deposit takes the payment back to WAITING_FOR_DEPOSIT', async () => {
    const m = await merchant('whVaRev', ['DEPOSIT_CALLBACK'])
    const p = await confirmed(base, { clientKey: m.clientKey, method: 'VIRTUAL_ACCOUNT' }, {}, m.secretKey)
    const runtime = sims.runtime('toss')
    await runtime.trigger('virtual-account.deposit', m.account, { paymentKey: p.paymentKey })
    await runtime.trigger('virtual-account.deposit-reversed', m.account, { paymentKey: p.paymentKey })
    const hits = await m.receiver.waitFor(3)
    expect(hits.map((h) => h.body.status)).toEqual(['WAITING_FOR_DEPOSIT', 'DONE', 'WAITING_FOR_DEPOSIT'])
    await expect(
      runtime.trigger('virtual-account.deposit-reversed', m.account, { paymentKey: p.paymentKey }),
    ).rejects.toThrow(/NOT_CANCELABLE_PAYMENT/)
  })
})

describe('CANCEL_STATUS_CHANGED', () => {
  it('reports an overseas easy-pay cancel once it settles', async () => {
    const m = await merchant('whCancelStatus', ['CANCEL_STATUS_CHANGED'])
    const p = await confirmed(
      base,
      { clientKey: m.clientKey, method: 'FOREIGN_EASY_PAY', amount: 20, currency: 'USD' },
      {},
      m.secretKey,
    )
    await call(base, 'POST', `/v1/payments/${p.paymentKey}/cancel`, {
      body: { cancelReason: 'refund' },
      key: m.secretKey,
    })
    await sims.core.settled()
    expect(m.receiver.hits).toHaveLength(0)
    sims.core.clock.advance(60_000)
    const [hit] = await m.receiver.waitFor(1)
    expect(hit!.body).toMatchObject({
      eventType: 'CANCEL_STATUS_CHANGED',
      data: { cancelStatus: 'DONE', cancelReason: 'refund' },
    })
  })
})

describe('signatures', () => {
  it('signs payout.changed as Toss documents and verifies with either v1 value', () => {
    const body = '{"eventType":"payout.changed","eventId":"evt_1"}'
    const time = '2024-09-05T12:19:21+09:00'
    expect(signToss('standin_security_key', body, time)).toBe('srBEKLrFqnWcGg1jiaUezw6S+1dkU1WOTwGFOEIE6kU=')
    const good = `v1:${signToss('standin_security_key', body, time)}`
    expect(verifyToss('standin_security_key', body, time, `v1:AAAA,${good}`)).toBe(true)
    expect(verifyToss('standin_security_key', `${body} `, time, good)).toBe(false)
  })

  it('adds the signature header only to payout and seller webhooks', () => {
    const sign = (type: string) =>
      webhookSpec.sign({
        event: { id: 'whtrans_x', provider: 'toss', account: 'a', type, payload: {}, createdAt: 0 },
        endpoint: {
          id: 'we',
          provider: 'toss',
          account: 'a',
          url: 'http://x',
          secret: 'k',
          events: ['*'],
          source: 'config',
          enabled: true,
          createdAt: 0,
          meta: {},
        },
        timestamp: Date.UTC(2024, 8, 5, 3, 19, 21),
        body: '{}',
        attempt: 3,
      })
    expect(sign('PAYMENT_STATUS_CHANGED')['tosspayments-webhook-signature']).toBeUndefined()
    const payout = sign('payout.changed')
    expect(payout['tosspayments-webhook-transmission-time']).toBe('2024-09-05T12:19:21+09:00')
    expect(payout['tosspayments-webhook-transmission-retried-count']).toBe('2')
    expect(
      verifyToss('k', '{}', '2024-09-05T12:19:21+09:00', payout['tosspayments-webhook-signature']!),
    ).toBe(true)
  })
})
