import { defineProvider } from '../core/provider.ts'
import { authenticate } from './auth.ts'
import { billingTriggers } from './billing-triggers.ts'
import { invalidInput } from './codec.ts'
import { errorResponse, errors, MESSAGES } from './errors.ts'
import { createState, type RazorpayState } from './models.ts'
import { checkoutRoutes } from './routes/checkout.ts'
import { customerRoutes } from './routes/customers.ts'
import { hostedRoutes } from './routes/hosted.ts'
import { orderRoutes } from './routes/orders.ts'
import { paymentLinkRoutes } from './routes/payment-links.ts'
import { paymentRoutes } from './routes/payments.ts'
import { planRoutes } from './routes/plans.ts'
import { refundRoutes } from './routes/refunds.ts'
import { subscriptionRoutes } from './routes/subscriptions.ts'
import { transferRoutes } from './routes/transfers.ts'
import { triggers } from './triggers.ts'
import { webhookSpec } from './webhooks.ts'

/**
 * Razorpay: Orders, Payments, Refunds under /v1 with Basic key_id:key_secret,
 * a hosted checkout page (and checkout.js) standing in for the Checkout
 * widget, and signed webhooks to endpoints registered by config. See README.md.
 */
export const razorpay = defineProvider<RazorpayState>({
  name: 'razorpay',
  title: 'Razorpay',
  defaultPort: 4705,
  createState,
  authenticate,
  routes: [
    ...orderRoutes,
    ...paymentRoutes,
    ...refundRoutes,
    ...checkoutRoutes,
    ...customerRoutes,
    ...planRoutes,
    ...subscriptionRoutes,
    ...paymentLinkRoutes,
    ...hostedRoutes,
    ...transferRoutes,
  ],
  errors,
  responses: {
    // Razorpay answers unknown URLs and methods with 400, not 404/405.
    notFound: () => errorResponse({ description: MESSAGES.urlNotFound }),
    methodNotAllowed: () => errorResponse({ description: 'The current http method is not supported' }),
    invalidBody: (_req, problem) =>
      errorResponse({
        description:
          problem === 'too-large'
            ? 'The request body is too large.'
            : 'The request body could not be parsed.',
        field: null,
        source: 'business',
        step: 'payment_initiation',
        reason: 'input_validation_failed',
      }),
    invalidInput: (_req, issues) => invalidInput(issues),
    internalError: () =>
      errorResponse({
        status: 500,
        code: 'SERVER_ERROR',
        description: MESSAGES.serverError,
        source: 'internal',
      }),
  },
  bodyLimit: 256 * 1024,
  idempotency: {
    header: 'x-refund-idempotency',
    // Only the refund route opts in (routes/payments.ts); orders and payments have no idempotency header.
    methods: [],
    ttlMs: 24 * 3_600_000,
    validateKey: (_req, key) =>
      /^[A-Za-z0-9_-]{10,}$/.test(key)
        ? undefined
        : errorResponse({
            description: 'The idempotency key must be at least 10 characters of letters, digits, - or _.',
            field: 'X-Refund-Idempotency',
          }),
    conflict: () => errorResponse({ description: MESSAGES.idempotencyConflict }),
    inFlight: () =>
      errorResponse({
        status: 409,
        description: 'A request with the same idempotency key is being processed.',
      }),
    // Only a refund made is remembered: a refused request (bad key pair, bad amount) may be retried with the same key.
    shouldStore: (response) => response.status === 200,
  },
  webhooks: webhookSpec,
  triggers: { ...triggers, ...billingTriggers },
})
