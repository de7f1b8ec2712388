import { verify } from 'node:crypto'
import { Client } from '@sendgrid/client'
import { MailService } from '@sendgrid/mail'
import type { Config } from '../config.ts'
import { ProviderCallError, type ProviderCaller, parseRetryAfter } from './retry.ts'

function toError(error: unknown): ProviderCallError {
  const e = error as {
    code?: number
    message?: string
    response?: { headers?: Record<string, string>; body?: unknown }
  }
  const status = typeof e.code === 'number' ? e.code : undefined
  return new ProviderCallError('sendgrid', e.message ?? String(error), {
    status,
    retryAfterMs: parseRetryAfter(e.response?.headers?.['retry-after'], Date.now()),
    body: e.response?.body,
    network: status === undefined,
  })
}

export interface Email {
  to: string
  subject: string
  text: string
  html?: string
  /** Echoed on every event about this message, so a bounce finds its row. */
  customArgs?: Record<string, string>
  categories?: string[]
}

export class SendGridClient {
  private readonly mail = new MailService()
  constructor(
    readonly config: Config['sendgrid'],
    private readonly caller: ProviderCaller,
  ) {
    const client = new Client()
    client.setApiKey(config.apiKey)
    // setApiKey resets baseUrl to the regional host: set ours after it.
    client.setDefaultRequest('baseUrl', config.baseUrl)
    client.setDefaultRequest('proxy' as never, false as never)
    client.setDefaultRequest('timeout' as never, caller.timeoutMs as never)
    this.mail.setClient(client)
  }

  /** Sends one email; answers the X-Message-Id SendGrid assigned. */
  async send(email: Email): Promise<{ id: string | undefined }> {
    const [response] = await this.caller.call(
      { provider: 'sendgrid', operation: 'mail.send' },
      () =>
        this.mail.send({
          to: email.to,
          from: this.config.from,
          subject: email.subject,
          text: email.text,
          html: email.html ?? `<p>${escapeHtml(email.text)}</p>`,
          ...(email.customArgs ? { customArgs: email.customArgs } : {}),
          ...(email.categories ? { categories: email.categories } : {}),
        }),
      toError,
    )
    const headers = response.headers as Record<string, string | undefined>
    return { id: headers['x-message-id'] }
  }

  /**
   * Signed Event Webhook: ECDSA P-256/SHA-256 over timestamp + raw body, the
   * signature base64 DER, the key base64 SPKI. node:crypto checks exactly
   * what @sendgrid/eventwebhook checks, without its pure-JS curve code.
   */
  verifyWebhook(raw: Buffer, signature: string, timestamp: string): boolean {
    if (!this.config.webhookPublicKey) return false
    try {
      const key = this.config.webhookPublicKey.includes('BEGIN')
        ? this.config.webhookPublicKey
        : {
            key: Buffer.from(this.config.webhookPublicKey, 'base64'),
            format: 'der' as const,
            type: 'spki' as const,
          }
      return verify(
        'sha256',
        Buffer.concat([Buffer.from(timestamp), raw]),
        key,
        Buffer.from(signature, 'base64'),
      )
    } catch {
      return false
    }
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
}
