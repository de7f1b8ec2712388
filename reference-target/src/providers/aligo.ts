import type { Config } from '../config.ts'
import { ProviderCallError, type ProviderCaller } from './retry.ts'

/**
 * Aligo's SMS API (no official Node SDK worth using): a form POST to /send/
 * with the credentials as fields. Every answer is HTTP 200; success is
 * result_code 1 (sent as the string "1"), failures are negative codes.
 */
export class AligoClient {
  constructor(
    readonly config: Config['aligo'],
    private readonly caller: ProviderCaller,
  ) {}

  async sendSms(input: { to: string; body: string }, options: { maxAttempts?: number } = {}) {
    const form = new URLSearchParams({
      key: this.config.key,
      user_id: this.config.userId,
      sender: this.config.sender,
      receiver: toKoreanLocal(input.to),
      msg: input.body,
      msg_type: 'SMS',
    })
    if (this.config.testmode) form.set('testmode_yn', 'Y')
    const body = await this.caller.call(
      { provider: 'aligo', operation: 'send', ...options },
      async ({ timeoutMs }) => {
        const res = await fetch(new URL('/send/', this.config.baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          signal: AbortSignal.timeout(timeoutMs),
        })
        if (!res.ok)
          throw new ProviderCallError('aligo', `Aligo answered HTTP ${res.status}`, { status: res.status })
        const json = (await res.json()) as { result_code: string | number; message: string; msg_id?: string }
        // Business errors are not worth retrying on the same provider: fail over instead.
        if (Number(json.result_code) !== 1)
          throw new ProviderCallError('aligo', `Aligo error ${json.result_code}: ${json.message}`, {
            status: 400,
            code: String(json.result_code),
            body: json,
          })
        return json
      },
      (error) =>
        new ProviderCallError('aligo', error instanceof Error ? error.message : String(error), {
          network: true,
        }),
    )
    return { id: body.msg_id ?? null, status: 'sent' }
  }
}

/** Aligo takes Korean numbers in local form: +82 10-1234-5678 → 01012345678. */
export function toKoreanLocal(phone: string): string {
  const digits = phone.replace(/\D/g, '')
  return digits.startsWith('82') ? `0${digits.slice(2)}` : digits
}
