import type { ServerResponse } from 'node:http'
import type { z } from 'zod'
import type { PlainResponse } from '../../http.ts'
import type { ErrorCatalogue } from '../../provider.ts'
import type { Random } from '../../random.ts'
import type { FaultMatch } from '../match.ts'

/**
 * 'before': the provider never sees the request. 'after': the provider does
 * the work (a charge is made) and then the answer is late or lost, which is
 * what forces an app to reconcile.
 */
export type Phase = 'before' | 'after'

export const PHASE_DESCRIPTION =
  "'before' (default): the provider never sees the request; 'after': it does the work, then the answer is late or lost"

/**
 * What an effect does to one request. The engine and the pipeline know only
 * these three kinds; what a `wire` effect does on the connection is the
 * effect's own {@link EffectRenderers}.
 */
export type EffectAction =
  /** Replace the provider's answer with this one. */
  | { kind: 'respond'; response: PlainResponse }
  /** Wait this long (real ms), before the provider handles the request or after. */
  | { kind: 'delay'; ms: number; phase: Phase }
  /** Carry the answer (or its absence, at phase 'before') to the client in the effect's own way. */
  | { kind: 'wire'; phase: Phase; params: unknown }

/** The provider's answer as bytes, as a wire effect receives it (absent when the provider never saw the request). */
export interface WireAnswer {
  status: number
  headers: Record<string, string>
  payload: string | Buffer
}

/**
 * How each transport carries out a wire effect. `fastify` writes on the raw
 * Node response (the transport has handed the connection over); `msw` returns
 * the fetch Response the client gets, `Response.error()` being a dropped
 * connection.
 */
export interface EffectRenderers<Params> {
  fastify(res: ServerResponse, answer: WireAnswer | undefined, params: Params): void
  msw(answer: WireAnswer | undefined, params: Params): Response | Promise<Response>
  /** What the journal records as the request's outcome. */
  journal: 'response' | 'reset' | 'hang'
}

export interface EffectContext {
  random: Random
  catalogue: ErrorCatalogue | undefined
}

/** What {@link EffectDefinition.validate} may consult when a rule is added. */
export interface ValidationContext {
  match: FaultMatch
  catalogue(provider: string): ErrorCatalogue | undefined
}

/** A rule the effect refuses: the field at fault (as the control plane names it) and why. */
export interface EffectIssue {
  field: string
  message: string
}

/**
 * One effect type (toxiproxy registers a toxic per file the same way).
 * `terminal` effects replace the provider's answer (the first that fires
 * wins); the others (latency, slow body) stack with whatever answers.
 */
export interface EffectDefinition<Schema extends z.ZodType = z.ZodType, Params = unknown> {
  type: string
  /** The rule's `effect` object: `{ type, ...params }`. */
  schema: Schema
  terminal: boolean
  /** Checks the schema cannot make (the provider's catalogue, the rule's match); runs when a rule is added. */
  validate?(effect: z.output<Schema>, ctx: ValidationContext): EffectIssue | undefined
  apply(effect: z.output<Schema>, ctx: EffectContext): EffectAction
  explain(effect: z.output<Schema>): string
  /** Required when `apply` returns a `wire` action: its `params` are what the renderers receive. */
  render?: EffectRenderers<Params>
}

export function defineEffect<Schema extends z.ZodType, Params = unknown>(
  definition: EffectDefinition<Schema, Params>,
): EffectDefinition<Schema, Params> {
  return definition
}

/** A fetch-side pause (msw renderers). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Writes status and headers on a raw response, with the body's length so clients can tell a cut body. */
export function writeHead(res: ServerResponse, answer: WireAnswer, bytes: Buffer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(bytes.length) })
}

export function bytesOf(answer: WireAnswer): Buffer {
  return Buffer.isBuffer(answer.payload) ? answer.payload : Buffer.from(answer.payload)
}

/** Statuses that carry no body on the wire. */
export function bodiless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200)
}
