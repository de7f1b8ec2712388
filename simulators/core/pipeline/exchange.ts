import type { z } from 'zod'
import type { EffectDefinition, WireAnswer } from '../faults/effects/effect.ts'
import type { FaultVerdict } from '../faults/engine.ts'
import type { BodyDecodeError, PlainRequest, PlainResponse, RawRequest } from '../http.ts'
import type { ProviderContext, RouteDefinition } from '../provider.ts'

/**
 * What a transport must do with a request: send a response, or hand the
 * connection to a fault effect's renderers (a reset, a hang, a cut body, a
 * trickled body), with the provider's answer when it made one.
 */
export type Outcome =
  | { kind: 'response'; status: number; headers: Record<string, string>; payload: string | Buffer }
  | { kind: 'wire'; effect: EffectDefinition; params: unknown; answer: WireAnswer | undefined }

/**
 * What a stage decides: `undefined` to continue with the next stage, a
 * response to answer with (the rest of the request stages are skipped; the
 * answer still goes through faults after, finalize and the journal), or an
 * outcome for the connection (reset, hang: only the journal runs after it).
 */
export type Step = undefined | PlainResponse | Outcome

export const NO_FAULTS: FaultVerdict = Object.freeze({
  delayBeforeMs: 0,
  delayAfterMs: 0,
  fired: Object.freeze([]) as unknown as FaultVerdict['fired'],
}) as FaultVerdict

/**
 * One request on its way through the stages. A class with every field
 * declared up front: one allocation per request, the same shape each time.
 */
export class Exchange<State = unknown> {
  req!: PlainRequest
  requestId = ''
  /** Set by the route stage; every stage after `refuse` has one. */
  route: RouteDefinition<State, z.ZodType> | undefined = undefined
  account = 'anonymous'
  /** Whether an account was found (routes with `auth: false` and refused credentials have none). */
  authenticated = false
  /**
   * The provider's answer to a request it refuses before any handler (no
   * route, bad credentials, a body that does not decode), held until the
   * fault rules have had their say: a rule may match such a request too.
   */
  refusal: PlainResponse | undefined = undefined
  bodyProblem: BodyDecodeError | undefined = undefined
  verdict: FaultVerdict = NO_FAULTS
  input: unknown = undefined
  response: PlainResponse | undefined = undefined
  idempotencyKey: string | undefined = undefined
  replayed = false
  /** The message of a failure inside standin (not the provider's own error), for the journal. */
  internal: string | undefined = undefined
  headers: Record<string, string> | undefined = undefined
  outcome: Outcome | undefined = undefined
  private context: ProviderContext<State> | undefined = undefined

  constructor(
    readonly raw: RawRequest,
    readonly started: number,
    private readonly makeContext: (account: string, requestId: string) => ProviderContext<State>,
  ) {}

  get ctx(): ProviderContext<State> {
    this.context ??= this.makeContext(this.account, this.requestId)
    return this.context
  }
}
