import type { PlainResponse } from './http.ts'

/**
 * An error the simulated provider itself would return. The response is exactly
 * what goes on the wire, so every transport renders it the same way.
 *
 * @example
 * throw new ProviderError({ status: 402, body: { error: { type: 'card_error', code: 'card_declined' } } })
 */
export class ProviderError extends Error {
  readonly response: PlainResponse

  constructor(response: PlainResponse, message?: string) {
    // No stack: this is an answer, not a fault, and capturing one cost 6 µs per refusal (credentials
    // tried on every public route, declines and validation errors under load).
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(message ?? `provider error ${response.status}`)
    Error.stackTraceLimit = limit
    this.name = 'ProviderError'
    this.response = response
  }
}

/** Stable codes for standin's own mistakes and misuse (never a provider's). */
export type HarnessErrorCode =
  | 'STANDIN_BAD_REQUEST'
  | 'STANDIN_UNAUTHORIZED'
  | 'STANDIN_NOT_FOUND'
  | 'STANDIN_CONFLICT'
  | 'STANDIN_PORT_IN_USE'
  | 'STANDIN_BAD_CONFIG'
  | 'STANDIN_TIMEOUT'
  | 'STANDIN_INTERNAL'

/**
 * standin's own error: "Failed to <do X>: <why>. <how to fix>", with a code and,
 * for bad input, the field at fault. The control plane renders it as
 * `{ error: { code, message, field } }`.
 */
export class HarnessError extends Error {
  readonly code: HarnessErrorCode
  readonly field: string | undefined
  readonly status: number

  constructor(code: HarnessErrorCode, message: string, options: { field?: string; status?: number } = {}) {
    super(message)
    this.name = 'HarnessError'
    this.code = code
    this.field = options.field
    this.status = options.status ?? statusOf(code)
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } }
  }
}

function statusOf(code: HarnessErrorCode): number {
  switch (code) {
    case 'STANDIN_BAD_REQUEST':
    case 'STANDIN_BAD_CONFIG':
      return 400
    case 'STANDIN_UNAUTHORIZED':
      return 401
    case 'STANDIN_NOT_FOUND':
      return 404
    case 'STANDIN_CONFLICT':
    case 'STANDIN_PORT_IN_USE':
      return 409
    case 'STANDIN_TIMEOUT':
      return 408
    default:
      return 500
  }
}
