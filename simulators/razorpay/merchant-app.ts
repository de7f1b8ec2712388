import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type RunningProviders, startProviders } from '../core/testing.ts'
import { razorpay } from './index.ts'

/**
 * What the browser suites share: the simulator, a tiny merchant app on a
 * loopback port whose pages come from `handle` (an answer starting with
 * `<!doctype` is served as HTML, anything else as plain text), and the REST
 * API called with the merchant's keys, as its server would.
 */

export interface MerchantApp {
  sims: RunningProviders
  rzpUrl: string
  appUrl: string
  /** The REST API with the merchant's keys; resolves with the JSON body, whatever the status. */
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>
  close(): Promise<void>
}

/** A complete page titled `title`. */
export function html(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`
}

/**
 * Starts the simulator and the merchant app; `close()` stops both.
 * @example
 * ;({ rzpUrl, appUrl, api, close } = await startMerchantApp({ keyId: KEY_ID, keySecret: KEY_SECRET }, handle))
 */
export async function startMerchantApp(
  keys: { keyId: string; keySecret: string },
  handle: (method: string, url: URL, body: string) => Promise<string>,
): Promise<MerchantApp> {
  const sims = await startProviders([razorpay])
  const rzpUrl = sims.url('razorpay')
  const auth = `Basic ${Buffer.from(`${keys.keyId}:${keys.keySecret}`).toString('base64')}`
  const app = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const out = await handle(
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://x'),
        Buffer.concat(chunks).toString(),
      )
      res.setHeader('content-type', out.startsWith('<!doctype') ? 'text/html; charset=utf-8' : 'text/plain')
      res.end(out)
    })
  })
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
  return {
    sims,
    rzpUrl,
    appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    async api(method, path, body) {
      const response = await fetch(`${rzpUrl}${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      })
      return (await response.json()) as Record<string, unknown>
    },
    async close() {
      await sims.close()
      await new Promise((resolve) => app.close(resolve))
    },
  }
}
