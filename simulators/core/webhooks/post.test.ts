import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { post, ReceiverTimeout } from './post.ts'

let server: Server | undefined
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

/** A receiver on a free port; `answer` decides what it does with each request. */
async function receiver(answer: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(answer)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
}

describe('webhook POST', () => {
  it('sends the body and headers, and reads the whole answer', async () => {
    const url = await receiver((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        res.setHeader('retry-after', '7')
        res.statusCode = 503
        res.end(`${req.method} ${req.headers['x-signature']} ${body}`)
      })
    })
    const answer = await post(url, { headers: { 'x-signature': 'sig' }, body: '{"a":1}', timeoutMs: 5_000 })
    expect(answer).toMatchObject({ status: 503, text: 'POST sig {"a":1}' })
    expect(answer.headers['retry-after']).toBe('7')
  })

  it('reads an answer sent in pieces, a character split between them', async () => {
    const url = await receiver((req, res) => {
      req.resume()
      req.on('end', () => {
        const bytes = Buffer.from('¿ok? ✓')
        res.write(bytes.subarray(0, 1)) // the first byte of '¿' alone
        setTimeout(() => res.end(bytes.subarray(1)), 5)
      })
    })
    for (let i = 0; i < 3; i++)
      expect(await post(url, { headers: {}, body: '{}', timeoutMs: 5_000 })).toMatchObject({
        status: 200,
        text: '¿ok? ✓',
      })
  })

  it('gives up on a receiver that never answers, with a timeout error', async () => {
    const url = await receiver(() => {}) // reads the request, never answers
    const started = performance.now()
    const failure = await post(url, { headers: {}, body: '{}', timeoutMs: 150 }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ReceiverTimeout)
    expect((failure as Error).name).toBe('TimeoutError')
    expect(performance.now() - started).toBeLessThan(5_000)
    server!.closeAllConnections()
  })

  it('names a refused connection by its code', async () => {
    const url = await receiver(() => {})
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    server = undefined
    const failure = await post(url, { headers: {}, body: '{}', timeoutMs: 5_000 }).catch((e: unknown) => e)
    expect((failure as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('refuses a URL that is not http or https', async () => {
    await expect(post('ftp://127.0.0.1/x', { headers: {}, body: '', timeoutMs: 100 })).rejects.toThrow(
      /unsupported protocol/,
    )
  })
})
