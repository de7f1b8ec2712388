/** Shared pieces of the Mail Send validator. */
export type Add = (message: string, field: string | null, anchor: string) => void

export const MAX_PERSONALIZATIONS = 1000
export const MAX_RECIPIENTS = 1000
export const MAX_EMAIL_LENGTH = 320
export const MAX_CATEGORIES = 10
export const MAX_CUSTOM_ARGS_BYTES = 10_000
export const MAX_SCHEDULE_SECONDS = 72 * 3600
export const RESERVED_HEADERS = new Set([
  'x-sg-id',
  'x-sg-eid',
  'received',
  'dkim-signature',
  'content-type',
  'content-transfer-encoding',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
])
const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/
export const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0

export function isValidEmail(email: unknown): email is string {
  return typeof email === 'string' && email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email)
}

/** `d-` + 32 hex (dynamic) or a GUID (legacy). */
export function isTemplateIdShape(id: string): boolean {
  return (
    /^d-[0-9a-f]{32}$/i.test(id) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
  )
}
