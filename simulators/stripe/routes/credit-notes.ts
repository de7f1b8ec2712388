import { z } from 'zod'
import { wire } from '../codec.ts'
import { createCreditNote, voidCreditNote } from '../credit-notes.ts'
import { invoiceFor } from '../invoice-rules.ts'
import { expandShape, listShape, metadataShape, params } from '../params.ts'
import { emitEvent } from '../webhooks.ts'
import {
  find,
  list,
  matchesGiven,
  mergeMetadata,
  previousOf,
  respond,
  route,
  source,
  timeFor,
  transitionRoute,
  versionOf,
} from './shared.ts'

/** Credit notes on open and paid invoices (credit-notes.ts holds the money rules). */
const lineInput = z.looseObject({
  type: z.enum(['invoice_line_item', 'custom_line_item']),
  invoice_line_item: z.string().optional(),
  quantity: z.number().optional(),
  amount: z.number().optional(),
  unit_amount: z.number().optional(),
  description: z.string().optional(),
})

export const creditNotes = [
  route({
    operation: 'credit_notes.create',
    method: 'POST',
    path: '/v1/credit_notes',
    input: params('POST', '/v1/credit_notes', {
      ...expandShape,
      metadata: z.record(z.string(), z.string()).optional(),
      invoice: z.string(),
      amount: z.number().optional(),
      lines: z.array(lineInput).optional(),
      credit_amount: z.number().optional(),
      refund_amount: z.number().optional(),
      out_of_band_amount: z.number().optional(),
      reason: z.string().optional(),
      memo: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const invoice = invoiceFor(ctx, input.invoice, 'invoice')
      const note = createCreditNote(source(req, ctx, timeFor(ctx, invoice.customer)), invoice, input)
      return respond(req, ctx, note, input.expand)
    },
  }),
  route({
    operation: 'credit_notes.retrieve',
    method: 'GET',
    path: '/v1/credit_notes/:id',
    input: params('GET', '/v1/credit_notes/{id}', expandShape),
    handler: (req, ctx, input) =>
      respond(req, ctx, find(ctx.state.creditNotes, req.params.id!, 'credit note', 'id'), input.expand),
  }),
  route({
    operation: 'credit_notes.update',
    method: 'POST',
    path: '/v1/credit_notes/:id',
    input: params('POST', '/v1/credit_notes/{id}', {
      ...expandShape,
      ...metadataShape,
      memo: z.string().optional(),
    }),
    handler: (req, ctx, input) => {
      const note = find(ctx.state.creditNotes, req.params.id!, 'credit note', 'id')
      const before = structuredClone(note)
      if (input.memo !== undefined) note.memo = input.memo
      note.metadata = mergeMetadata(note.metadata, input.metadata)
      const previous = previousOf(before as never, note as never)
      if (Object.keys(previous).length > 0)
        emitEvent(source(req, ctx, timeFor(ctx, note.customer)), 'credit_note.updated', note, previous)
      return respond(req, ctx, note, input.expand)
    },
  }),
  transitionRoute({
    operation: 'credit_notes.void_credit_note',
    base: '/v1/credit_notes',
    param: 'id',
    action: 'void',
    noun: 'credit note',
    collection: (ctx) => ctx.state.creditNotes,
    move: voidCreditNote,
  }),
  route({
    operation: 'credit_notes.lines',
    method: 'GET',
    path: '/v1/credit_notes/:credit_note/lines',
    input: params('GET', '/v1/credit_notes/{credit_note}/lines', listShape),
    handler: (req, ctx, input) => {
      const note = find(ctx.state.creditNotes, req.params.credit_note!, 'credit note', 'credit_note')
      const body = wire(
        {
          object: 'list',
          data: note.lines.data.slice(0, input.limit ?? 10),
          has_more: note.lines.data.length > (input.limit ?? 10),
          url: note.lines.url,
        },
        versionOf(req),
        ctx.state,
        input.expand,
      )
      return { status: 200, body }
    },
  }),
  route({
    operation: 'credit_notes.list',
    method: 'GET',
    path: '/v1/credit_notes',
    input: params('GET', '/v1/credit_notes', {
      ...listShape,
      customer: z.string().optional(),
      invoice: z.string().optional(),
    }),
    handler: (req, ctx, input) =>
      list(req, ctx, ctx.state.creditNotes, input, '/v1/credit_notes', (c) =>
        matchesGiven(input, c, ['customer', 'invoice']),
      ),
  }),
]
