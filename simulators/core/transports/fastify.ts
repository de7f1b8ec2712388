import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { RawRequest } from '../http.ts'
import type { Outcome, ProviderRuntime } from '../runtime.ts'
import {
  applyConnectionCap,
  clientErrorStatus,
  type ServerLimits,
  serverOptions,
  writeRawResponse,
} from './limits.ts'

/**
 * The fastify transport: one fastify instance per provider, on its own port.
 * Routing, decoding and errors are the core's, so fastify only carries bytes:
 * a catch-all route hands the raw request to the provider runtime and renders
 * its outcome, connection-level faults included.
 */
export function buildProviderApp(runtime: ProviderRuntime, limits: ServerLimits = {}): FastifyInstance {
  // Not an async handler: one that returns the reply makes the promise machinery call the reply's
  // `then`, which listens for the response's end (five listeners per request, 3 % of the hub's CPU
  // under load). Returning nothing tells fastify the reply is sent later; a failure is the provider's
  // own 5xx, journaled as internal, as the error handler below makes it.
  const fail = (request: FastifyRequest, reply: FastifyReply, failure: unknown) =>
    render(runtime.internalFailure(toRaw(request), failure), request, reply)
  const run = (request: FastifyRequest, reply: FastifyReply) => {
    try {
      runtime
        .handle(toRaw(request, (request.body as Buffer | undefined) ?? Buffer.alloc(0)))
        .then((outcome) => {
          // Nothing returned: a reply returned here would be adopted as a thenable, the same cost.
          renderThisTurn(outcome, request, reply)
        })
        .catch((failure: unknown) => fail(request, reply, failure))
    } catch (failure) {
      // Run with other requests in a batch: a throw here must answer this one and let the rest run.
      fail(request, reply, failure)
    }
  }
  // Every request the provider answers goes through the turn's batch (its routes, the methods fastify has
  // no route for, a path too long for fastify's router), so all run in the order they came.
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    handleThisTurn(run, request, reply)
  }
  const app = Fastify({
    logger: false,
    bodyLimit: runtime.bodyLimit,
    forceCloseConnections: true,
    ...serverOptions(limits),
    // Provider paths are case-sensitive and may end in a slash; the core decides.
    routerOptions: { maxParamLength: 2048, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    // A URL fastify cannot decode (`/x/%ZZ`) never reaches a route: the provider still answers it in its own words.
    frameworkErrors: (error, request, reply) => {
      // A path parameter longer than fastify's router takes is still a path: the provider's router answers it.
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return handleThisTurn(run, request, reply)
      render(runtime.refuseBody(toRaw(request, Buffer.alloc(0)), 'malformed', error.message), request, reply)
    },
    // What Node refuses before fastify sees a request (a broken request line, headers too large, a client
    // too slow to send its request) is still answered in the provider's own words, then the socket closes.
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return
      const status = clientErrorStatus(error)
      try {
        const outcome = runtime.refuseBody(
          { method: 'GET', url: '/', headers: {}, body: Buffer.alloc(0) },
          'malformed',
          status === 408
            ? 'The request was not received in time'
            : status === 431
              ? 'Request headers too large'
              : `Malformed HTTP request: ${error.message}`,
          status,
        )
        if (outcome.kind === 'response') writeRawResponse(socket, status, outcome.headers, outcome.payload)
        else socket.destroy()
      } catch {
        socket.destroy()
      }
    },
  })
  applyConnectionCap(app.server, limits)
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], url: '/', handler })
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], url: '/*', handler })
  // Methods the routes above do not list (PROPFIND, MOVE, TRACE...) reach the provider's own router,
  // which answers them as the provider does (404 or 405 in its shape).
  app.setNotFoundHandler(handler)

  // fastify refuses some bodies before any route runs; the provider still answers in its own words.
  // Anything else that escapes is our failure, not the client's: the provider's own 5xx, journaled as internal.
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    const refusedBody =
      typeof error.code === 'string' &&
      error.code.startsWith('FST_ERR_CTP_') &&
      (error.statusCode ?? 500) < 500
    if (!refusedBody) return render(runtime.internalFailure(toRaw(request), error), request, reply)
    const problem = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'too-large' : 'malformed'
    return render(runtime.refuseBody(toRaw(request, Buffer.alloc(0)), problem, error.message), request, reply)
  })
  return app
}

function toRaw(request: FastifyRequest, body: Buffer = Buffer.alloc(0)): RawRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body,
    remoteAddress: request.ip,
  }
}

type Answer = Extract<Outcome, { kind: 'response' }>

/** Renders an outcome on the wire now: a response, or the connection handed to a fault effect's renderer. */
export function render(outcome: Outcome, _request: FastifyRequest, reply: FastifyReply) {
  if (outcome.kind === 'response') return send(reply, outcome)
  reply.hijack()
  outcome.effect.render!.fastify(reply.raw, outcome.answer, outcome.params)
  return reply
}

function send(reply: FastifyReply, answer: Answer) {
  return reply.code(answer.status).headers(answer.headers).send(answer.payload)
}

/**
 * The requests read in one turn of the event loop run through the pipeline
 * together at its end, one after another, rather than each between the
 * parsing of the next. Interleaved with fastify's and the kernel's work, the
 * pipeline ran on caches they had just displaced: under load a request cost
 * two to three times what it costs in a tight loop. In a row, the pipeline's
 * code and data stay warm from one request to the next (Stripe's customer
 * create, 32 connections: 5-24 % less CPU per request in six alternating
 * rounds). Run in arrival order, so the journal and the state see requests
 * as they came; a lone request waits for nothing, its turn ending right after
 * it was read.
 */
let arrived: { run: Runner; request: FastifyRequest; reply: FastifyReply }[] = []
type Runner = (request: FastifyRequest, reply: FastifyReply) => void

function handleThisTurn(run: Runner, request: FastifyRequest, reply: FastifyReply): void {
  if (arrived.length === 0) afterThisTurn(runArrived)
  arrived.push({ run, request, reply })
}

function runArrived() {
  const batch = arrived
  arrived = []
  // `run` answers its own failures, so one request that throws leaves the rest of the batch to run.
  for (const { run, request, reply } of batch) run(request, reply)
}

/**
 * The answers made in one turn of the event loop leave together at its end,
 * as Redis writes its replies before it sleeps. Written one by one as each
 * request finished, every answer woke a waiting client on its own: under
 * load the kernel's wake-up was the largest cost of a request (on the bench
 * machine, 40 of a Stripe customer create's 130 µs, where bare fastify's
 * busy load generator never sleeps). A lone request waits for nothing: its
 * turn ends right after it. Captured at load, so a test's fake timers cannot
 * hold answers back.
 */
const afterThisTurn = setImmediate
let waiting: { reply: FastifyReply; answer: Answer }[] = []

/** As {@link render}, but a response waits for the end of the turn; a wire fault still acts at once. */
function renderThisTurn(outcome: Outcome, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (outcome.kind !== 'response') return render(outcome, request, reply)
  if (waiting.length === 0) afterThisTurn(sendWaiting)
  waiting.push({ reply, answer: outcome })
  // fastify holds the request open until this reply is sent (a reply is a thenable).
  return reply
}

function sendWaiting() {
  const batch = waiting
  waiting = []
  for (const { reply, answer } of batch) {
    try {
      send(reply, answer)
    } catch {
      // Never a client left waiting: one answer that cannot be sent closes its connection, the rest still go.
      reply.raw.destroy()
    }
  }
}
