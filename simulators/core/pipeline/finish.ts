import { type PlainRequest, type PlainResponse, serializeBody } from '../http.ts'
import { type JournalEntry, mayNestDeeperThan, type NewJournalEntry, nestsDeeperThan } from '../journal.ts'
import type { Exchange, Outcome } from './exchange.ts'
import type { PipelineHost } from './host.ts'

/**
 * finalize: the provider's own headers on every answer (request ids, the
 * headers hooks added), then the bytes; a wire effect that fired after the
 * provider answered gets them.
 */
export function finalize(host: PipelineHost, ex: Exchange, response: PlainResponse): Outcome {
  if (ex.headers !== undefined) response.headers = { ...ex.headers, ...response.headers }
  host.definition.finalize?.(response, ex.req, {
    requestId: ex.requestId,
    account: ex.authenticated ? ex.account : undefined,
  })
  const { headers, payload } = serializeBody(response)
  const verdict = ex.verdict
  const wire = verdict.terminal?.kind === 'wire' ? verdict.terminal : verdict.shape
  if (wire === undefined) return { kind: 'response', status: response.status, headers, payload }
  return {
    kind: 'wire',
    effect: wire.effect,
    params: wire.params,
    answer: { status: response.status, headers, payload },
  }
}

/** journal: every request, with the rule that touched it; bodies past the journal's limits are cut and marked. */
export function record(host: PipelineHost, ex: Exchange, outcome: Outcome): void {
  const journal = host.journal
  const req = ex.req
  const now = host.clock.now()
  const rawBytes = req.rawBody.length
  let body: unknown
  let bodyTruncated: JournalEntry['bodyTruncated']
  if (rawBytes > journal.maxBodyBytes) bodyTruncated = { reason: 'size', bytes: rawBytes }
  else {
    body = req.body ?? (rawBytes > 0 ? req.rawBody.toString('utf8', 0, 4096) : undefined)
    // Nesting N deep takes at least 2N bytes and N - 1 opening brackets, so most bodies skip the walk.
    if (
      rawBytes > 2 * journal.maxDepth &&
      mayNestDeeperThan(req.rawBody, journal.maxDepth) &&
      nestsDeeperThan(body, journal.maxDepth)
    )
      bodyTruncated = { reason: 'depth', bytes: rawBytes }
  }
  if (bodyTruncated) body = req.rawBody.toString('utf8', 0, Math.min(rawBytes, journal.maxBodyBytes))
  const answer = outcome.kind === 'response' ? outcome : outcome.answer
  const kind = outcome.kind === 'response' ? 'response' : outcome.effect.render!.journal
  const answered = kind === 'response' && answer !== undefined
  let responseBody = answered ? ex.response?.body : undefined
  let responseJson: string | undefined
  let responseTruncated: JournalEntry['responseTruncated']
  const payloadBytes = answered ? answer.payload.length : 0
  if (payloadBytes > journal.maxBodyBytes) {
    responseTruncated = { reason: 'size', bytes: payloadBytes }
    responseBody = answer!.payload.toString('utf8', 0, journal.maxBodyBytes)
  } else if (isJsonValue(responseBody) && typeof answer!.payload === 'string') {
    // The object was sent as this JSON: the journal keeps the text, not the object.
    responseJson = answer!.payload
    responseBody = undefined
  }
  // Built field by field, without spreads: this runs on every request.
  const entry: NewJournalEntry = {
    requestId: ex.requestId,
    epochMs: Math.floor(now),
    provider: host.name,
    method: req.method,
    path: req.path,
    host: req.host,
    query: req.query,
    headers: req.headers,
    body,
    status: answered ? answer.status : 0,
    response: responseBody,
    durationMs: Math.round((host.clock.realNow() - ex.started) * 100) / 100,
    outcome: kind,
  }
  if (ex.authenticated) entry.account = ex.account
  if (ex.route !== undefined) entry.operation = ex.route.operation
  if (ex.verdict.fired.length > 0) entry.fault = ex.verdict.fired[0]!
  if (ex.replayed) entry.idempotentReplay = true
  if (ex.internal !== undefined) entry.internalError = ex.internal
  if (bodyTruncated) entry.bodyTruncated = bodyTruncated
  if (responseTruncated) entry.responseTruncated = responseTruncated
  journal.record(
    entry,
    Math.min(rawBytes, journal.maxBodyBytes) + Math.min(payloadBytes, journal.maxBodyBytes) + req.url.length,
    responseJson,
  )
}

/** A body serializeBody sends as JSON (an object or array, not text or bytes). */
export function isJsonValue(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body)
}

/** A request with no body and no route, for answers made outside the stages (a body the transport refused). */
export function bareRequest(method: string, url: string): PlainRequest {
  return {
    method: method.toUpperCase(),
    path: url.split('?')[0]!,
    url,
    host: '',
    headers: {},
    query: {},
    rawBody: Buffer.alloc(0),
    body: undefined,
    contentType: undefined,
    files: [],
    params: {},
  }
}
