import { ProviderError } from '../core/errors.ts'
import { defineProvider } from '../core/provider.ts'

/**
 * PLACEHOLDER: the SendGrid simulator is being built in this folder. Until then
 * it answers every request with 501 so nothing pretends to work.
 */
const notBuilt = () => ({ status: 501, body: { error: 'SendGrid simulator not built yet' } })

export const sendgrid = defineProvider({
  name: 'sendgrid',
  title: 'SendGrid',
  defaultPort: 4703,
  createState: () => ({}),
  auth: () => {
    throw new ProviderError(notBuilt())
  },
  routes: [],
  errors: {},
  responses: { notFound: notBuilt, invalidBody: notBuilt, invalidInput: notBuilt, internalError: notBuilt },
})
