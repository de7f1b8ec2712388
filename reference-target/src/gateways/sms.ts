import type { AligoClient } from '../providers/aligo.ts'
import type { TwilioClient } from '../providers/twilio.ts'
import type { SmsGateway } from './types.ts'

/** Twilio Messages; the delivery status comes back signed to our status callback. */
export class TwilioSmsGateway implements SmsGateway {
  readonly provider = 'twilio'
  constructor(private readonly twilio: TwilioClient) {}
  send(input: { to: string; body: string; publicUrl: string }, options: { maxAttempts?: number }) {
    return this.twilio.sendSms(
      { to: input.to, body: input.body, statusCallback: `${input.publicUrl}/webhooks/twilio/status` },
      options,
    )
  }
}

/** Aligo (Korean domestic SMS, registered sender id); it has no status callback. */
export class AligoSmsGateway implements SmsGateway {
  readonly provider = 'aligo'
  constructor(private readonly aligo: AligoClient) {}
  send(input: { to: string; body: string }, options: { maxAttempts?: number }) {
    return this.aligo.sendSms({ to: input.to, body: input.body }, options)
  }
}
