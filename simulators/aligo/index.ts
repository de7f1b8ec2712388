import { ProviderError } from '../core/errors.ts'
import { defineProvider } from '../core/provider.ts'

/**
 * PLACEHOLDER: the Aligo simulator is being built in this folder. Until then
 * it answers every request with 501 so nothing pretends to work.
 */
const notBuilt = () => ({ status: 501, body: { error: 'Aligo simulator not built yet' } })

export const aligo = defineProvider({
  name: 'aligo',
  title: 'Aligo',
  defaultPort: 4702,
  createState: () => ({}),
  auth: () => {
    throw new ProviderError(notBuilt())
  },
  routes: [],
  errors: {},
  responses: { notFound: notBuilt, invalidBody: notBuilt, invalidInput: notBuilt, internalError: notBuilt },
})
