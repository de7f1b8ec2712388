import { ProviderError } from '../core/errors.ts'
import { defineProvider } from '../core/provider.ts'

/**
 * PLACEHOLDER: the Razorpay simulator is being built in this folder. Until then
 * it answers every request with 501 so nothing pretends to work.
 */
const notBuilt = () => ({ status: 501, body: { error: 'Razorpay simulator not built yet' } })

export const razorpay = defineProvider({
  name: 'razorpay',
  title: 'Razorpay',
  defaultPort: 4705,
  createState: () => ({}),
  auth: () => {
    throw new ProviderError(notBuilt())
  },
  routes: [],
  errors: {},
  responses: { notFound: notBuilt, invalidBody: notBuilt, invalidInput: notBuilt, internalError: notBuilt },
})
