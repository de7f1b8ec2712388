/**
 * Seedable randomness. Every id and every probabilistic fault draws from a
 * generator derived from the hub's seed and a stream name, so adding a provider
 * or a rule does not shift another's sequence and a run can be replayed.
 */
export type Random = () => number

/** mulberry32: small, fast, good enough for ids and coin flips (not for secrets). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a of a stream name mixed with the seed. */
export function deriveSeed(seed: number, stream: string): number {
  let hash = 0x811c9dc5 ^ seed
  for (let i = 0; i < stream.length; i++) {
    hash ^= stream.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

export const ALPHABETS = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  digits: '0123456789',
  upperAlnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  lowerAlnum: 'abcdefghijklmnopqrstuvwxyz0123456789',
} as const

export type AlphabetName = keyof typeof ALPHABETS

/** Each alphabet as character codes, for {@link IdMinter.mint}. */
const CODES = Object.fromEntries(
  Object.entries(ALPHABETS).map(([name, chars]) => [name, Array.from(chars, (c) => c.charCodeAt(0))]),
) as Record<AlphabetName, number[]>
/** One array per id length, reused by every mint (ids are minted one at a time): no array per id. */
const SCRATCH: number[][] = []
const DASH = 45
const FOUR = 52
const VARIANTS = Array.from('89ab', (c) => c.charCodeAt(0))

/**
 * Mints provider-style ids (`pi_3MtwBwLkdIwHu7ix28a3tqPa`, `SM` + 32 hex,
 * `order_` + 14 alnum) from a seeded stream.
 *
 * @example
 * ids.mint('pi_', 24)            // 'pi_' + 24 alphanumerics
 * ids.mint('SM', 32, 'hex')      // a 32-hex SID
 */
export class IdMinter {
  private random: Random

  constructor(private readonly seed: number) {
    this.random = createRandom(seed)
  }

  /** Back to the first id of the seed: a reset hub mints the same ids as a fresh one. */
  restart(): void {
    this.random = createRandom(this.seed)
  }

  /**
   * Made in one piece: appended a character at a time, an id was a chain of string fragments, kept so
   * for as long as the object it names (0.6 KB of heap per Stripe PaymentIntent request) and flattened
   * again by every map lookup.
   */
  mint(prefix: string, length: number, alphabet: AlphabetName = 'alnum'): string {
    const chars = CODES[alphabet]
    const total = prefix.length + length
    SCRATCH[total] ??= new Array<number>(total)
    const codes = SCRATCH[total]
    // The prefix too: `prefix + rest` would be a two-piece string again.
    for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i)
    for (let i = prefix.length; i < total; i++) codes[i] = chars[Math.floor(this.random() * chars.length)]!
    return String.fromCharCode.apply(null, codes)
  }

  /**
   * A version-4 shaped UUID from the seeded stream, made in one piece as {@link mint} makes ids (sliced
   * and joined, it was a chain of nine fragments: 0.4 KB kept per SendGrid request id). The draws are
   * the ones the joined version made: 32 hex digits (those under the version and the variant unused),
   * then the variant.
   */
  uuid(): string {
    const hex = CODES.hex
    SCRATCH[36] ??= new Array<number>(36)
    const codes = SCRATCH[36]
    let at = 0
    for (let i = 0; i < 32; i++) {
      if (i === 8 || i === 12 || i === 16 || i === 20) codes[at++] = DASH
      codes[at++] = hex[Math.floor(this.random() * 16)]!
    }
    codes[14] = FOUR
    codes[19] = VARIANTS[Math.floor(this.random() * 4)]!
    return String.fromCharCode.apply(null, codes)
  }

  /** A uniform float in [0, 1) from the same stream. */
  next(): number {
    return this.random()
  }
}
