import type { z } from 'zod'
import type { VirtualClock } from '../clock.ts'
import { ProviderError } from '../errors.ts'
import type { FaultEngine } from '../faults/engine.ts'
import type { PlainRequest, PlainResponse } from '../http.ts'
import type { IdempotencyCache } from '../idempotency.ts'
import type { Journal } from '../journal.ts'
import type { Logger, ProviderDefinition, ProviderServices, RouteDefinition } from '../provider.ts'
import type { Router } from '../router.ts'

/** What the stages use of a mounted provider (the ProviderRuntime), without importing it. */
export interface PipelineHost<State = unknown> {
  readonly name: string
  readonly definition: ProviderDefinition<State>
  readonly services: ProviderServices<State>
  readonly router: Router<RouteDefinition<State, z.ZodType>>
  readonly idempotency: IdempotencyCache | undefined
  readonly faults: FaultEngine
  readonly clock: VirtualClock
  readonly journal: Journal
  readonly log: Logger
  /** The provider's request id (Request-Id, Twilio-Request-Id), one per request. */
  mintRequestId(): string
}

/** A thrown error as the provider answers it: its own error body, or its 5xx (logged) for anything else. */
export function errorResponse(host: PipelineHost, req: PlainRequest, error: unknown): PlainResponse {
  if (error instanceof ProviderError) return error.response
  host.log.error('handler failed', {
    provider: host.name,
    path: req.path,
    error: String((error as Error)?.stack ?? error),
  })
  return host.definition.responses.internalError(req, error)
}
