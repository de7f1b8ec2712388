import type { z } from 'zod'
import { compiledParser } from '../core/compiled-parser.ts'
import { formPairs } from '../core/form.ts'
import { type PlainRequest, type PlainResponse, splitUrl } from '../core/http.ts'
import { type HttpMethod, type ProviderContext, type RouteDefinition, routesFor } from '../core/provider.ts'
import { twilioError } from './errors.ts'
import type { TwilioState } from './models.ts'

/**
 * Twilio's products, each on its own host. One port serves them all: a route
 * matches by the Host header the client keeps (`verify.twilio.com`) or, for
 * clients that can only change a base URL, by a product path prefix
 * (`/verify/v2/...`). The 2010-04-01 API's paths are unique, so they match
 * on any host.
 */
export const PRODUCTS = {
  api: { host: 'api.twilio.com', version: '/2010-04-01', prefix: '' },
  verify: { host: 'verify.twilio.com', version: '/v2', prefix: '/verify' },
} as const
export type Product = keyof typeof PRODUCTS

/** Params as Twilio reads them: flat form keys; a repeated key (`MediaUrl`, `StatusCallbackEvent`) is a list. */
export type Params = Record<string, string | string[]>

/**
 * The request's parameters: the query for GET and DELETE, else the body as
 * {@link decodeBody} read it.
 */
export function paramsOf(req: PlainRequest): Params {
  if (req.method === 'GET' || req.method === 'DELETE') return flatForm(splitUrl(req.url).search)
  return (req.body as Params | undefined) ?? flatForm('')
}

/**
 * The provider's `decode`: Twilio reads only forms, as flat keys (a repeated
 * key is a list), so a JSON body carries no parameters for it (a JSON message
 * create is 21604 "To is required", as on Twilio). Handlers, fault rules and
 * the journal all see this.
 */
export function decodeBody(req: PlainRequest): Params {
  let text = ''
  if (req.contentType === undefined || req.contentType === 'application/x-www-form-urlencoded') {
    text = req.rawBody.toString('utf8')
    // A body without a content type that is not a form (JSON, binary) is not read as one.
    if (req.contentType === undefined && /^\s*[[{]/.test(text)) text = ''
  }
  return flatForm(text)
}

function flatForm(text: string): Params {
  // No prototype: a `__proto__` key in a form is a plain (ignored) parameter, never the object's prototype.
  const out: Params = Object.create(null)
  for (const [key, value] of formPairs(text)) {
    const seen = out[key]
    if (seen === undefined) out[key] = value
    else out[key] = Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  return out
}

/** The resource path Twilio names in a 20404 message: Verify's without its version, the 2010 API's whole. */
export function resourcePath(path: string): string {
  const verify = /^(?:\/verify)?\/v2(\/.*)$/.exec(path)
  return verify ? verify[1]! : path
}

export function notFound(req: PlainRequest) {
  return twilioError('20404', { resource: resourcePath(req.path) })
}

/** Absolute base of a product for `url` fields and Verify's paging links: Twilio's host when the client sent it, else the prefix on this port. */
export function productBase(req: PlainRequest, ctx: ProviderContext<TwilioState>, product: Product): string {
  const p = PRODUCTS[product]
  return req.host === p.host ? `https://${p.host}${p.version}` : `${ctx.baseUrl}${p.prefix}${p.version}`
}

const VERIFY_BASE = `https://${PRODUCTS.verify.host}${PRODUCTS.verify.version}`

/** The real Verify base that stored resources carry in their `url` fields. */
export function verifyBase(): string {
  return VERIFY_BASE
}

/**
 * Verify resources carry absolute `url`s. They are stored with Twilio's own
 * base and rewritten per request to where this client reaches Verify, so a
 * client on the `/verify` prefix can follow them.
 */
function localizeUrls(
  req: PlainRequest,
  ctx: ProviderContext<TwilioState>,
  response: PlainResponse,
): PlainResponse {
  const base = productBase(req, ctx, 'verify')
  if (base === VERIFY_BASE || response.body === undefined) return response
  return { ...response, body: JSON.parse(JSON.stringify(response.body).replaceAll(VERIFY_BASE, base)) }
}

interface TwilioRouteSpec<Schema extends z.ZodType> {
  operation: string
  method: HttpMethod
  product: Product
  /** Path after the product's version: `/Accounts/:AccountSid/Messages.json`, `/Services/:ServiceSid`. */
  path: string
  /** Parsed from {@link paramsOf}; a failure is the product's "invalid parameter" error. */
  input?: Schema
  handler: (req: PlainRequest, ctx: ProviderContext<TwilioState>, input: z.output<Schema>) => PlainResponse
}

const route = routesFor<TwilioState>()

/**
 * A Twilio route, on its product's host and path prefix. The credentials
 * (`authenticate`) and the 20429 limit (a pre-validation hook) come first;
 * the parameters are then read with the product's own "invalid parameter" error.
 */
export function twilioRoute<Schema extends z.ZodType>(
  spec: TwilioRouteSpec<Schema>,
): RouteDefinition<TwilioState, z.ZodType>[] {
  const p = PRODUCTS[spec.product]
  const handler = (req: PlainRequest, ctx: ProviderContext<TwilioState>) => {
    let input: unknown
    if (spec.input) {
      const parsed = compiledParser(spec.input).safeParse(paramsOf(req))
      if (!parsed.success) throw invalidParameter(spec.product, parsed.error.issues)
      input = parsed.data
    }
    const response = spec.handler(req, ctx, input as z.output<Schema>)
    return spec.product === 'verify' ? localizeUrls(req, ctx, response) : response
  }
  const common = { operation: spec.operation, method: spec.method, handler }
  if (spec.product === 'api') return [route({ ...common, path: `${p.version}${spec.path}` })]
  return [
    route({ ...common, path: `${p.version}${spec.path}`, hosts: [p.host] }),
    route({ ...common, path: `${p.prefix}${p.version}${spec.path}` }),
  ]
}

/** A parameter that does not parse: Verify's 60200 "Invalid parameter: X", the 2010 API's 20001. */
export function invalidParameter(product: Product, issues: readonly z.core.$ZodIssue[]) {
  const issue = issues[0]
  const param = issue
    ? issue.code === 'unrecognized_keys'
      ? issue.keys[0]
      : String(issue.path[0] ?? '')
    : ''
  if (product === 'verify') return twilioError('60200', { param })
  return twilioError('20001', { message: `Invalid value for parameter ${param}` })
}

/** A single value of a param that may have been repeated (the last one wins, as most form readers do). */
export function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value
}

/** A list param (`MediaUrl`, `StatusCallbackEvent`). */
export function many(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}
