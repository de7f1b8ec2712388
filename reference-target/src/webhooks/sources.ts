import { razorpayWebhooks } from './razorpay.ts'
import { sendgridWebhooks } from './sendgrid.ts'
import type { WebhookSource } from './source.ts'
import { stripeWebhooks } from './stripe.ts'
import { tossWebhooks } from './toss.ts'
import { twilioWebhooks } from './twilio.ts'

/** Every provider that posts to the app, by the name its events are stored under: the one list to extend. */
export const WEBHOOK_SOURCES: ReadonlyMap<string, WebhookSource> = new Map(
  [stripeWebhooks, razorpayWebhooks, tossWebhooks, twilioWebhooks, sendgridWebhooks].map((s) => [
    s.provider,
    s,
  ]),
)
