import twilioSdk from 'twilio'
import type RequestClient from 'twilio/lib/base/RequestClient.js'

/**
 * The official `twilio` library pointed at standin.
 *
 * twilio-node has no base-URL option (sdk-clients.md); its supported
 * extension point is `httpClient`. This RequestClient rewrites the scheme,
 * host and port of every request to standin's and keeps the product's real
 * host in the Host header (`api.twilio.com`, `verify.twilio.com`), so one port
 * routes each product as Twilio does. Paging links (`next_page_uri`, Verify's
 * `meta.next_page_url`) go through the same rewrite.
 *
 * @example
 * import { twilioClient } from './simulators/twilio/client.ts'
 * const client = twilioClient(sims.url('twilio'), 'AC' + 'a'.repeat(32), 'token')
 * await client.messages.create({ to: '+14155552671', from: '+15005550006', body: 'hi' })
 */
export class StandinRequestClient extends twilioSdk.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options?: ConstructorParameters<typeof twilioSdk.RequestClient>[0],
  ) {
    super(options)
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri)
    const uri = new URL(original.pathname + original.search, this.baseUrl).href
    return super.request<TData>({ ...opts, uri, headers: { ...opts.headers, Host: original.host } })
  }
}

/**
 * A twilio client whose every request goes to `baseUrl` (e.g. `http://127.0.0.1:4701`).
 * The transport options the library would hand its own RequestClient
 * (timeout, keep-alive, autoRetry on 429, …) are handed to this one, since
 * a custom httpClient replaces it.
 */
export function twilioClient(
  baseUrl: string,
  accountSid: string,
  authToken: string,
  options: Omit<twilioSdk.ClientOpts, 'httpClient'> = {},
): twilioSdk.Twilio {
  const {
    timeout,
    keepAlive,
    keepAliveMsecs,
    maxSockets,
    maxTotalSockets,
    maxFreeSockets,
    scheduling,
    ca,
    autoRetry,
    maxRetryDelay,
    maxRetries,
  } = options
  const transport = {
    timeout,
    keepAlive,
    keepAliveMsecs,
    maxSockets,
    maxTotalSockets,
    maxFreeSockets,
    scheduling,
    ca,
    autoRetry,
    maxRetryDelay,
    maxRetries,
  }
  const defined = Object.fromEntries(Object.entries(transport).filter(([, v]) => v !== undefined))
  return twilioSdk(accountSid, authToken, {
    ...options,
    httpClient: new StandinRequestClient(baseUrl, defined),
  })
}
