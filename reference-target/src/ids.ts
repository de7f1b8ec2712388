import { createHash, randomBytes, randomInt } from 'node:crypto'

/** Opaque ids with a readable prefix (usr_, pay_, ...), as the providers do. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** A random numeric code of `digits` digits (OTP). */
export function numericCode(digits: number): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0')
}

/** Gift card codes: 16 characters without look-alikes, grouped for reading. */
export function giftCardCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const chars = Array.from({ length: 16 }, () => alphabet[randomInt(0, alphabet.length)])
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-')
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
