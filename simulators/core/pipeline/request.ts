import { BodyDecodeError, type PlainRequest, type RawRequest, toPlainRequest } from '../http.ts'
import type { Exchange, Step } from './exchange.ts'
import { errorResponse, type PipelineHost } from './host.ts'

const EMPTY = Buffer.alloc(0)

/**
 * decode: the raw request as the provider reads it. The core decodes the body
 * by content type; a provider's `decode` then gives the body its handlers,
 * the fault matcher and the journal all see. A body that does not decode is
 * not answered here: the route (404 first) and the credentials come before it.
 */
export function decode(host: PipelineHost, ex: Exchange): Step | Promise<Step> {
  let decoded: ReturnType<typeof toPlainRequest>
  try {
    decoded = toPlainRequest(ex.raw, { forms: !host.definition.decodesForms })
  } catch (error) {
    return refuseBody(host, ex, error)
  }
  if (decoded instanceof Promise)
    return decoded.then(
      (req) => {
        ex.req = req
        return providerDecode(host, ex)
      },
      (error: unknown) => refuseBody(host, ex, error),
    )
  ex.req = decoded
  return providerDecode(host, ex)
}

function providerDecode(host: PipelineHost, ex: Exchange): Step {
  const own = host.definition.decode
  // Called for an empty body too: a provider may read parameters from elsewhere (Aligo's PHP reads the query).
  if (own === undefined) return undefined
  try {
    ex.req.body = own(ex.req)
  } catch (error) {
    return refuseBody(host, ex, error)
  }
  return undefined
}

function refuseBody(_host: PipelineHost, ex: Exchange, error: unknown): Step {
  if (!(error instanceof BodyDecodeError)) throw error
  ex.bodyProblem = error
  ex.req = bodiless(ex.raw)
  return undefined
}

/** The request without its body (which did not decode); `rawBody` keeps the bytes for the journal. */
function bodiless(raw: RawRequest): PlainRequest {
  // Without a body, decoding is synchronous.
  const req = toPlainRequest({
    method: raw.method,
    url: raw.url,
    headers: raw.headers,
    body: EMPTY,
  }) as PlainRequest
  req.rawBody = raw.body
  if (raw.remoteAddress !== undefined) req.remoteAddress = raw.remoteAddress
  return req
}

/** route: the operation the request names; none (404) or another method (405) is the provider's refusal. */
export function route(host: PipelineHost, ex: Exchange): Step {
  const req = ex.req
  ex.requestId = host.mintRequestId()
  const lookup = host.router.lookup(req.method, req.path, req.host)
  if (lookup.kind === 'found') {
    ex.route = lookup.match.route
    req.params = lookup.match.params
    return undefined
  }
  const responses = host.definition.responses
  ex.refusal =
    lookup.kind === 'not-found'
      ? responses.notFound(req)
      : (responses.methodNotAllowed ?? responses.notFound)(req, lookup.allowed)
  return undefined
}

/**
 * authenticate: the account the request acts for, from its credentials and
 * the account's state. Runs before the fault rules so rules can be scoped by
 * account; a refusal is answered after them. Then a body that did not decode
 * is refused, unless bad credentials come first (`authBeforeBody`).
 */
export function authenticate(host: PipelineHost, ex: Exchange): Step {
  if (ex.route === undefined) return undefined
  const definition = host.definition
  try {
    ex.account = definition.authenticate(ex.req, host.services)
    ex.authenticated = true
  } catch (error) {
    if (ex.route.auth !== false && (definition.authBeforeBody || !ex.bodyProblem))
      ex.refusal = errorResponse(host, ex.req, error)
  }
  if (ex.refusal === undefined && ex.bodyProblem)
    ex.refusal = definition.responses.invalidBody(ex.req, ex.bodyProblem.problem, ex.bodyProblem.message)
  return undefined
}
