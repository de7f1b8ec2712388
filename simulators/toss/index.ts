import { defineProvider } from '../core/provider.ts'
import { errors, langOf, tossError } from './errors.ts'
import { authenticate } from './keys.ts'
import { createState, type TossState } from './models.ts'
import { billingRoutes } from './routes/billing.ts'
import { billingWindowRoutes } from './routes/billing-window.ts'
import { cancelRoutes } from './routes/cancel.ts'
import { paymentRoutes } from './routes/payments.ts'
import { sdkRoutes } from './routes/sdk.ts'
import { windowRoutes } from './routes/window.ts'
import { triggers } from './triggers.ts'
import { webhookSpec } from './webhooks.ts'

/**
 * Toss Payments (api.tosspayments.com): the payment window, confirm, lookup,
 * cancel, virtual accounts, billing keys, idempotency and webhooks. Read
 * README.md for what is faithful and what is not.
 */
export const toss = defineProvider<TossState>({
  name: 'toss',
  title: 'Toss Payments',
  defaultPort: 4706,
  createState,
  authenticate,
  // Window routes come before the API's `/v1/payments/:paymentKey` so `/checkout` is never read as a paymentKey.
  routes: [
    ...sdkRoutes,
    ...windowRoutes,
    ...billingWindowRoutes,
    ...paymentRoutes,
    ...cancelRoutes,
    ...billingRoutes,
  ],
  errors,
  responses: {
    // Toss's gateway answers unknown URLs with a 404 in its own envelope (the exact code is standin's choice).
    notFound: (req) => ({
      status: 404,
      body: { code: 'NOT_FOUND', message: `요청한 리소스를 찾을 수 없습니다. (${req.method} ${req.path})` },
    }),
    methodNotAllowed: (req) => ({
      status: 405,
      body: { code: 'METHOD_NOT_ALLOWED', message: `허용되지 않은 메서드입니다. (${req.method})` },
    }),
    invalidBody: (req, problem) =>
      tossError(
        'INVALID_REQUEST',
        langOf(req),
        problem === 'too-large' ? '요청 본문이 너무 큽니다.' : undefined,
      ),
    invalidInput: (req, issues) => {
      const field = issues[0]?.path.join('.') || 'body'
      return langOf(req) === 'en'
        ? tossError('INVALID_REQUEST', 'en', `The bad request. (${field})`)
        : tossError('INVALID_REQUEST', 'ko', `잘못된 요청입니다. (${field})`)
    },
    internalError: (req) => tossError('FAILED_INTERNAL_SYSTEM_PROCESSING', langOf(req)),
  },
  bodyLimit: 256 * 1024,
  idempotency: {
    header: 'idempotency-key',
    // Keys are valid for 15 days from first use.
    ttlMs: 15 * 86_400_000,
    // A request's identity is the key with the API key, URL and method; the body is not part of it.
    scope: (req) => `${req.method} ${req.path} ${req.headers.authorization ?? ''}`,
    fingerprint: () => 'same',
    conflict: (req) => tossError('INVALID_REQUEST', langOf(req)),
    inFlight: (req) => tossError('IDEMPOTENT_REQUEST_PROCESSING', langOf(req)),
    validateKey: (req, key) =>
      key.length > 300 ? tossError('INVALID_IDEMPOTENCY_KEY', langOf(req)) : undefined,
    // Toss replays the first response, errors included.
    shouldStore: () => true,
  },
  webhooks: webhookSpec,
  triggers,
  requestId: (ids) => ids.mint('', 32, 'hex'),
  finalize: (response, _req, { requestId }) => {
    response.headers = { ...response.headers, 'x-tosspayments-trace-id': requestId }
  },
})
