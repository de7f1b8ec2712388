import { defineProvider } from '../core/provider.ts'
import { bearerSecretKey, finalize } from './auth.ts'
import { errors, idempotencyConflict, idempotencyInFlight, responses } from './errors.ts'
import { fingerprint } from './idempotency.ts'
import { createState, type StripeState } from './models.ts'
import { charges } from './routes/charges.ts'
import { customers } from './routes/customers.ts'
import { paymentIntents } from './routes/payment-intents.ts'
import { paymentMethods } from './routes/payment-methods.ts'
import { refunds } from './routes/refunds.ts'
import { webhookSpec } from './webhooks.ts'

/**
 * Stripe: the v1 API the official libraries call, on one port, with hosted
 * Checkout and 3-D Secure pages beside it. Read README.md for what is faithful.
 */
export const stripe = defineProvider<StripeState>({
  name: 'stripe',
  title: 'Stripe',
  defaultPort: 4704,
  createState,
  auth: bearerSecretKey,
  routes: [...customers, ...paymentMethods, ...paymentIntents, ...charges, ...refunds],
  errors,
  responses,
  bodyLimit: 1024 * 1024,
  webhooks: webhookSpec,
  idempotency: {
    header: 'idempotency-key',
    // Stripe prunes keys once they are at least 24 hours old.
    ttlMs: 24 * 3_600_000,
    methods: ['POST'],
    fingerprint,
    conflict: (_req, key) => idempotencyConflict(key),
    inFlight: (_req, key) => idempotencyInFlight(key),
    replayHeaders: { 'idempotent-replayed': 'true' },
    // Stripe saves the first response whatever it was, 500s included.
    shouldStore: () => true,
  },
  requestId: (ids) => ids.mint('req_', 14),
  finalize,
})
