import Busboy from 'busboy'
import { decodeForm, decodePairs } from './form.ts'

/** A request as every provider handler sees it, whatever transport carried it. */
export interface PlainRequest {
  /** Upper-case method. */
  method: string
  /** Path without the query string, as received (no decoding of `%2F`). */
  path: string
  /** Path and query string, as received. */
  url: string
  /** The Host header the client sent, without port, lower-case ('' if absent). */
  host: string
  /** Header names lower-case. */
  headers: Record<string, string | undefined>
  /** Query string decoded with bracket nesting. */
  query: Record<string, unknown>
  rawBody: Buffer
  /** Body decoded by content type: JSON value, nested form object, multipart fields; undefined when empty. */
  body: unknown
  /** Media type of the body, lower-case, without parameters. */
  contentType: string | undefined
  /** Files of a multipart body. */
  files: UploadedFile[]
  /** Path parameters of the matched route. */
  params: Record<string, string>
  /** Client address, when the transport knows it. */
  remoteAddress?: string
}

export interface UploadedFile {
  field: string
  filename: string
  mimeType: string
  data: Buffer
}

/**
 * What a handler returns. An object or array body is sent as JSON; a string or
 * Buffer is sent as is (set `content-type` yourself, e.g. for hosted HTML pages).
 */
export interface PlainResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

/** Raw request as a transport received it, before decoding. */
export interface RawRequest {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  remoteAddress?: string
}

export type BodyProblem = 'malformed' | 'unsupported-media-type'

export class BodyDecodeError extends Error {
  constructor(
    readonly problem: BodyProblem,
    message: string,
  ) {
    super(message)
  }
}

/** Lower-cases header names and joins repeated values with ', ' (RFC 9110). */
export function normalizeHeaders(headers: RawRequest['headers']): Record<string, string | undefined> {
  // Node's http and fetch's Headers already give lower-case names and string values: use them as they are.
  let plain = true
  for (const name in headers) {
    if (typeof headers[name] !== 'string' || name !== name.toLowerCase()) {
      plain = headers[name] === undefined && name === name.toLowerCase()
      if (!plain) break
    }
  }
  if (plain) return headers as Record<string, string | undefined>
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

export function mediaType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined
  const semi = contentType.indexOf(';')
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() || undefined
}

export function splitUrl(url: string): { path: string; search: string } {
  const q = url.indexOf('?')
  return q < 0 ? { path: url, search: '' } : { path: url.slice(0, q), search: url.slice(q + 1) }
}

/** Parses a raw request into a {@link PlainRequest}; body problems throw {@link BodyDecodeError}. */
/**
 * The request decoded: headers normalized, the query and the body decoded by
 * content type. `forms: false` leaves a form body undecoded (`body`
 * undefined), for a provider whose own `decode` reads forms from the bytes.
 */
export function toPlainRequest(
  raw: RawRequest,
  options: { forms?: boolean } = {},
): PlainRequest | Promise<PlainRequest> {
  const headers = normalizeHeaders(raw.headers)
  const { path, search } = splitUrl(raw.url)
  const contentType = mediaType(headers['content-type'])
  const hostHeader = headers['x-forwarded-host'] ?? headers.host ?? ''
  const request: PlainRequest = {
    method: raw.method.toUpperCase(),
    path,
    url: raw.url,
    host: stripPort(hostHeader).toLowerCase(),
    headers,
    query: search ? decodeForm(search) : {},
    rawBody: raw.body,
    body: undefined,
    contentType,
    files: [],
    params: {},
  }
  if (raw.remoteAddress !== undefined) request.remoteAddress = raw.remoteAddress
  if (raw.body.length === 0) return request
  // Only multipart decoding is asynchronous; the common bodies stay off the promise path.
  if (contentType === 'multipart/form-data')
    return decodeMultipartBody(request, headers['content-type']).then(() => request)
  decodeBody(request, options.forms ?? true)
  return request
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon < 0 ? host : host.slice(0, colon)
}

async function decodeMultipartBody(request: PlainRequest, contentTypeHeader: string | undefined) {
  const { fields, files } = await decodeMultipart(request.rawBody, contentTypeHeader ?? '')
  request.body = decodePairs(fields)
  request.files = files
}

