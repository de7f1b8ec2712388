import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'

/**
 * What every port of the hub allows a client: how long it may take to send a
 * request, how long an idle kept-alive connection stays open, and how many
 * connections may be open at once. The defaults are far beyond anything a
 * normal client (an SDK, a browser, a load test) meets; they exist so that
 * slow or abandoned clients cannot hold the hub.
 */
export interface ServerLimits {
  /** Real ms a client has to send a whole request, headers and body (Node's `requestTimeout`). Default 30 s. */
  requestTimeoutMs?: number
  /** Real ms an idle kept-alive connection stays open. Default 72 s (longer than common client pools keep theirs). */
  keepAliveTimeoutMs?: number
  /** Open connections per port; more are refused at accept. Default 2048. */
  maxConnections?: number
}

export const DEFAULT_LIMITS: Required<ServerLimits> = {
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 2048,
}

/** The fastify options that enforce {@link ServerLimits}. */
export function serverOptions(limits: ServerLimits = {}) {
  const l = { ...DEFAULT_LIMITS, ...limits }
  return {
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    http: {
      headersTimeout: l.requestTimeoutMs,
      // Node checks the timeouts on this interval; a tenth of the timeout keeps the overshoot small.
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(l.requestTimeoutMs / 10))),
    },
  }
}

export function applyConnectionCap(server: { maxConnections: number }, limits: ServerLimits = {}) {
  server.maxConnections = limits.maxConnections ?? DEFAULT_LIMITS.maxConnections
}

/** Node's name for what went wrong before a request could be routed → the status to answer. */
export function clientErrorStatus(error: Error & { code?: string }): number {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431
  return 400
}

/** Writes a whole HTTP/1.1 answer on a socket the HTTP server gave up on, then closes it. */
export function writeRawResponse(
  socket: Socket,
  status: number,
  headers: Record<string, string>,
  payload: string | Buffer,
) {
  if (socket.writable) {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload)
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n`
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase()
      if (lower === 'content-length' || lower === 'connection' || lower === 'transfer-encoding') continue
      if (/[\r\n]/.test(value)) continue
      head += `${name}: ${value}\r\n`
    }
    head += `content-length: ${body.length}\r\nconnection: close\r\n\r\n`
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]))
  }
  socket.destroy()
}
