import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { fail, MESSAGES, sgError } from '../errors.ts'
import {
  CreateTemplateParams,
  type SendgridState,
  type Template,
  type TemplateVersion,
  VersionParams,
} from '../models.ts'
import { handlebarsError, htmlToText } from '../render.ts'
import { body, noContent, parse, sgDateTime, sgRoute } from './common.ts'

/**
 * Transactional templates (`/v3/templates`) and their versions. Dynamic
 * template ids are `d-` + 32 hex, legacy ones GUIDs; the first version is
 * made active, and activating one deactivates the others.
 */
type Ctx = ProviderContext<SendgridState>

const MAX_TEMPLATES = 300

function findTemplate(ctx: Ctx, id: string): Template {
  return ctx.state.templates.get(id) ?? fail(sgError(404, MESSAGES.notFound, null))
}

function findVersion(template: Template, id: string): TemplateVersion {
  return template.versions.find((v) => v.id === id) ?? fail(sgError(404, MESSAGES.notFound, null))
}

/** The lean list form: versions without their bodies. */
function lean(template: Template) {
  return {
    ...template,
    versions: template.versions.map(
      ({ html_content: _h, plain_content: _p, test_data: _t, ...rest }) => rest,
    ),
  }
}

function checkHandlebars(
  template: Template,
  params: {
    html_content?: string | undefined
    plain_content?: string | undefined
    subject?: string | undefined
  },
) {
  if (template.generation !== 'dynamic') return
  for (const field of ['html_content', 'plain_content', 'subject'] as const) {
    const source = params[field]
    const problem = source === undefined ? undefined : handlebarsError(source)
    if (problem) fail(sgError(400, `Your template has a syntax error: ${problem}`, field))
  }
}

function applyVersion(ctx: Ctx, template: Template, version: TemplateVersion, active: 0 | 1 | undefined) {
  if (version.generate_plain_content) version.plain_content = htmlToText(version.html_content)
  const makeActive =
    active === 1 ||
    template.versions.length === 0 ||
    (active === undefined && !template.versions.some((v) => v.active === 1))
  if (makeActive) for (const v of template.versions) v.active = 0
  version.active = makeActive ? 1 : (active ?? version.active)
  version.updated_at = sgDateTime(ctx.clock.now())
  template.updated_at = version.updated_at
}

const ListQuery = z.object({
  generations: z
    .string()
    .regex(/^(legacy|dynamic)(,(legacy|dynamic))?$/)
    .optional(),
  page_size: z.coerce.number().int().min(1).max(200),
  page_token: z.string().optional(),
})

