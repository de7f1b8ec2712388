import { type HttpHandler, HttpResponse, http } from 'msw'
import type { AnyProvider } from '../provider.ts'
import { Core, type CoreOptions, type Outcome, type ProviderRuntime } from '../runtime.ts'

/**
 * The msw transport: the same providers, in-process, with no port. One
 * catch-all handler per provider base URL hands each request to the core, so
 * responses are byte-for-byte those of the fastify transport. A test can still
 * override one operation with `server.use(http.post(url, ...))`, which msw
 * tries before these.
 *
 * @example
 * const { handlers, core } = standinHandlers({ providers: [payments], baseUrls: { payments: 'https://api.payments.example' } })
 * const server = setupServer(...handlers)
 */
export function standinHandlers(options: {
  providers: AnyProvider[]
  /** Base URL per provider name; default http://127.0.0.1:<defaultPort>. */
  baseUrls?: Record<string, string>
  core?: Core
  coreOptions?: CoreOptions
}): { handlers: HttpHandler[]; core: Core } {
  const core = options.core ?? new Core(options.coreOptions)
  const handlers = options.providers.map((definition) => {
    const baseUrl = (
      options.baseUrls?.[definition.name] ?? `http://127.0.0.1:${definition.defaultPort}`
    ).replace(/\/$/, '')
    const runtime = core.providers.get(definition.name) ?? core.register(definition, { baseUrl })
    return handlerFor(runtime, baseUrl)
  })
  return { handlers, core }
}

/** The msw handler for one mounted provider. */
export function handlerFor(runtime: ProviderRuntime, baseUrl = runtime.baseUrl): HttpHandler {
  return http.all(`${baseUrl}/*`, async ({ request }) => {
    const url = new URL(request.url)
    const body = Buffer.from(await request.arrayBuffer())
    const headers: Record<string, string> = {}
    request.headers.forEach((value, name) => {
      headers[name] = value
    })
    headers.host ??= url.host
    const raw = { method: request.method, url: url.pathname + url.search, headers, body }
    let outcome: Outcome
    try {
      outcome =
        body.length > runtime.bodyLimit
          ? runtime.refuseBody(raw, 'too-large', `Request body is larger than ${runtime.bodyLimit} bytes`)
          : await runtime.handle(raw)
    } catch (error) {
      // Our failure, not the client's: the provider's own 5xx, journaled as internal (as on the fastify transport).
      outcome = runtime.internalFailure(raw, error)
    }
    return toResponse(outcome)
  })
}

function toResponse(outcome: Outcome): Response | Promise<Response> {
  if (outcome.kind === 'wire') return outcome.effect.render!.msw(outcome.answer, outcome.params)
  const status = outcome.status
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200)
  return new HttpResponse(noBody ? null : outcome.payload, { status, headers: outcome.headers })
}
