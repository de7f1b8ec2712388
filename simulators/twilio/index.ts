import { defineProvider } from '../core/provider.ts'
import { authenticate, enforceRateLimit } from './auth.ts'
import { errors } from './errors.ts'
import { createState, type TwilioState } from './models.ts'
import { responses } from './responses.ts'
import { decodeBody } from './route.ts'
import { accountRoutes } from './routes/accounts.ts'
import { callRoutes } from './routes/calls.ts'
import { messageRoutes } from './routes/messages.ts'
import { verificationCheckRoutes } from './routes/verification-checks.ts'
import { verificationRoutes } from './routes/verifications.ts'
import { verifyServiceRoutes } from './routes/verify-services.ts'
import { triggers } from './triggers.ts'
import { webhooks } from './webhooks.ts'

/**
 * Twilio: the 2010-04-01 REST API (Messages, Calls, the account, API keys)
 * and Verify v2 on one port; Verify is matched by `Host: verify.twilio.com`
 * or by the `/verify` path prefix. Read README.md for what is faithful.
 */
export const twilio = defineProvider<TwilioState>({
  name: 'twilio',
  title: 'Twilio',
  defaultPort: 4701,
  createState,
  authenticate,
  decode: decodeBody,
  decodesForms: true,
  hooks: { preValidation: [enforceRateLimit] },
  routes: [
    ...accountRoutes,
    ...messageRoutes,
    ...callRoutes,
    ...verifyServiceRoutes,
    ...verificationRoutes,
    ...verificationCheckRoutes,
  ],
  errors,
  responses,
  bodyLimit: 128 * 1024,
  webhooks,
  triggers,
  requestId: (ids) => ids.mint('RQ', 32, 'hex'),
  finalize: (response, _req, { requestId }) => {
    response.headers = { ...response.headers, 'twilio-request-id': requestId }
  },
})
