// The fuzzer's raw HTTP/1.1 on sockets: bytes out, statuses back, hangs timed; no request generation here.
import { connect } from 'node:net'
import type { Random } from '../core/random.ts'

export interface Target {
  name: string
  port: number
}

export interface Exchange {
  /** Statuses of the answers read (several when pipelined); empty when the server only closed. */
  statuses: number[]
  hung: boolean
}

/** One generated request: where, what bytes, and how the socket behaves. */
export interface Case {
  target: string
  port: number
  chunks: Buffer[]
  abortAfterWrite?: boolean
  /** The answer may legitimately be only a close (abrupt or slow clients). */
  mayClose?: boolean
  /** HTTP requests in the chunks (several when pipelined). */
  requests?: number
}

export type Generator = (random: Random, target: Target) => Case

export function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string,
  options: { contentLength?: number | null; close?: boolean } = {},
): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`
  if (options.contentLength !== null) head += `Content-Length: ${options.contentLength ?? bytes.length}\r\n`
  if (options.close !== false) head += 'Connection: close\r\n'
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes])
}

/**
 * Statuses of every HTTP answer in a byte stream, read one after another by their framing
 * (Content-Length or chunked), since pipelined answers follow each other with no separator.
 */
function statusesOf(data: Buffer): number[] {
  const out: number[] = []
  let pos = 0
  while (pos < data.length) {
    const line = /^HTTP\/1\.[01] (\d{3})/.exec(data.subarray(pos, pos + 16).toString('latin1'))
    if (!line) break
    out.push(Number(line[1]))
    const end = data.indexOf('\r\n\r\n', pos)
    if (end < 0) break
    const head = data.subarray(pos, end).toString('latin1').toLowerCase()
    pos = end + 4
    const length = /\r\ncontent-length: *(\d+)/.exec(head)
    if (length) pos += Number(length[1])
    else if (/\r\ntransfer-encoding: *chunked/.test(head)) {
      for (;;) {
        const lineEnd = data.indexOf('\r\n', pos)
        if (lineEnd < 0) return out
        const size = Number.parseInt(data.subarray(pos, lineEnd).toString('latin1'), 16)
        pos = lineEnd + 2 + (Number.isNaN(size) ? 0 : size) + 2
        if (!size) break
      }
    } else break // the body runs to the close: nothing follows it
  }
  return out
}

/**
 * Writes `chunks` on a fresh socket (`pauseMs` between them when given), reads until the server
 * closes, and gives up (a hang) after `hangMs`. `abortAfterWrite` closes our side at once.
 */
export function exchange(
  port: number,
  chunks: Buffer[],
  hangMs: number,
  options: { abortAfterWrite?: boolean } = {},
): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    let done = false
    const finish = (hung: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ statuses: statusesOf(Buffer.concat(received)), hung })
    }
    const timer = setTimeout(() => finish(true), hangMs)
    socket.on('data', (c: Buffer) => received.push(c))
    socket.on('error', () => finish(false))
    socket.on('close', () => finish(false))
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
      // No half-close: a client that ends its side may be dropped before an asynchronous answer.
      if (options.abortAfterWrite) finish(false)
    })
  })
}
