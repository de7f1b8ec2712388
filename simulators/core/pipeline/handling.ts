import { compiledParser } from '../compiled-parser.ts'
import { ProviderError } from '../errors.ts'
import type { PlainResponse } from '../http.ts'
import type { RequestScope } from '../provider.ts'
import type { Exchange, Step } from './exchange.ts'
import { errorResponse, type PipelineHost } from './host.ts'

/**
 * pre-validation hooks: provider checks that come before the parameters are
 * read (a rate limit counted even for invalid requests). A hook answers by
 * returning or throwing the provider's error.
 */
export function hooks(host: PipelineHost, ex: Exchange): Step {
  const list = host.definition.hooks?.preValidation
  if (list === undefined) return undefined
  for (const hook of list) {
    let answer: PlainResponse | undefined
    try {
      answer = hook(ex as RequestScope) ?? undefined
    } catch (error) {
      return caught(host, ex, error)
    }
    if (answer !== undefined) return answer
  }
  return undefined
}

/** parse: the route's input schema over the query, the body or both; a failure is the provider's 400. */
export function parse(host: PipelineHost, ex: Exchange): Step {
  const route = ex.route!
  if (!route.input) return undefined
  const req = ex.req
  const from = route.inputFrom ?? (req.method === 'GET' || req.method === 'DELETE' ? 'query' : 'body')
  const source =
    from === 'merged'
      ? { ...req.query, ...(isRecord(req.body) ? req.body : {}) }
      : from === 'query'
        ? req.query
        : (req.body ?? {})
  const parsed = compiledParser(route.input).safeParse(source)
  if (!parsed.success) return host.definition.responses.invalidInput(req, parsed.error.issues, route as never)
  ex.input = parsed.data
  return undefined
}

/** idempotency: a replayed key answers with the stored response; a conflicting one is refused. */
export function idempotency(host: PipelineHost, ex: Exchange): Step {
  const cache = host.idempotency
  if (cache === undefined) return undefined
  const route = ex.route!
  const applies =
    route.idempotent ?? (host.definition.idempotency!.methods ?? ['POST']).includes(route.method)
  if (!applies) return undefined
  const decision = cache.begin(ex.req, ex.account)
  if (decision.kind === 'replay') {
    ex.replayed = true
    return decision.response
  }
  if (decision.kind === 'refuse') return decision.response
  ex.idempotencyKey = decision.key
  return undefined
}

/** handle: the route's handler; what it throws is the provider's error (or its 5xx, journaled as internal). */
export function handle(host: PipelineHost, ex: Exchange): Step | Promise<Step> {
  let result: PlainResponse | Promise<PlainResponse>
  try {
    result = ex.route!.handler(ex.req, ex.ctx, ex.input)
  } catch (error) {
    return remember(host, ex, caught(host, ex, error))
  }
  if (result instanceof Promise)
    return result.then(
      (response) => remember(host, ex, response),
      (error: unknown) => remember(host, ex, caught(host, ex, error)),
    )
  return remember(host, ex, result)
}

function caught(host: PipelineHost, ex: Exchange, error: unknown): PlainResponse {
  if (!(error instanceof ProviderError)) ex.internal = String((error as Error)?.message ?? error)
  return errorResponse(host, ex.req, error)
}

function remember(host: PipelineHost, ex: Exchange, response: PlainResponse): PlainResponse {
  if (ex.idempotencyKey !== undefined) host.idempotency!.finish(ex.account, ex.idempotencyKey, response)
  return response
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
