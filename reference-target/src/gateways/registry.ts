import type { Providers } from '../providers/index.ts'
import { RazorpayPaymentGateway } from './razorpay.ts'
import { AligoSmsGateway, TwilioSmsGateway } from './sms.ts'
import { StripePaymentGateway } from './stripe.ts'
import { TossPaymentGateway } from './toss.ts'
import type { Gateways } from './types.ts'

/**
 * The one place a provider name picks an implementation. A new payment
 * provider is its gateway file, its client in providers/, one line here and
 * its name in `PaymentProvider` (flows/schemas.ts).
 */
export function createGateways(providers: Providers): Gateways {
  const twilio = new TwilioSmsGateway(providers.twilio)
  const aligo = new AligoSmsGateway(providers.aligo)
  return {
    payment: {
      stripe: new StripePaymentGateway(providers.stripe),
      razorpay: new RazorpayPaymentGateway(providers.razorpay),
      toss: new TossPaymentGateway(providers.toss),
    },
    // Korean numbers go through Aligo (domestic, cheaper, sender-ID registered); others through Twilio.
    smsRoute: (phone) => (phone.startsWith('+82') ? [aligo, twilio] : [twilio, aligo]),
    email: providers.sendgrid,
  }
}
