import { ProviderError } from '../core/errors.ts'
import type { PlainResponse } from '../core/http.ts'
import type { CatalogueEntry, ErrorCatalogue } from '../core/provider.ts'

/**
 * Razorpay's error envelope and the catalogue a `provider-error` fault rule
 * can name. Descriptions are Razorpay's own strings (razorpay/api
 * `PublicErrorDescription`, the API reference and live captures); see README.
 */
export type ErrorCode = 'BAD_REQUEST_ERROR' | 'GATEWAY_ERROR' | 'SERVER_ERROR'

export interface RazorpayErrorBody {
  code: ErrorCode
  description: string
  source: string
  step: string
  reason: string
  metadata: Record<string, string>
  field?: string | null
}

export interface ErrorInput {
  status?: number
  code?: ErrorCode
  description: string
  field?: string | null | undefined
  source?: string
  step?: string
  reason?: string
  metadata?: Record<string, string>
}

/** One error as Razorpay sends it: `{ error: { code, description, source, step, reason, metadata, field? } }`. */
export function errorResponse(input: ErrorInput): PlainResponse {
  const error: RazorpayErrorBody = {
    code: input.code ?? 'BAD_REQUEST_ERROR',
    description: input.description,
    source: input.source ?? 'NA',
    step: input.step ?? 'NA',
    reason: input.reason ?? 'NA',
    metadata: input.metadata ?? {},
  }
  // Validation errors name the field; the rest of the API omits it (live captures show both shapes).
  if (input.field !== undefined) error.field = input.field
  return { status: input.status ?? 400, body: { error } }
}

export function fail(input: ErrorInput): never {
  throw new ProviderError(errorResponse(input))
}

/** A 400 for a request parameter, as Razorpay's validators answer. */
export function invalidParam(description: string, field: string | null): never {
  fail({
    description,
    field,
    source: 'business',
    step: 'payment_initiation',
    reason: 'input_validation_failed',
  })
}

export const MESSAGES = {
  authMissing: 'Please provide your api key for authentication purposes.',
  authFailed: 'Authentication failed',
  urlNotFound: 'The requested URL was not found on the server.',
  idNotFound: 'The id provided does not exist',
  serverError: 'The server encountered an error. The incident has been reported to admins.',
  gatewayError: 'Payment processing failed due to error at bank or wallet gateway',
  rateLimited: 'Request failed. Please try after sometime.',
  alreadyCaptured: 'This payment has already been captured',
  captureAmount: 'Capture amount must be equal to the amount authorized',
  captureCurrency: 'Capture request currency must be same as payment currency',
  captureNotAuthorized: 'Only payments which have been authorized and not yet captured can be captured',
  refundNotCaptured: 'The payment status should be captured for action to be taken',
  fullyRefunded: 'The payment has been fully refunded already',
  refundTooLarge: 'The refund amount provided is greater than amount captured',
  idempotencyConflict: 'Different request with the same idempotency key has already been processed.',
  orderPaid:
    'Your payment has been declined as the order is already paid. Please initiate the payment with a new order.',
} as const

/** A payment failure: what checkout shows, what `payment.failed` carries, and what a fault rule can answer with. */
export interface PaymentFailure {
  code: ErrorCode
  description: string
  source: string
  step: string
  reason: string
}

