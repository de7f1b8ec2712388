import { ProviderError } from '../core/errors.ts'
import type { PlainResponse } from '../core/http.ts'
import type { ErrorCatalogue } from '../core/provider.ts'

/**
 * SendGrid's v3 error envelope: `{"errors":[{"message","field","help"}]}`.
 * Every v3 endpoint answers errors this way; several errors may come at once
 * (Mail Send reports every invalid field of a request in one answer).
 */
export interface SgError {
  message: string
  /** Dotted path (`personalizations.0.to.0.email`) or null when the error is not about one field. */
  field: string | null
  /** Mail Send errors link to the errors page; other endpoints send null. */
  help: string | null
}

export function sgErrors(status: number, errors: SgError[], headers?: Record<string, string>): PlainResponse {
  return { status, body: { errors }, ...(headers ? { headers } : {}) }
}

export function sgError(
  status: number,
  message: string,
  field: string | null = null,
  help: string | null = null,
): PlainResponse {
  return sgErrors(status, [{ message, field, help }])
}

/** The Mail Send errors page anchors, as SendGrid's own `help` links use them. */
export function mailHelp(anchor: string): string {
  return `http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#${anchor}`
}

export function fail(response: PlainResponse): never {
  throw new ProviderError(response)
}

export const MESSAGES = {
  authorizationRequired: 'authorization required',
  invalidGrant: 'The provided authorization grant is invalid, expired, or revoked',
  accessForbidden: 'access forbidden',
  unverifiedSender:
    'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements',
  notFound: 'resource not found',
  methodNotAllowed: 'method not allowed',
  badRequest: 'Bad Request',
  tooLarge: 'content too large',
  contentType: 'Content-Type should be application/json.',
  tooManyRequests: 'too many requests',
  internal: 'internal server error',
  unavailable: 'service unavailable',
} as const

const withMessage = (params: Record<string, unknown>, fallback: string) =>
  typeof params.message === 'string' ? params.message : fallback

/**
 * The catalogue a `provider-error` fault rule can name. Each entry yields the
 * body the routes themselves produce for that case.
 */
export const sendgridErrors: ErrorCatalogue = {
  bad_request: {
    summary: '400 Bad Request (field null)',
    respond: (p) => sgError(400, withMessage(p, MESSAGES.badRequest), null, null),
  },
  unauthorized: {
    summary: '401 invalid, expired or revoked API key',
    respond: (p) => sgError(401, withMessage(p, MESSAGES.invalidGrant)),
  },
  authorization_required: {
    summary: '401 no Authorization header',
    respond: (p) => sgError(401, withMessage(p, MESSAGES.authorizationRequired)),
  },
  access_forbidden: {
    summary: '403 the API key lacks the scope',
    respond: (p) => sgError(403, withMessage(p, MESSAGES.accessForbidden)),
  },
  unverified_sender: {
    summary: '403 the from address is not a verified Sender Identity',
    respond: (p) =>
      sgError(
        403,
        withMessage(p, MESSAGES.unverifiedSender),
        'from',
        'http://sendgrid.com/docs/sender-identity',
      ),
  },
  not_found: {
    summary: '404 resource not found',
    respond: (p) => sgError(404, withMessage(p, MESSAGES.notFound)),
  },
  payload_too_large: {
    summary: '413 the request body is over 30 MB',
    respond: (p) => sgError(413, withMessage(p, MESSAGES.tooLarge)),
  },
  unsupported_media_type: {
    summary: '415 body is not JSON',
    respond: (p) => sgError(415, withMessage(p, MESSAGES.contentType)),
  },
  too_many_requests: {
    summary:
      '429 rate limited, with X-RateLimit-Limit and Remaining 0 (params: limit, reset as unix seconds)',
    respond: (p) => {
      const limit = typeof p.limit === 'number' ? p.limit : 600
      // A rule has no clock; the reset time is the rule's to give.
      const reset: Record<string, string> =
        typeof p.reset === 'number' ? { 'x-ratelimit-reset': String(p.reset) } : {}
      return sgErrors(429, [{ message: withMessage(p, MESSAGES.tooManyRequests), field: null, help: null }], {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': '0',
        ...reset,
      })
    },
  },
  internal_error: {
    summary: '500 internal server error',
    respond: (p) => sgError(500, withMessage(p, MESSAGES.internal)),
  },
  service_unavailable: {
    summary: '503 the v3 Web API is not available',
    respond: (p) => sgError(503, withMessage(p, MESSAGES.unavailable)),
  },
}
