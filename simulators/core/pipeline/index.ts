import type { RawRequest } from '../http.ts'
import type { ProviderContext } from '../provider.ts'
import { Exchange, type Outcome, type Step } from './exchange.ts'
import { faultsAfter, faultsBefore, refuse } from './faults.ts'
import { finalize, record } from './finish.ts'
import { handle, hooks, idempotency, parse } from './handling.ts'
import type { PipelineHost } from './host.ts'
import { authenticate, decode, route } from './request.ts'

type Stage = (host: PipelineHost, ex: Exchange) => Step | Promise<Step>

/**
 * The request stages, in order (as fastify's lifecycle and LocalStack's
 * handler chain). Each returns `undefined` to continue, a response to answer
 * with, or a connection outcome. The answer then goes through faults after
 * and finalize, and every request, whatever happened, is journaled.
 */
export const REQUEST_STAGES: readonly Stage[] = [
  decode,
  route,
  authenticate,
  faultsBefore,
  refuse,
  hooks,
  parse,
  idempotency,
  handle,
]

/** Runs one raw request through the stages. Stays synchronous until a stage returns a promise. */
export async function runPipeline<State>(
  host: PipelineHost<State>,
  raw: RawRequest,
  makeContext: (account: string, requestId: string) => ProviderContext<State>,
): Promise<Outcome> {
  const ex = new Exchange<State>(raw, host.clock.realNow(), makeContext)
  const h = host as PipelineHost
  const e = ex as Exchange
  let step: Step
  for (let i = 0; i < REQUEST_STAGES.length; i++) {
    const result = REQUEST_STAGES[i]!(h, e)
    step = result instanceof Promise ? await result : result
    if (step !== undefined) break
  }
  let outcome: Outcome
  if (step !== undefined && 'kind' in step) outcome = step
  else {
    // Every request stage continuing means the handler answered: its response is the last step.
    ex.response = step!
    const late = faultsAfter(h, e)
    if (late instanceof Promise) await late
    outcome = finalize(h, e, ex.response)
  }
  record(h, e, outcome)
  return outcome
}
