import { ProviderError } from '../core/errors.ts'
import { defineProvider } from '../core/provider.ts'

/**
 * PLACEHOLDER: the Toss Payments simulator is being built in this folder. Until then
 * it answers every request with 501 so nothing pretends to work.
 */
const notBuilt = () => ({ status: 501, body: { error: 'Toss Payments simulator not built yet' } })

export const toss = defineProvider({
  name: 'toss',
  title: 'Toss Payments',
  defaultPort: 4706,
  createState: () => ({}),
  auth: () => {
    throw new ProviderError(notBuilt())
  },
  routes: [],
  errors: {},
  responses: { notFound: notBuilt, invalidBody: notBuilt, invalidInput: notBuilt, internalError: notBuilt },
})
