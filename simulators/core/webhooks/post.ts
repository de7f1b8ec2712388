import http from 'node:http'
import https from 'node:https'

/** What a receiver answered. */
export interface ReceiverAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
}

/**
 * An idle pooled connection is closed after 4 s (as undici does), before a receiver's own
 * keep-alive timeout (Node's default is 5 s) can close it under a request being sent.
 */
const IDLE_MS = 4_000

/** Keep-alive pools: a burst to one receiver reuses its connections (node:http costs a fraction of fetch per request). */
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
}

/** Error thrown when the receiver has not answered within the attempt's timeout. */
export class ReceiverTimeout extends Error {
  override name = 'TimeoutError'
}

/**
 * One POST, the answer read whole. Rejects when no answer comes: a refused or
 * broken connection (the error's `code`), or no answer in `timeoutMs` real ms
 * ({@link ReceiverTimeout}). Redirects are answers, not followed.
 */
export function post(
  url: string,
  request: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<ReceiverAnswer> {
  return new Promise((resolve, reject) => {
    let target: URL
    try {
      target = new URL(url)
    } catch (error) {
      return reject(error)
    }
    const agent = agents[target.protocol as keyof typeof agents]
    if (!agent) return reject(new Error(`unsupported protocol ${target.protocol}`))
    const transport = target.protocol === 'https:' ? https : http
    const req = transport.request(
      target,
      {
        method: 'POST',
        agent,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          })
        })
        res.on('error', fail)
      },
    )
    const timer = setTimeout(
      () => req.destroy(new ReceiverTimeout('the receiver did not answer in time')),
      request.timeoutMs,
    )
    function fail(error: Error) {
      clearTimeout(timer)
      reject(error)
    }
    req.on('error', fail)
    // A string body goes out in one write with the headers (a Buffer would be a second buffer in a writev).
    req.end(request.body)
  })
}