/** The failure reasons apps branch on (`error.reason`), with Razorpay's descriptions. */
export const paymentFailures = {
  payment_failed: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Payment failed',
    source: 'customer',
    step: 'payment_authorization',
    reason: 'payment_failed',
  },
  payment_cancelled: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Payment processing cancelled by user',
    source: 'customer',
    step: 'payment_authentication',
    reason: 'payment_cancelled',
  },
  payment_timed_out: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Payment was not completed on time.',
    source: 'customer',
    step: 'payment_authentication',
    reason: 'payment_timed_out',
  },
  insufficient_funds: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Payment processing failed due to insufficient balance',
    source: 'customer',
    step: 'payment_authorization',
    reason: 'insufficient_funds',
  },
  card_declined: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Card declined by bank',
    source: 'bank',
    step: 'payment_authorization',
    reason: 'card_declined',
  },
  card_disabled_for_online_payments: {
    code: 'BAD_REQUEST_ERROR',
    description:
      'The bank has declined the payment as this card cannot be used for this type of payment. Please use an alternate credit card for the purpose.',
    source: 'bank',
    step: 'payment_authorization',
    reason: 'card_disabled_for_online_payments',
  },
  card_number_invalid: {
    code: 'BAD_REQUEST_ERROR',
    description: 'The card number provided is not a legitimate one.',
    source: 'customer',
    step: 'payment_initiation',
    reason: 'card_number_invalid',
  },
  incorrect_otp: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Authentication failed due to incorrect otp',
    source: 'customer',
    step: 'payment_authentication',
    reason: 'incorrect_otp',
  },
  invalid_vpa: {
    code: 'BAD_REQUEST_ERROR',
    description: 'Invalid VPA. Please enter a valid Virtual Payment Address',
    source: 'customer',
    step: 'payment_initiation',
    reason: 'invalid_vpa',
  },
  authentication_failed: {
    code: 'GATEWAY_ERROR',
    description: "Payment failed because cardholder couldn't be authenticated",
    source: 'gateway',
    step: 'payment_authentication',
    reason: 'authentication_failed',
  },
  gateway_technical_error: {
    code: 'GATEWAY_ERROR',
    description: 'Payment processing failed due to error at bank or wallet gateway',
    source: 'gateway',
    step: 'payment_authorization',
    reason: 'gateway_technical_error',
  },
} as const satisfies Record<string, PaymentFailure>
export type FailureReason = keyof typeof paymentFailures

const describeOr = (p: Record<string, unknown>, fallback: string) =>
  typeof p.description === 'string' ? p.description : fallback
const meta = (p: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    ['payment_id', 'order_id'].filter((k) => typeof p[k] === 'string').map((k) => [k, p[k] as string]),
  )

const entry = (summary: string, respond: (p: Record<string, unknown>) => PlainResponse): CatalogueEntry => ({
  summary,
  respond,
})

/**
 * Named errors for fault rules. Params: `description` overrides the text;
 * `field`; `payment_id` / `order_id` fill `metadata` of payment failures.
 */
export const errors: ErrorCatalogue = {
  bad_request: entry('400 BAD_REQUEST_ERROR (input validation)', (p) =>
    errorResponse({
      description: describeOr(p, 'The request is invalid.'),
      field: typeof p.field === 'string' ? p.field : undefined,
      source: 'business',
      step: 'payment_initiation',
      reason: 'input_validation_failed',
    }),
  ),
  unauthorized: entry(
    '401 Authentication failed (bad key pair; also how bursts of throttling have been seen)',
    () => errorResponse({ status: 401, description: MESSAGES.authFailed }),
  ),
  id_not_found: entry('400 The id provided does not exist', () =>
    errorResponse({ description: MESSAGES.idNotFound }),
  ),
  rate_limited: entry('429 Too many requests', (p) =>
    errorResponse({ status: 429, description: describeOr(p, MESSAGES.rateLimited) }),
  ),
  gateway_error: entry('502 GATEWAY_ERROR gateway_technical_error', (p) =>
    errorResponse({
      status: 502,
      code: 'GATEWAY_ERROR',
      description: describeOr(p, MESSAGES.gatewayError),
      source: 'gateway',
      step: 'payment_authorization',
      reason: 'gateway_technical_error',
      metadata: meta(p),
    }),
  ),
  server_error: entry('500 SERVER_ERROR', (p) =>
    errorResponse({
      status: 500,
      code: 'SERVER_ERROR',
      description: describeOr(p, MESSAGES.serverError),
      source: 'internal',
    }),
  ),
  service_unavailable: entry('503 SERVER_ERROR', (p) =>
    errorResponse({
      status: 503,
      code: 'SERVER_ERROR',
      description: describeOr(p, MESSAGES.serverError),
      source: 'internal',
    }),
  ),
  ...Object.fromEntries(
    Object.entries(paymentFailures).map(([name, f]) => [
      name,
      entry(`${f.code === 'GATEWAY_ERROR' ? 502 : 400} ${f.code} ${f.reason}: ${f.description}`, (p) =>
        errorResponse({
          status: f.code === 'GATEWAY_ERROR' ? 502 : 400,
          code: f.code,
          description: describeOr(p, f.description),
          source: f.source,
          step: f.step,
          reason: f.reason,
          metadata: meta(p),
          field: null,
        }),
      ),
    ]),
  ),
}
