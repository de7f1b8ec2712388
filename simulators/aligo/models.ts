import { z } from 'zod'
import { Collection } from '../core/store.ts'
import { DEFAULT_POINTS, DEFAULT_PRICES, DEFAULT_SENDERS } from './test-values.ts'

/** What a message is billed and delivered as. `AT` is AlimTalk (Kakao). */
export const MsgType = z.enum(['SMS', 'LMS', 'MMS'])
export type MsgType = z.infer<typeof MsgType>
export type Billed = MsgType | 'AT'

/** Per-recipient delivery, as `/sms_list/` (and `/akv10/history/detail/`) report it. */
export const Recipient = z.object({
  id: z.string().describe('mdid (SMS) / msgid (AlimTalk)'),
  receiver: z.string(),
  name: z.string().optional(),
  title: z.string().optional(),
  text: z.string().describe('what the handset shows'),
  /** Epoch ms the carrier got it; undefined while a reservation waits. */
  sentAt: z.number().optional(),
  outcome: z.enum(['delivered', 'undeliverable', 'template-mismatch']),
  /** AlimTalk refused by Kakao whose failover SMS/LMS text went out instead (failover=Y). */
  failover: z.boolean().optional(),
})
export type Recipient = z.infer<typeof Recipient>

export const SentMessage = z.object({
  id: z.string().describe('msg_id / mid'),
  type: z.enum(['SMS', 'LMS', 'MMS', 'AT']),
  sender: z.string(),
  /** Body as requested (list `msg`), before substitution and truncation. */
  msg: z.string(),
  title: z.string().optional(),
  createdAt: z.number(),
  /** Epoch ms of a reservation (rdate/rtime, senddate). */
  reservedFor: z.number().optional(),
  state: z.enum(['sent', 'reserved', 'cancelled']),
  cancelledAt: z.number().optional(),
  /** Points charged, in tenths (refunds subtract). */
  charged: z.number(),
  recipients: z.array(Recipient),
  /** Receivers refused at request time (error_cnt). */
  errorCount: z.number(),
  kakao: z.object({ senderkey: z.string(), tplCode: z.string(), buttons: z.array(z.string()) }).optional(),
})
export type SentMessage = z.infer<typeof SentMessage>

/**
 * How a test or the hub configures an account (`configureAligoAccount`, the
 * `account.configure` trigger). Every field is optional; given fields replace.
 */
export const AccountConfig = z.strictObject({
  key: z
    .string()
    .min(1)
    .optional()
    .describe('the only API key accepted for this user_id (else the first one used is bound)'),
  points: z.number().min(0).optional().describe('point balance'),
  senders: z.array(z.string()).optional().describe('registered sender numbers (replaces the list)'),
  addSenders: z.array(z.string()).optional().describe('sender numbers to register in addition'),
  allowedIps: z
    .array(z.string())
    .nullable()
    .optional()
    .describe('caller IPs accepted; null = any (the default)'),
  prices: z
    .object({ SMS: z.number(), LMS: z.number(), MMS: z.number(), ALT: z.number() })
    .partial()
    .optional(),
  senderKeys: z.array(z.string()).nullable().optional().describe('Kakao sender keys accepted; null = any'),
  templates: z
    .record(z.string(), z.string())
    .optional()
    .describe('AlimTalk templates: tpl_code → approved text with #{vars}'),
})
export type AccountConfig = z.infer<typeof AccountConfig>

export interface KakaoToken {
  token: string
  expiresAt: number
}

export interface AligoState {
  userId: string
  apiKey: string | undefined
  /** Balance in tenths of a point, so 8.4-point messages add up exactly. */
  points10: number
  prices10: Record<Billed, number>
  senders: Set<string>
  allowedIps: Set<string> | undefined
  senderKeys: Set<string> | undefined
  templates: Map<string, string>
  messages: Collection<SentMessage>
  tokens: KakaoToken[]
  /** Pending reservations' timers, by mid (dropped with the state on reset). */
  timers: Map<string, { cancel(): void }>
}

export const toTenths = (points: number) => Math.round(points * 10)
export const fromTenths = (tenths: number) => tenths / 10

export function createState(account: string): AligoState {
  return {
    userId: account,
    apiKey: undefined,
    points10: toTenths(DEFAULT_POINTS),
    prices10: {
      SMS: toTenths(DEFAULT_PRICES.SMS),
      LMS: toTenths(DEFAULT_PRICES.LMS),
      MMS: toTenths(DEFAULT_PRICES.MMS),
      AT: toTenths(DEFAULT_PRICES.ALT),
    },
    senders: new Set(DEFAULT_SENDERS),
    allowedIps: undefined,
    senderKeys: undefined,
    templates: new Map(),
    messages: new Collection<SentMessage>(),
    tokens: [],
    timers: new Map(),
  }
}

/** Applies a configuration to an account's state (the one place tests change what the console would). */
export function applyConfig(state: AligoState, config: AccountConfig): void {
  if (config.key !== undefined) state.apiKey = config.key
  if (config.points !== undefined) state.points10 = toTenths(config.points)
  if (config.senders) state.senders = new Set(config.senders.map(digits))
  for (const sender of config.addSenders ?? []) state.senders.add(digits(sender))
  if (config.allowedIps !== undefined)
    state.allowedIps = config.allowedIps ? new Set(config.allowedIps) : undefined
  if (config.senderKeys !== undefined)
    state.senderKeys = config.senderKeys ? new Set(config.senderKeys) : undefined
  for (const [type, price] of Object.entries(config.prices ?? {})) {
    if (price !== undefined) state.prices10[type === 'ALT' ? 'AT' : (type as MsgType)] = toTenths(price)
  }
  for (const [code, text] of Object.entries(config.templates ?? {})) state.templates.set(code, text)
}

/** What an account looks like from outside (the trigger's and helper's answer). */
export function describeAccount(state: AligoState) {
  return {
    userId: state.userId,
    keyBound: state.apiKey !== undefined,
    points: fromTenths(state.points10),
    senders: [...state.senders],
    allowedIps: state.allowedIps ? [...state.allowedIps] : null,
    senderKeys: state.senderKeys ? [...state.senderKeys] : null,
    templates: Object.fromEntries(state.templates),
    messages: state.messages.size,
  }
}

export function digits(value: string): string {
  return value.replace(/\D/g, '')
}
