import { z } from 'zod'
import { many, one } from './route.ts'

/** zod pieces for Twilio's flat form params (a key may repeat; see `paramsOf`). */
const raw = z.union([z.string(), z.array(z.string())])

/** A single-valued param: the last value when repeated. */
export const param = raw.optional().transform(one)

/** A repeatable param (`MediaUrl`, `StatusCallbackEvent`). */
export const list = raw.optional().transform(many)

/** A boolean as the SDK sends it (`true`/`false`), as Twilio reads it. */
export const flag = raw
  .optional()
  .transform(one)
  .pipe(z.enum(['true', 'false', 'True', 'False']).optional())
  .transform((v) => (v === undefined ? undefined : v.toLowerCase() === 'true'))

/** An integer param within bounds. */
export const int = (min: number, max: number) =>
  raw
    .optional()
    .transform(one)
    .pipe(
      z
        .string()
        .regex(/^\s*-?\d+\s*$/)
        .transform(Number)
        .pipe(z.number().int().min(min).max(max))
        .optional(),
    )

/** Twilio's 2010-04-01 paging params: `PageSize` 1..1000 (default 50), `Page` from 0, `PageToken`. */
export const Paging = {
  PageSize: int(1, 1000),
  Page: int(0, 1_000_000),
  PageToken: param,
}
