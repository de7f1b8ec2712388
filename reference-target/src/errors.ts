/**
 * An error the API answers with: `{ error: { code, message, field? } }`.
 * Anything else thrown in a handler is a 500 with a generic message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new ApiError(400, code, message, field)
export const notFound = (what: string, field?: string) =>
  new ApiError(404, 'not_found', `${what} not found.`, field)
export const conflict = (code: string, message: string, field?: string) =>
  new ApiError(409, code, message, field)
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message)
