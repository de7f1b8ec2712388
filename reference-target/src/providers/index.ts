import type { Clock } from '../clock.ts'
import type { Config } from '../config.ts'
import type { Queryable } from '../db/database.ts'
import type { Defects } from '../defects.ts'
import { AligoClient } from './aligo.ts'
import { RazorpayClient } from './razorpay.ts'
import { ProviderCaller } from './retry.ts'
import { SendGridClient } from './sendgrid.ts'
import { StripeClient } from './stripe.ts'
import { TossClient } from './toss.ts'
import { TwilioClient } from './twilio.ts'

export interface Providers {
  caller: ProviderCaller
  twilio: TwilioClient
  aligo: AligoClient
  sendgrid: SendGridClient
  stripe: StripeClient
  razorpay: RazorpayClient
  toss: TossClient
}

/** One client per provider, all sharing one retry/idempotency policy. */
export function createProviders(config: Config, db: Queryable, clock: Clock, defects: Defects): Providers {
  const caller = new ProviderCaller(db, clock, config.retry, defects)
  return {
    caller,
    twilio: new TwilioClient(config.twilio, caller),
    aligo: new AligoClient(config.aligo, caller),
    sendgrid: new SendGridClient(config.sendgrid, caller),
    stripe: new StripeClient(config.stripe, caller),
    razorpay: new RazorpayClient(config.razorpay, caller),
    toss: new TossClient(config.toss, caller),
  }
}
