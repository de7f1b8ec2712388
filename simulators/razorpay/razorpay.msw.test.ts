import { setupServer } from 'msw/node'
import Razorpay from 'razorpay'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { standinHandlers } from '../core/transports/msw.ts'
import { razorpay } from './index.ts'

/** The msw transport: the SDK untouched, still aimed at api.razorpay.com, served in-process. */
const { handlers } = standinHandlers({
  providers: [razorpay],
  baseUrls: { razorpay: 'https://api.razorpay.com' },
})
const server = setupServer(...handlers)

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

describe('razorpay over msw', () => {
  it('creates and fetches an order with an unmodified client; errors keep Razorpay’s shape', async () => {
    const rzp = new Razorpay({ key_id: 'rzp_test_MswInProcess01', key_secret: 'msw_secret' })
    const order = await rzp.orders.create({ amount: 1500, currency: 'INR', receipt: 'msw-1' })
    expect(order).toMatchObject({ entity: 'order', amount: 1500, status: 'created' })
    expect(await rzp.orders.fetch(order.id)).toEqual(order)
    await expect(rzp.orders.create({ amount: 1.5, currency: 'INR' })).rejects.toMatchObject({
      statusCode: 400,
      error: { code: 'BAD_REQUEST_ERROR', description: 'The amount must be an integer.', field: 'amount' },
    })
  })
})
