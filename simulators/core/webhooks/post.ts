import type { IncomingHttpHeaders } from 'node:http'
import { Agent, request as send } from 'undici'

/** What a receiver answered. */
export interface ReceiverAnswer {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

/**
 * An idle pooled connection is closed after 4 s, before a receiver's own
 * keep-alive timeout (Node's default is 5 s) can close it under a request being sent.
 */
const IDLE_MS = 4_000

/**
 * One keep-alive pool per origin (undici's Agent): a burst to one receiver
 * reuses its connections. undici's client costs about half of node:http's per
 * request (a ClientRequest, an agent queue and listeners each time), which was
 * most of the dispatcher's CPU per delivery.
 */
const pool = new Agent({ keepAliveTimeout: IDLE_MS, keepAliveMaxTimeout: IDLE_MS })

/** Error thrown when the receiver has not answered within the attempt's timeout. */
export class ReceiverTimeout extends Error {
  override name = 'TimeoutError'
}

/**
 * One POST, the answer read whole. Rejects when no answer comes: a refused or
 * broken connection (the error's `code`), or no answer in `timeoutMs` real ms
 * ({@link ReceiverTimeout}). Redirects are answers, not followed.
 */
export async function post(
  url: string,
  request: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<ReceiverAnswer> {
  const protocol = url.slice(0, url.indexOf(':') + 1)
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`unsupported protocol ${protocol}`)
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), request.timeoutMs)
  try {
    const answer = await send(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      dispatcher: pool,
      signal: abort.signal,
      // The attempt's own timer decides; undici's default 300 s timeouts never come first.
      headersTimeout: 0,
      bodyTimeout: 0,
    })
    return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() }
  } catch (error) {
    // Made only when it happens: an Error captures a stack (7 % of the sender's CPU when made per attempt).
    throw abort.signal.aborted ? new ReceiverTimeout('the receiver did not answer in time') : error
  } finally {
    clearTimeout(timer)
  }
}
