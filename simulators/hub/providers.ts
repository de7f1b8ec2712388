import { aligo } from '../aligo/index.ts'
import type { AnyProvider } from '../core/provider.ts'
import { razorpay } from '../razorpay/index.ts'
import { sendgrid } from '../sendgrid/index.ts'
import { stripe } from '../stripe/index.ts'
import { toss } from '../toss/index.ts'
import { twilio } from '../twilio/index.ts'

/** Every provider the hub can host, in port order. Adding a provider is one line here. */
export const allProviders: AnyProvider[] = [twilio, aligo, sendgrid, stripe, razorpay, toss]
