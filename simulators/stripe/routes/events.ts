import { z } from 'zod'
import { expandShape, listShape, params } from '../params.ts'
import { find, list, respond, route, versionOf } from './shared.ts'

/** Events are stored in the internal shape and rendered in the version the reader asks for. */
export const events = [
  route({
    operation: 'events.retrieve',
    method: 'GET',
    path: '/v1/events/:id',
    input: params('GET', '/v1/events/{id}', expandShape),
    handler: (req, ctx, input) => {
      const event = find(ctx.state.events, req.params.id!, 'event', 'id')
      return respond(req, ctx, { ...event, api_version: versionOf(req) }, input.expand)
    },
  }),
  route({
    operation: 'events.list',
    method: 'GET',
    path: '/v1/events',
    input: params('GET', '/v1/events', {
      ...listShape,
      type: z.string().optional(),
      types: z.array(z.string()).optional(),
      created: z
        .union([
          z.number(),
          z.looseObject({
            gt: z.number().optional(),
            gte: z.number().optional(),
            lt: z.number().optional(),
            lte: z.number().optional(),
          }),
        ])
        .optional(),
    }),
    handler: (req, ctx, input) => {
      const typeMatches = (t: string) => {
        if (input.type !== undefined)
          return input.type.endsWith('*') ? t.startsWith(input.type.slice(0, -1)) : t === input.type
        return input.types === undefined || input.types.includes(t)
      }
      // `created` ranges are applied by list() itself, as for every list with that parameter.
      const response = list(req, ctx, ctx.state.events, input, '/v1/events', (e) => typeMatches(e.type))
      for (const e of (response.body as { data: Record<string, unknown>[] }).data)
        e.api_version = versionOf(req)
      return response
    },
  }),
]
