import { describe, expect, it } from 'vitest'
import { patchNested, snapshotOf } from './snapshots.ts'

/** What an event's `data.object` shares with the live object, and what it copies so it never changes. */
describe('event snapshots', () => {
  const charge = () => ({
    id: 'ch_1',
    object: 'charge',
    status: 'succeeded',
    metadata: { order: 'o_1' },
    outcome: { type: 'authorized', rule: { id: 'r_1' } },
    payment_method_details: { card: { brand: 'visa', networks: { available: ['visa'] } } },
    refunds: { object: 'list', data: [] as Record<string, unknown>[], has_more: false },
    balance_transactions: [] as string[],
  })

  it('shares plain nested values, frozen, and copies the object’s own keys', () => {
    const live = charge()
    const snapshot = snapshotOf(live)
    expect(snapshot).not.toBe(live)
    expect(snapshot.metadata).toBe(live.metadata)
    expect(snapshot.outcome).toBe(live.outcome)
    expect(Object.isFrozen(live.outcome.rule)).toBe(true)
    live.status = 'refunded'
    expect(snapshot.status).toBe('succeeded')
  })

  it('copies arrays, API objects and lists, and plain values holding them, so growth does not reach it', () => {
    const live = charge()
    const snapshot = snapshotOf(live) as ReturnType<typeof charge>
    expect(Object.isFrozen(live.payment_method_details)).toBe(false)
    expect(snapshot.payment_method_details).not.toBe(live.payment_method_details)
    const refund = { id: 're_1', object: 'refund', status: 'pending' }
    live.refunds.data.push(refund)
    live.balance_transactions.push('txn_1')
    live.payment_method_details.card.networks.available.push('cartes_bancaires')
    const later = snapshotOf(live) as ReturnType<typeof charge>
    refund.status = 'succeeded'
    expect(snapshot.refunds.data).toEqual([])
    expect(snapshot.balance_transactions).toEqual([])
    expect(snapshot.payment_method_details.card.networks.available).toEqual(['visa'])
    expect(later.refunds.data).toEqual([{ id: 're_1', object: 'refund', status: 'pending' }])
  })

  it('refuses a change in place to a shared value, and takes a replacement', () => {
    const live = charge()
    const snapshot = snapshotOf(live)
    expect(() => {
      live.metadata.order = 'o_2'
    }).toThrow(TypeError)
    patchNested(live, 'metadata', { order: 'o_2' })
    expect(live.metadata).toEqual({ order: 'o_2' })
    expect(snapshot.metadata).toEqual({ order: 'o_1' })
  })

  it('copies bytes as JSON sends them instead of failing to freeze them', () => {
    const live = { id: 'file_1', object: 'file', extra: { content: Buffer.from('hi') } }
    const snapshot = snapshotOf(live) as { extra: { content: unknown } }
    expect(snapshot.extra.content).toEqual({ type: 'Buffer', data: [104, 105] })
    live.extra.content[0] = 0
    expect(snapshot.extra.content).toEqual({ type: 'Buffer', data: [104, 105] })
  })
})
