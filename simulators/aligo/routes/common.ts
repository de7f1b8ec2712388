import { z } from 'zod'
import { compiledParser } from '../../core/compiled-parser.ts'
import type { PlainRequest, PlainResponse, UploadedFile } from '../../core/http.ts'
import { type ProviderContext, type RouteDefinition, routesFor } from '../../core/provider.ts'
import { fail } from '../errors.ts'
import type { AligoState } from '../models.ts'
import type { Params } from '../wire.ts'

const route = routesFor<AligoState>()

export type Ctx = ProviderContext<AligoState>

interface AligoRoute {
  operation: string
  /** With its trailing slash, as Aligo publishes it; the router serves the slash-less form too. */
  path: `/${string}/`
  handler(ctx: Ctx, params: Params, req: PlainRequest): PlainResponse
}

/**
 * One Aligo operation: POST, its parameters as the provider's `decode` read
 * them (form and query, as PHP's `$_REQUEST`), the account's key and IP
 * checked by the provider's authenticate. The router's one trailing-slash
 * rule serves it without the slash too (aligoapi's token URL has none).
 */
export function aligoRoute(def: AligoRoute): RouteDefinition<AligoState, z.ZodType> {
  return route({
    operation: def.operation,
    method: 'POST',
    path: def.path,
    handler: (req, ctx) => def.handler(ctx, req.body as Params, req),
  })
}

/** A form value: the zod schemas below say which fields an operation reads. */
export const field = z.string().optional()
export const yn = z
  .string()
  .optional()
  .transform((v) => v?.toUpperCase() === 'Y')

/** Parses params with an operation's schema; a failure is Aligo's -102. */
export function parseParams<S extends z.ZodType>(schema: S, params: Params): z.output<S> {
  const parsed = compiledParser(schema).safeParse(params)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    fail('-102', `${issue.path.join('.') || 'parameter'}: ${issue.message}`)
  }
  return parsed.data
}

/** A positive integer form value within bounds, else the default (Aligo clamps paging rather than refusing). */
export function intParam(value: string | undefined, fallback: number, min: number, max: number): number {
  const n = Number(value)
  if (!value || !Number.isInteger(n)) return fallback
  return Math.min(max, Math.max(min, n))
}

/** MMS images: `image` (aligoapi, samples) or `image1`…`image3` (current spec). Only JPEG/PNG/GIF count. */
export function images(req: PlainRequest): UploadedFile[] {
  const found = req.files.filter((f) => /^image[1-3]?$/.test(f.field) && f.data.length > 0)
  for (const file of found) {
    const type = `${file.mimeType} ${file.filename}`.toLowerCase()
    if (!/jpe?g|png|gif/.test(type)) fail('-102', '첨부이미지는 JPEG, PNG, GIF 파일만 가능합니다.')
  }
  return found
}