function decodeBody(request: PlainRequest, forms: boolean) {
  switch (request.contentType) {
    case 'application/json':
    case undefined:
      if (request.contentType === undefined && !looksLikeJson(request.rawBody)) {
        // No content type and not JSON: many form clients omit it; try form decoding.
        if (forms) request.body = decodeForm(request.rawBody.toString('utf8'))
        return
      }
      request.body = parseJson(request.rawBody)
      return
    case 'application/x-www-form-urlencoded':
      if (forms) request.body = decodeForm(request.rawBody.toString('utf8'))
      return
    default:
      if (request.contentType.endsWith('+json')) {
        request.body = parseJson(request.rawBody)
        return
      }
      if (request.contentType.startsWith('text/')) {
        request.body = request.rawBody.toString('utf8')
        return
      }
      throw new BodyDecodeError('unsupported-media-type', `Unsupported content type: ${request.contentType}`)
  }
}

/** Deeper JSON than any provider accepts; parsing it costs the event loop (100k levels: ~100 ms) for nothing. */
export const MAX_JSON_DEPTH = 512

/** Parses JSON, refusing at once a body nested deeper than {@link MAX_JSON_DEPTH} (found by one linear scan). */
function parseJson(raw: Buffer): unknown {
  if (raw.length > 2 * MAX_JSON_DEPTH && jsonDepthExceeds(raw, MAX_JSON_DEPTH))
    throw new BodyDecodeError('malformed', `Invalid JSON body: nested deeper than ${MAX_JSON_DEPTH} levels`)
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new BodyDecodeError('malformed', `Invalid JSON body: ${(error as Error).message}`)
  }
}

function jsonDepthExceeds(raw: Buffer, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!
    if (inString) {
      if (byte === 0x5c)
        i++ // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false
    } else if (byte === 0x22) inString = true
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > max) return true
    } else if (byte === 0x7d || byte === 0x5d) depth--
  }
  return false
}

function looksLikeJson(body: Buffer): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue
    return byte === 0x7b || byte === 0x5b // { or [
  }
  return false
}

function decodeMultipart(body: Buffer, contentType: string) {
  return new Promise<{ fields: [string, string][]; files: UploadedFile[] }>((resolve, reject) => {
    const fields: [string, string][] = []
    const files: UploadedFile[] = []
    let parser: Busboy.Busboy
    try {
      parser = Busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' })
    } catch (error) {
      reject(new BodyDecodeError('malformed', `Invalid multipart body: ${(error as Error).message}`))
      return
    }
    parser.on('field', (name, value) => fields.push([name, value]))
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () =>
        files.push({
          field,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
          data: Buffer.concat(chunks),
        }),
      )
    })
    parser.on('error', (error: Error) =>
      reject(new BodyDecodeError('malformed', `Invalid multipart body: ${error.message}`)),
    )
    parser.on('close', () => resolve({ fields, files }))
    parser.end(body)
  })
}

/** Serializes a handler's body for the wire and fills in content-type when the handler did not. */
export function serializeBody(response: PlainResponse): {
  headers: Record<string, string>
  payload: string | Buffer
} {
  const headers: Record<string, string> = { ...response.headers }
  const body = response.body
  if (body === undefined || body === null) return { headers, payload: '' }
  if (typeof body === 'string') {
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain; charset=utf-8'
    return { headers, payload: body }
  }
  if (Buffer.isBuffer(body)) {
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/octet-stream'
    return { headers, payload: body }
  }
  if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json; charset=utf-8'
  return { headers, payload: joined(JSON.stringify(body)) }
}

/**
 * The string joined into one piece. V8 builds a long `JSON.stringify` result in pieces of growing size,
 * chained (a Stripe PaymentIntent's 1.1 KB answer: six pieces, five links), and joins them when something
 * reads the text through: the socket's write. The journal keeps the answer's text, so until then it
 * held the pieces, and the collector copied each. Joined here instead (the write finds it joined): the
 * journal holds one string. Converting to a number is what joins it: V8 reads a number from flat text.
 */
function joined(text: string): string {
  Number(text)
  return text
}

function hasHeader(headers: Record<string, string>, lowerName: string): boolean {
  for (const key in headers) if (key.toLowerCase() === lowerName) return true
  return false
}

/** Reads a dotted path (`metadata.order_id`, `items.0.price`) from a decoded value. */
export function readPath(value: unknown, path: string): unknown {
  let node = value
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}
