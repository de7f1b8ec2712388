import { defineProvider } from '../core/provider.ts'
import { bearerSecretKey, finalize } from './auth.ts'
import { connectScoped } from './connect-scope.ts'
import { errors, idempotencyConflict, idempotencyInFlight, responses } from './errors.ts'
import { fingerprint } from './idempotency.ts'
import { balance } from './routes/balance.ts'
import { billingPortal } from './routes/billing-portal.ts'
import { charges } from './routes/charges.ts'
import { checkoutSessions } from './routes/checkout.ts'
import { connect } from './routes/connect.ts'
import { coupons } from './routes/coupons.ts'
import { creditNotes } from './routes/credit-notes.ts'
import { customers } from './routes/customers.ts'
import { discountRoutes } from './routes/discounts.ts'
import { disputes } from './routes/disputes.ts'
import { events } from './routes/events.ts'
import { hosted } from './routes/hosted.ts'
import { invoiceItems } from './routes/invoice-items.ts'
import { invoiceLifecycle } from './routes/invoice-lifecycle.ts'
import { invoices } from './routes/invoices.ts'
import { paymentIntents } from './routes/payment-intents.ts'
import { paymentLinks } from './routes/payment-links.ts'
import { paymentMethods } from './routes/payment-methods.ts'
import { plans } from './routes/plans.ts'
import { products } from './routes/products.ts'
import { promotionCodes } from './routes/promotion-codes.ts'
import { refunds } from './routes/refunds.ts'
import { search } from './routes/search.ts'
import { setupIntents } from './routes/setup-intents.ts'
import { subscriptionResume } from './routes/subscription-resume.ts'
import { subscriptionSchedules } from './routes/subscription-schedules.ts'
import { subscriptions } from './routes/subscriptions.ts'
import { taxRates } from './routes/tax-rates.ts'
import { testClocks } from './routes/test-clocks.ts'
import { webhookEndpoints } from './routes/webhook-endpoints.ts'
import { createState, type StripeState } from './state.ts'
import { triggers } from './triggers.ts'
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
  authenticate: bearerSecretKey,
  routes: connectScoped([
    ...search,
    ...customers,
    ...paymentMethods,
    ...paymentIntents,
    ...setupIntents,
    ...charges,
    ...refunds,
    ...products,
    ...checkoutSessions,
    ...subscriptions,
    ...invoices,
    ...invoiceLifecycle,
    ...invoiceItems,
    ...creditNotes,
    ...coupons,
    ...promotionCodes,
    ...taxRates,
    ...discountRoutes,
    ...plans,
    ...subscriptionResume,
    ...billingPortal,
    ...paymentLinks,
    ...subscriptionSchedules,
    ...testClocks,
    ...events,
    ...webhookEndpoints,
    ...hosted,
    ...disputes,
    ...balance,
    ...connect,
  ]),
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
  triggers,
  requestId: (ids) => ids.mint('req_', 14),
  finalize,
})
