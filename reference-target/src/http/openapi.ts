import { z } from 'zod'
import { ErrorBody } from '../flows/schemas.ts'
import type { RouteSpec } from './api.ts'

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: schema(ErrorBody) } },
})

const WEBHOOKS: { path: string; summary: string; header: string }[] = [
  {
    path: '/webhooks/stripe',
    summary: 'Stripe events (Stripe-Signature, 5-minute tolerance, dedupe by event id).',
    header: 'Stripe-Signature',
  },
  {
    path: '/webhooks/razorpay',
    summary: 'Razorpay events (X-Razorpay-Signature HMAC of the raw body, dedupe by X-Razorpay-Event-Id).',
    header: 'X-Razorpay-Signature',
  },
  {
    path: '/webhooks/toss',
    summary:
      'Toss PAYMENT_STATUS_CHANGED / DEPOSIT_CALLBACK (unsigned: the payment is re-fetched from the API).',
    header: 'tosspayments-webhook-transmission-id',
  },
  {
    path: '/webhooks/twilio/status',
    summary: 'Twilio message status callbacks (X-Twilio-Signature over the public URL and form).',
    header: 'X-Twilio-Signature',
  },
  {
    path: '/webhooks/sendgrid',
    summary: 'SendGrid Event Webhook (ECDSA signature + timestamp, dedupe by sg_event_id).',
    header: 'X-Twilio-Email-Event-Webhook-Signature',
  },
]

/** The public contract: built from the same zod schemas the routes validate with. */
export function buildOpenApi(routes: RouteSpec[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}')
    const parameters: unknown[] = []
    for (const [where, s] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!s) continue
      const js = schema(s) as { properties?: Record<string, unknown>; required?: string[] }
      for (const [name, prop] of Object.entries(js.properties ?? {}))
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: prop,
        })
    }
    const responses: Record<string, unknown> = {
      [String(r.status ?? 200)]: r.response
        ? { description: 'OK', content: { 'application/json': { schema: schema(r.response) } } }
        : { description: 'OK' },
      400: errorResponse('Invalid input: error.field names the field.'),
    }
    if (r.auth !== false) responses[401] = errorResponse('Missing or unknown bearer token.')
    for (const [status, why] of Object.entries(r.errors ?? {})) responses[status] = errorResponse(why)
    paths[path] ??= {}
    paths[path][r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === false ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body) } } } }
        : {}),
      responses,
    }
  }
  for (const w of WEBHOOKS)
    paths[w.path] = {
      post: {
        operationId: `webhook${w.path.split('/')[2]!.replace(/^./, (c) => c.toUpperCase())}`,
        summary: w.summary,
        tags: ['webhooks'],
        security: [],
        parameters: [{ name: w.header, in: 'header', required: false, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { '*/*': { schema: { type: 'string', description: 'the raw provider body' } } },
        },
        responses: {
          200: { description: 'Stored (or a duplicate); processed in the background.' },
          400: errorResponse('Bad signature, stale timestamp or malformed body.'),
        },
      },
    }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Reference target API',
      version: '1.0.0',
      description:
        'A dating-style app with phone sign-up, credits, matching, chat, gift cards and calls, paid through Stripe, Razorpay and Toss. Money is in minor units. Errors are { error: { code, message, field } }.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Session token from POST /v1/auth/otp/verify',
        },
      },
    },
    paths,
  }
}
