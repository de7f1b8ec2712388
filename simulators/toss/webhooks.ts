import { createHmac, timingSafeEqual } from 'node:crypto'
import { copyJson } from '../core/json-copy.ts'
import type { AccountWebhooks, WebhookSpec } from '../core/webhooks/types.ts'
import type { Cancel, Payment, PaymentRecord } from './models.ts'
import { kst, webhookTime } from './time.ts'

/**
 * Toss webhooks. Endpoints are registered in the developer center (standin:
 * `core.webhooks.addEndpoint({ provider: 'toss', account, url, events, source: 'config' })`).
 * A delivery succeeds on a 2xx within 10 s; otherwise Toss retries 7 times,
 * 1, 4, 16, 64, 256, 1024 and 4096 minutes apart. Every delivery carries the
 * `tosspayments-webhook-transmission-*` headers; only `payout.changed` and
 * `seller.changed` are signed. Payment webhooks are unsigned: apps check a
 * DEPOSIT_CALLBACK's `secret` and re-fetch the payment for PAYMENT_STATUS_CHANGED.
 */
export const EVENT_TYPES = [
  'PAYMENT_STATUS_CHANGED',
  'DEPOSIT_CALLBACK',
  'CANCEL_STATUS_CHANGED',
  'BILLING_DELETED',
  'payout.changed',
  'seller.changed',
] as const
export type TossEventType = (typeof EVENT_TYPES)[number]

const MINUTE = 60_000
export const RETRY_SCHEDULE_MS = [1, 4, 16, 64, 256, 1024, 4096].map((m) => m * MINUTE)

const SIGNED: readonly string[] = ['payout.changed', 'seller.changed']

/**
 * The payout/seller webhook signature: HMAC-SHA256 over `<raw body>:<transmission time>`
 * keyed with the security key's UTF-8 bytes, base64, sent as `v1:<sig>`.
 */
export function signToss(securityKey: string, body: string, transmissionTime: string): string {
  return createHmac('sha256', securityKey).update(`${body}:${transmissionTime}`).digest('base64')
}

/** The receiver's check: any `v1:` value of the header that matches (two allow key rotation). */
export function verifyToss(
  securityKey: string,
  body: string,
  transmissionTime: string,
  header: string,
): boolean {
  const expected = Buffer.from(signToss(securityKey, body, transmissionTime), 'base64')
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1:'))
    .some((part) => {
      const got = Buffer.from(part.slice(3), 'base64')
      return got.length === expected.length && timingSafeEqual(got, expected)
    })
}

export const webhookSpec: WebhookSpec = {
  schedule: RETRY_SCHEDULE_MS,
  timeoutMs: 10_000,
  sign: ({ event, endpoint, timestamp, body, attempt }) => {
    const time = kst(timestamp)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'tosspayments-webhook-transmission-time': time,
      'tosspayments-webhook-transmission-retried-count': String((attempt ?? 1) - 1),
      // One id per webhook, kept across its retries, so receivers can deduplicate.
      'tosspayments-webhook-transmission-id': event.id,
    }
    if (SIGNED.includes(event.type))
      headers['tosspayments-webhook-signature'] = `v1:${signToss(endpoint.secret, body, time)}`
    return headers
  },
  // The security key of the payouts settings; only payout/seller webhooks use it.
  defaultSecret: (account) => `standin_security_key_${account}`,
}

/** A webhook id in Toss's shape (`whtrans_a01j70335nkqqeg0zwzz2r4py9z`). */
export function transmissionId(
  mint: (prefix: string, length: number, alphabet: 'lowerAlnum') => string,
): string {
  return mint('whtrans_', 27, 'lowerAlnum')
}

interface Emitter {
  webhooks: AccountWebhooks
  now: number
  id: string
}

/**
 * PAYMENT_STATUS_CHANGED with a snapshot of the Payment (later changes must not rewrite a sent event), copied
 * as it goes on the wire (copyJson: a spread per object keeps V8's fast shape; built key by key, a Payment's
 * forty keys made a slow dictionary, 3.2 KB a confirm).
 */
export function emitPaymentStatus({ webhooks, now, id }: Emitter, payment: Payment): void {
  webhooks.emit({
    id,
    type: 'PAYMENT_STATUS_CHANGED',
    payload: {
      eventType: 'PAYMENT_STATUS_CHANGED',
      createdAt: webhookTime(now),
      data: copyJson(payment),
    },
  })
}

/** DEPOSIT_CALLBACK: no eventType, no amount; the `secret` authenticates it. */
export function emitDepositCallback({ webhooks, now, id }: Emitter, record: PaymentRecord): void {
  const p = record.payment
  webhooks.emit({
    id,
    type: 'DEPOSIT_CALLBACK',
    payload: {
      createdAt: webhookTime(now),
      secret: p.secret,
      status: p.status,
      transactionKey: p.lastTransactionKey,
      orderId: p.orderId,
    },
  })
}

export function emitCancelStatus({ webhooks, now, id }: Emitter, cancel: Cancel): void {
  webhooks.emit({
    id,
    type: 'CANCEL_STATUS_CHANGED',
    payload: {
      eventType: 'CANCEL_STATUS_CHANGED',
      createdAt: webhookTime(now),
      data: copyJson(cancel),
    },
  })
}

export function emitBillingDeleted({ webhooks, now, id }: Emitter, billingKey: string): void {
  webhooks.emit({
    id,
    type: 'BILLING_DELETED',
    payload: {
      eventType: 'BILLING_DELETED',
      createdAt: webhookTime(now),
      data: { billingKey, reason: '삭제 API 요청' },
    },
  })
}
