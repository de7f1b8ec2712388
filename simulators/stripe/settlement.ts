import type { PaymentIntent } from './models.ts'
import type { EventSource } from './webhooks.ts'

/**
 * Told when a PaymentIntent gets its answer after the request that confirmed it
 * (a bank debit settling, a 3-D Secure page answered). Billing listens, to pay
 * or fail the invoice behind the intent, so payments never imports billing.
 */
export type SettledListener = (src: EventSource, pi: PaymentIntent) => void

const listeners: SettledListener[] = []

export function onIntentSettled(listener: SettledListener): void {
  if (!listeners.includes(listener)) listeners.push(listener)
}

export function intentSettled(src: EventSource, pi: PaymentIntent): void {
  for (const listener of listeners) listener(src, pi)
}
