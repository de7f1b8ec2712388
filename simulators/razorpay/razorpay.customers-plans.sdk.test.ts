import type Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningProviders } from '../core/testing.ts'
import { rejection, startRazorpay } from './test-support.ts'

const keys = { key_id: 'rzp_test_SdkCustomers01', key_secret: 'sdk_customers' }
let sims: RunningProviders
let rzp: Razorpay

beforeAll(async () => {
  ;({ sims, rzp } = await startRazorpay(keys))
})
afterAll(() => sims.close())

describe('customers through razorpay-node', () => {
  it('creates, fetches, edits (PUT) and lists customers', async () => {
    const created = await rzp.customers.create({
      name: 'Gaurav Kumar',
      email: 'gaurav.kumar@example.com',
      contact: '9123456780',
      notes: { tier: 'gold' },
    })
    expect(created).toMatchObject({
      entity: 'customer',
      name: 'Gaurav Kumar',
      email: 'gaurav.kumar@example.com',
      contact: '9123456780',
      gstin: null,
      notes: { tier: 'gold' },
    })
    expect(created.id).toMatch(/^cust_[A-Za-z0-9]{14}$/)
    expect(await rzp.customers.fetch(created.id)).toEqual(created)
    const edited = await rzp.customers.edit(created.id, { name: 'Gaurav K', email: 'g.k@example.com' })
    expect(edited).toMatchObject({
      id: created.id,
      name: 'Gaurav K',
      email: 'g.k@example.com',
      contact: '9123456780',
    })
    const other = await rzp.customers.create({
      name: 'Saurav',
      email: 'saurav@example.com',
      contact: '9000000001',
    })
    const page = await rzp.customers.all({ count: 1 })
    expect(page).toMatchObject({ entity: 'collection', count: 1 })
    expect(page.items[0]!.id).toBe(other.id)
    expect((await rzp.customers.all({ count: 1, skip: 1 })).items[0]!.id).toBe(created.id)
  })

  it('fail_existing: 1 (the default) refuses the same details; "0" answers the existing customer', async () => {
    const first = await rzp.customers.create({
      name: 'Asha',
      email: 'asha@example.com',
      contact: '9811111111',
    })
    const refused = await rejection(
      rzp.customers.create({ name: 'Asha', email: 'asha@example.com', contact: '9811111111' }),
    )
    expect(refused.statusCode).toBe(400)
    expect(refused.error).toMatchObject({
      code: 'BAD_REQUEST_ERROR',
      description: 'Customer already exists for the merchant',
    })
    const same = await rzp.customers.create({
      name: 'Asha',
      email: 'asha@example.com',
      contact: '9811111111',
      fail_existing: '0',
    } as never)
    expect(same.id).toBe(first.id)
  })

  it('bad input names the field', async () => {
    const contact = await rejection(rzp.customers.create({ name: 'Bad', contact: '123' }))
    expect(contact.error).toMatchObject({
      description: 'Contact number should be at least 8 digits, including country code',
      field: 'contact',
      reason: 'invalid_contact_number',
    })
    const email = await rejection(rzp.customers.create({ name: 'Bad', email: 'not-an-email' }))
    expect(email.error).toMatchObject({
      description: 'The email must be a valid email address.',
      field: 'email',
    })
    const name = await rejection(rzp.customers.create({ name: 'x'.repeat(51) }))
    expect(name.error).toMatchObject({
      description: 'The name may not be greater than 50 characters.',
      field: 'name',
    })
    const unknown = await rejection(rzp.customers.fetch('cust_00000000000000'))
    expect(unknown.error).toMatchObject({ description: 'The id provided does not exist' })
  })
})

describe('plans through razorpay-node', () => {
  it('creates a plan with its item, fetches and lists it', async () => {
    const plan = await rzp.plans.create({
      period: 'weekly',
      interval: 1,
      item: { name: 'Test plan - Weekly', amount: 69900, currency: 'INR', description: 'Weekly' },
      notes: { notes_key_1: 'Tea' },
    })
    expect(plan).toMatchObject({
      entity: 'plan',
      interval: 1,
      period: 'weekly',
      item: {
        active: true,
        name: 'Test plan - Weekly',
        description: 'Weekly',
        amount: 69900,
        unit_amount: 69900,
        currency: 'INR',
        type: 'plan',
        unit: null,
        tax_inclusive: false,
      },
      notes: { notes_key_1: 'Tea' },
    })
    expect(plan.id).toMatch(/^plan_/)
    expect(plan.item.id).toMatch(/^item_/)
    expect(await rzp.plans.fetch(plan.id)).toEqual(plan)
    const list = await rzp.plans.all({ count: 5 })
    expect(list.items[0]!.id).toBe(plan.id)
  })

  it('bad input names the field', async () => {
    const period = await rejection(
      rzp.plans.create({ interval: 1, item: { name: 'x', amount: 100, currency: 'INR' } } as never),
    )
    expect(period.error).toMatchObject({ description: 'The period field is required.', field: 'period' })
    const bad = await rejection(
      rzp.plans.create({
        period: 'hourly',
        interval: 1,
        item: { name: 'x', amount: 100, currency: 'INR' },
      } as never),
    )
    expect(bad.error).toMatchObject({ description: 'The selected period is invalid.', field: 'period' })
    const daily = await rejection(
      rzp.plans.create({ period: 'daily', interval: 1, item: { name: 'x', amount: 100, currency: 'INR' } }),
    )
    expect(daily.error).toMatchObject({ field: 'interval' })
    const item = await rejection(rzp.plans.create({ period: 'monthly', interval: 1 } as never))
    expect(item.error).toMatchObject({ description: 'The item field is required.', field: 'item' })
    const amount = await rejection(
      rzp.plans.create({ period: 'monthly', interval: 1, item: { name: 'x', currency: 'INR' } } as never),
    )
    expect(amount.error).toMatchObject({ description: 'The amount field is required.', field: 'item.amount' })
    const small = await rejection(
      rzp.plans.create({ period: 'monthly', interval: 1, item: { name: 'x', amount: 50, currency: 'INR' } }),
    )
    expect(small.error).toMatchObject({
      description: 'The amount must be at least INR 1.00',
      field: 'item.amount',
    })
  })
})
