import type { z } from 'zod'
import { ProviderError } from '../core/errors.ts'
import type { PlainRequest, PlainResponse } from '../core/http.ts'
import type { ErrorCatalogue } from '../core/provider.ts'

/** Stripe's error envelope: `{ error: { type, code, decline_code, message, param, doc_url, ... } }`. */
export interface StripeErrorFields {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error'
  message: string
  code?: string | undefined
  decline_code?: string | undefined
  param?: string | undefined
  [extra: string]: unknown
}

export const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`

export function stripeError(
  status: number,
  fields: StripeErrorFields,
  headers?: Record<string, string>,
): PlainResponse {
  const error: Record<string, unknown> = {}
  // Key order as Stripe sends it: alphabetical.
  const all: Record<string, unknown> = { ...fields }
  if (fields.code && !('doc_url' in fields)) all.doc_url = docUrl(fields.code)
  for (const key of Object.keys(all).sort()) if (all[key] !== undefined) error[key] = all[key]
  return { status, body: { error }, ...(headers ? { headers } : {}) }
}

export const fail = (status: number, fields: StripeErrorFields, headers?: Record<string, string>): never => {
  throw new ProviderError(stripeError(status, fields, headers))
}

export const invalidRequest = (message: string, param?: string, code?: string): never =>
  fail(400, { type: 'invalid_request_error', message, param, code })

/** 404 for an id that names nothing: "No such customer: 'cus_x'". */
export const resourceMissing = (noun: string, id: string, param?: string): never =>
  fail(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${noun}: '${id}'`,
    param,
  })

const DECLINE_MESSAGES: Record<string, string> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  lost_card: 'Your card was declined.',
  stolen_card: 'Your card was declined.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
  authentication_required: 'Your card was declined. This transaction requires authentication.',
  incorrect_number: 'Your card number is incorrect.',
}

export function declineMessage(declineCode: string): string {
  return DECLINE_MESSAGES[declineCode] ?? 'Your card was declined.'
}

const card = (code: string, declineCode: string | undefined) => (p: Record<string, unknown>) =>
  stripeError(402, {
    type: 'card_error',
    code,
    decline_code: declineCode,
    message: String(p.message ?? declineMessage(declineCode ?? code)),
    ...(p.param ? { param: String(p.param) } : {}),
  })

/** The catalogue fault rules name (`{ type: 'provider-error', error: 'insufficient_funds' }`). */
export const errors: ErrorCatalogue = {
  card_declined: {
    summary: '402 card_declined / generic_decline',
    respond: card('card_declined', 'generic_decline'),
  },
  insufficient_funds: {
    summary: '402 card_declined / insufficient_funds',
    respond: card('card_declined', 'insufficient_funds'),
  },
  lost_card: { summary: '402 card_declined / lost_card', respond: card('card_declined', 'lost_card') },
  stolen_card: { summary: '402 card_declined / stolen_card', respond: card('card_declined', 'stolen_card') },
  expired_card: { summary: '402 expired_card', respond: card('expired_card', 'expired_card') },
  incorrect_cvc: { summary: '402 incorrect_cvc', respond: card('incorrect_cvc', 'incorrect_cvc') },
  processing_error: {
    summary: '402 processing_error',
    respond: card('processing_error', 'processing_error'),
  },
  authentication_required: {
    summary: '402 authentication_required (off-session payment needing 3DS)',
    respond: card('authentication_required', 'authentication_required'),
  },
  rate_limit: {
    summary: '429 rate_limit',
    respond: (p) =>
      stripeError(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message: String(
          p.message ??
            'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        ),
      }),
  },
  lock_timeout: {
    summary: '429 lock_timeout (another request holds the object)',
    respond: (p) =>
      stripeError(429, {
        type: 'invalid_request_error',
        code: 'lock_timeout',
        message: String(
          p.message ??
            'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.',
        ),
      }),
  },
  api_error: {
    summary: '500 api_error',
    respond: (p) =>
      stripeError(500, {
        type: 'api_error',
        message: String(
          p.message ?? 'An unknown error occurred while processing your request. Please try again.',
        ),
      }),
  },
  idempotency_error: {
    summary: '400 idempotency_error (key reused with other parameters)',
    respond: (p) => idempotencyConflict(String(p.key ?? 'KEY')),
  },
  resource_missing: {
    summary: '404 resource_missing',
    respond: (p) =>
      stripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: String(p.message ?? `No such object: '${String(p.id ?? 'unknown')}'`),
        param: p.param === undefined ? undefined : String(p.param),
      }),
  },
}

export function idempotencyConflict(key: string): PlainResponse {
  return stripeError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  })
}

export function idempotencyInFlight(key: string): PlainResponse {
  return stripeError(409, {
    type: 'idempotency_error',
    code: 'idempotency_key_in_use',
    message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
  })
}

/** Answers for what never reaches a handler. */
export const responses = {
  notFound: (req: PlainRequest) =>
    stripeError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    }),
  methodNotAllowed: (req: PlainRequest) =>
    stripeError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    }),
  invalidBody: (
    _req: PlainRequest,
    problem: 'malformed' | 'unsupported-media-type' | 'too-large',
    detail: string,
  ) =>
    problem === 'too-large'
      ? stripeError(413, { type: 'invalid_request_error', message: 'Request entity too large.' })
      : stripeError(400, {
          type: 'invalid_request_error',
          message:
            problem === 'malformed'
              ? `Invalid request body: ${detail}. Stripe expects application/x-www-form-urlencoded parameters.`
              : `Invalid request: unsupported Content-Type ${detail.replace('Unsupported content type: ', '')}. If error persists and you need assistance, please contact support@stripe.com.`,
        }),
  invalidInput: (_req: PlainRequest, issues: z.core.$ZodIssue[]) => {
    const issue = issues[0]!
    const p = (issue as { params?: { param?: string; stripeCode?: string } }).params
    if (p?.param !== undefined)
      return stripeError(400, {
        type: 'invalid_request_error',
        message: issue.message,
        param: p.param,
        code: p.stripeCode,
      })
    const param = issue.path.map((seg, i) => (i === 0 ? String(seg) : `[${String(seg)}]`)).join('')
    return stripeError(400, {
      type: 'invalid_request_error',
      message: `Invalid ${param}: ${issue.message}`,
      param,
    })
  },
  internalError: () =>
    stripeError(500, {
      type: 'api_error',
      message: 'An unknown error occurred while processing your request. Please try again.',
    }),
}
