import { z } from 'zod'
import { isoTime, type VirtualClock } from './clock.ts'

/**
 * Captured messages: every SMS, email or chat notification a simulator
 * "delivers" lands here instead of on a phone, queryable by recipient. Journeys
 * read OTPs and verification links from it.
 */
export const Channel = z.enum(['sms', 'email', 'kakao', 'voice'])
export type Channel = z.infer<typeof Channel>

export const CapturedMessage = z.object({
  id: z.string(),
  provider: z.string(),
  account: z.string(),
  channel: Channel,
  to: z.string(),
  from: z.string(),
  subject: z.string().optional(),
  text: z.string(),
  html: z.string().optional(),
  at: z.string().describe('virtual time, ISO 8601'),
  epochMs: z.number(),
  /** Provider specifics: message sid, template id, categories, ... */
  meta: z.record(z.string(), z.unknown()),
})
export type CapturedMessage = z.infer<typeof CapturedMessage>

export const MessageFilter = z.object({
  to: z.string().optional().describe('recipient phone or email; phones match in any format (+82 10…, 010…)'),
  provider: z.string().optional(),
  channel: Channel.optional(),
  account: z.string().optional(),
  contains: z.string().optional().describe('substring of the subject or text'),
  since: z.coerce.number().optional().describe('only messages captured at or after this virtual epoch ms'),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
})
export type MessageFilter = z.infer<typeof MessageFilter>

export type CaptureInput = Omit<CapturedMessage, 'id' | 'at' | 'epochMs' | 'meta'> & {
  meta?: Record<string, unknown>
}

/** What a provider hands its inbox: the runtime knows the provider and the account. */
export type ProviderCapture = Omit<CaptureInput, 'provider' | 'account'>

/** Canonical recipient: emails lower-cased; phones reduced to digits, Korean +82 numbers to their 0-leading local form. */
export function normalizeRecipient(to: string): string {
  const trimmed = to.trim()
  if (trimmed.includes('@')) return trimmed.toLowerCase()
  const digits = trimmed.replace(/\D/g, '')
  if (digits.startsWith('82') && digits.length >= 11) return `0${digits.slice(2)}`
  return digits
}

interface Waiter {
  filter: MessageFilter
  resolve: (message: CapturedMessage | undefined) => void
}

export class MessageInbox {
  private messages: CapturedMessage[] = []
  private waiters: Waiter[] = []
  private seq = 0

  constructor(
    private readonly clock: VirtualClock,
    private readonly capacity = 10_000,
  ) {}

  capture(input: CaptureInput): CapturedMessage {
    return this.captureFor(input.provider, input.account, input)
  }

  /** What a provider's `ctx.inbox.capture` calls: the message built key by key, in the schema's order. */
  captureFor(provider: string, account: string, input: ProviderCapture): CapturedMessage {
    const epochMs = Math.floor(this.clock.now())
    const message: CapturedMessage = {
      id: `msg_${(++this.seq).toString().padStart(6, '0')}`,
      provider,
      account,
      channel: input.channel,
      to: input.to,
      from: input.from,
      text: input.text,
      at: isoTime(epochMs),
      epochMs,
      meta: input.meta ?? {},
    }
    if (input.subject !== undefined) message.subject = input.subject
    if (input.html !== undefined) message.html = input.html
    this.messages.push(message)
    // Trimmed in batches (a tenth of the capacity at a time): shifting one off a full array on every capture copies it whole.
    if (this.messages.length > this.capacity + Math.ceil(this.capacity / 10))
      this.messages.splice(0, this.messages.length - this.capacity)
    if (this.waiters.length === 0) return message
    this.waiters = this.waiters.filter((waiter) => {
      if (!matches(message, waiter.filter)) return true
      waiter.resolve(message)
      return false
    })
    return message
  }

  /** Newest first. */
  list(filter: MessageFilter = {}): CapturedMessage[] {
    const out: CapturedMessage[] = []
    for (let i = this.messages.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const message = this.messages[i]!
      if (matches(message, filter)) out.push(message)
    }
    return out
  }

  latest(filter: MessageFilter): CapturedMessage | undefined {
    return this.list({ ...filter, limit: 1 })[0]
  }

  /** Resolves with the newest matching message, waiting up to `timeoutMs` (real time) for one to arrive. */
  waitFor(filter: MessageFilter, timeoutMs: number): Promise<CapturedMessage | undefined> {
    const existing = this.latest(filter)
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        filter,
        resolve: (message) => {
          clearTimeout(timer)
          resolve(message)
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve(undefined)
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  clear(filter: { provider?: string; account?: string } = {}): void {
    if (!filter.provider && !filter.account) this.messages = []
    else this.messages = this.messages.filter((m) => !matches(m, filter))
  }
}

function matches(message: CapturedMessage, filter: MessageFilter): boolean {
  if (filter.to !== undefined && normalizeRecipient(message.to) !== normalizeRecipient(filter.to))
    return false
  if (filter.provider !== undefined && message.provider !== filter.provider) return false
  if (filter.channel !== undefined && message.channel !== filter.channel) return false
  if (filter.account !== undefined && message.account !== filter.account) return false
  if (filter.since !== undefined && message.epochMs < filter.since) return false
  if (filter.contains !== undefined && !`${message.subject ?? ''}\n${message.text}`.includes(filter.contains))
    return false
  return true
}

/**
 * The one-time code in a message: the last run of 4 to 8 digits that is not
 * part of a longer number (so a phone number in the text is not mistaken).
 */
export function extractCode(text: string): string | undefined {
  const runs = text.match(/(?<!\d)\d{4,8}(?!\d)/g)
  return runs ? runs[runs.length - 1] : undefined
}

/** Every http(s) link in a message's html (href) and text, in order, without duplicates. */
export function extractLinks(message: Pick<CapturedMessage, 'text' | 'html'>): string[] {
  const found: string[] = []
  const add = (url: string) => {
    const clean = url.replace(/&amp;/g, '&').replace(/[).,;]+$/, '')
    if (!found.includes(clean)) found.push(clean)
  }
  for (const m of (message.html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi))
    if (/^https?:/i.test(m[1]!)) add(m[1]!)
  for (const m of message.text.matchAll(/https?:\/\/[^\s"'<>]+/gi)) add(m[0])
  return found
}