export const templates = [
  sgRoute({
    operation: 'templates.create',
    method: 'POST',
    path: '/v3/templates',
    handler: (req, ctx) => {
      const input = parse(CreateTemplateParams, body(req))
      if (ctx.state.templates.size >= MAX_TEMPLATES)
        fail(sgError(400, 'You have reached the maximum number of templates (300).', 'name'))
      const generation = input.generation ?? 'legacy'
      const id = generation === 'dynamic' ? `d-${ctx.ids.mint('', 32, 'hex')}` : ctx.ids.uuid()
      const template = ctx.state.templates.insert({
        id,
        name: input.name,
        generation,
        updated_at: sgDateTime(ctx.clock.now()),
        versions: [],
      })
      return { status: 201, body: template }
    },
  }),
  sgRoute({
    operation: 'templates.list',
    method: 'GET',
    path: '/v3/templates',
    handler: (req, ctx) => {
      const query = parse(ListQuery, req.query)
      const wanted = (query.generations ?? 'legacy').split(',')
      const all = ctx.state.templates.filter((t) => wanted.includes(t.generation))
      const start = query.page_token
        ? Math.max(
            0,
            all.findIndex((t) => t.id === query.page_token),
          )
        : 0
      const page = all.slice(start, start + query.page_size)
      const next = all[start + query.page_size]
      const self = `${ctx.baseUrl}/v3/templates`
      return {
        status: 200,
        body: {
          result: page.map(lean),
          _metadata: { self, ...(next ? { next: `${self}?page_token=${next.id}` } : {}), count: all.length },
        },
      }
    },
  }),
  sgRoute({
    operation: 'templates.get',
    method: 'GET',
    path: '/v3/templates/:template_id',
    handler: (req, ctx) => ({ status: 200, body: lean(findTemplate(ctx, req.params.template_id!)) }),
  }),
  sgRoute({
    operation: 'templates.duplicate',
    method: 'POST',
    path: '/v3/templates/:template_id',
    handler: (req, ctx) => {
      const source = findTemplate(ctx, req.params.template_id!)
      const input = parse(z.object({ name: z.string().max(100).optional() }), body(req))
      const id = source.generation === 'dynamic' ? `d-${ctx.ids.mint('', 32, 'hex')}` : ctx.ids.uuid()
      const copy: Template = {
        id,
        name: input.name ?? `Duplicate: ${source.name}`,
        generation: source.generation,
        updated_at: sgDateTime(ctx.clock.now()),
        versions: source.versions.map((v) => ({ ...v, id: ctx.ids.uuid(), template_id: id })),
      }
      return { status: 201, body: lean(ctx.state.templates.insert(copy)) }
    },
  }),
  sgRoute({
    operation: 'templates.update',
    method: 'PATCH',
    path: '/v3/templates/:template_id',
    handler: (req, ctx) => {
      const template = findTemplate(ctx, req.params.template_id!)
      const input = parse(z.object({ name: z.string().max(100).optional() }), body(req))
      if (input.name !== undefined) template.name = input.name
      template.updated_at = sgDateTime(ctx.clock.now())
      return { status: 200, body: lean(template) }
    },
  }),
  sgRoute({
    operation: 'templates.delete',
    method: 'DELETE',
    path: '/v3/templates/:template_id',
    handler: (req, ctx) => {
      findTemplate(ctx, req.params.template_id!)
      ctx.state.templates.delete(req.params.template_id!)
      return noContent()
    },
  }),
  sgRoute({
    operation: 'templates.versions.create',
    method: 'POST',
    path: '/v3/templates/:template_id/versions',
    handler: (req, ctx) => {
      const template = findTemplate(ctx, req.params.template_id!)
      const input = parse(VersionParams, body(req))
      checkHandlebars(template, input)
      const version: TemplateVersion = {
        id: ctx.ids.uuid(),
        template_id: template.id,
        active: 0,
        name: input.name,
        html_content: input.html_content ?? '',
        plain_content: input.plain_content ?? '',
        generate_plain_content: input.generate_plain_content ?? true,
        subject: input.subject,
        editor: input.editor ?? 'code',
        ...(input.test_data !== undefined ? { test_data: input.test_data } : {}),
        updated_at: '',
      }
      applyVersion(ctx, template, version, input.active)
      template.versions.push(version)
      return { status: 201, body: version }
    },
  }),
  sgRoute({
    operation: 'templates.versions.get',
    method: 'GET',
    path: '/v3/templates/:template_id/versions/:version_id',
    handler: (req, ctx) => ({
      status: 200,
      body: findVersion(findTemplate(ctx, req.params.template_id!), req.params.version_id!),
    }),
  }),
  sgRoute({
    operation: 'templates.versions.update',
    method: 'PATCH',
    path: '/v3/templates/:template_id/versions/:version_id',
    handler: (req, ctx) => {
      const template = findTemplate(ctx, req.params.template_id!)
      const version = findVersion(template, req.params.version_id!)
      const input = parse(VersionParams.partial(), body(req))
      checkHandlebars(template, input)
      const { active, ...rest } = input
      for (const [key, value] of Object.entries(rest))
        if (value !== undefined) Object.assign(version, { [key]: value })
      applyVersion(ctx, template, version, active)
      return { status: 200, body: version }
    },
  }),
  sgRoute({
    operation: 'templates.versions.delete',
    method: 'DELETE',
    path: '/v3/templates/:template_id/versions/:version_id',
    handler: (req, ctx) => {
      const template = findTemplate(ctx, req.params.template_id!)
      const version = findVersion(template, req.params.version_id!)
      template.versions = template.versions.filter((v) => v !== version)
      return noContent()
    },
  }),
  sgRoute({
    operation: 'templates.versions.activate',
    method: 'POST',
    path: '/v3/templates/:template_id/versions/:version_id/activate',
    handler: (req, ctx) => {
      const template = findTemplate(ctx, req.params.template_id!)
      const version = findVersion(template, req.params.version_id!)
      applyVersion(ctx, template, version, 1)
      return { status: 200, body: version }
    },
  }),
]
