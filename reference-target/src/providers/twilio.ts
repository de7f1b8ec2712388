import twilio from 'twilio'
import type { Config } from '../config.ts'
import { ProviderCallError, type ProviderCaller } from './retry.ts'

/**
 * twilio-node has no base-URL option; its supported extension point is the
 * httpClient. We rewrite the URL and keep the product Host header
 * (api.twilio.com / verify.twilio.com) so one fake can route by product.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts: { timeout: number },
  ) {
    super(opts)
  }
  override request<TData>(opts: Parameters<twilio.RequestClient['request']>[0]) {
    const original = new URL(opts.uri)
    const uri = new URL(original.pathname + original.search, this.baseUrl).href
    const headers = { ...(opts.headers as Record<string, string>), Host: original.host }
    return super.request<TData>({ ...opts, uri, headers } as never)
  }
}

function toError(error: unknown): ProviderCallError {
  const e = error as { status?: number; code?: number | string; message?: string; moreInfo?: string }
  const status = typeof e.status === 'number' ? e.status : undefined
  return new ProviderCallError('twilio', e.message ?? String(error), {
    status,
    code: e.code === undefined ? undefined : String(e.code),
    network: status === undefined,
  })
}

export class TwilioClient {
  private readonly sdk: ReturnType<typeof twilio>
  constructor(
    readonly config: Config['twilio'],
    private readonly caller: ProviderCaller,
  ) {
    const timeout = caller.timeoutMs
    this.sdk = twilio(config.accountSid, config.authToken, {
      httpClient: new BaseUrlRequestClient(config.baseUrl, { timeout }),
    })
  }

  /** Sends an SMS; `statusCallback` gets the delivery status (signed with the auth token). */
  async sendSms(
    input: { to: string; body: string; statusCallback?: string | undefined },
    options: { maxAttempts?: number } = {},
  ) {
    const message = await this.caller.call(
      { provider: 'twilio', operation: 'messages.create', ...options },
      () =>
        this.sdk.messages.create({
          to: input.to,
          from: this.config.from,
          body: input.body,
          ...(input.statusCallback ? { statusCallback: input.statusCallback } : {}),
        }),
      toError,
    )
    return { id: message.sid, status: message.status }
  }

  /** Checks X-Twilio-Signature over the public URL and the form parameters. */
  verifySignature(signature: string, url: string, params: Record<string, string>): boolean {
    return twilio.validateRequest(this.config.authToken, signature, url, params)
  }
}
