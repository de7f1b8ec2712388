import type { PlainRequest } from '../core/http.ts'
import type { ProviderResponses } from '../core/provider.ts'
import { twilioBody, twilioResponse } from './errors.ts'
import { resourcePath } from './route.ts'

/**
 * How Twilio answers what never reaches a route handler.
 *
 * A body Twilio cannot read as a form (malformed JSON, XML, a broken
 * multipart) carries no parameters for it, so the answer is the one a request
 * without parameters gets on that path: 21604 for a message, 21201 for a call,
 * Verify's 60200 naming the first required parameter.
 */
function missingParams(req: PlainRequest) {
  const path = req.path
  // Only a POST has parameters in its body; anything else refused before routing (a URL fastify cannot decode) is not found.
  if (req.method !== 'POST') return twilioResponse('20404', { resource: resourcePath(path) })
  if (/\/Messages\.json$/.test(path)) return twilioResponse('21604')
  if (/\/Calls\.json$/.test(path)) return twilioResponse('21201')
  if (/\/Verifications\/?$/.test(path)) return twilioResponse('60200', { param: 'To' })
  if (/\/VerificationCheck\/?$/.test(path)) return twilioResponse('60200', { param: 'Code' })
  if (/\/v2\/Services\/?$/.test(path)) return twilioResponse('60200', { param: 'FriendlyName' })
  return twilioResponse('20001', { message: 'Invalid request body' })
}

export const responses: ProviderResponses = {
  notFound: (req) => twilioResponse('20404', { resource: resourcePath(req.path) }),
  methodNotAllowed: () => twilioResponse('20004'),
  invalidBody: (req, problem) =>
    problem === 'too-large'
      ? // @note Twilio's answer to an oversized request is not documented; 413 in Twilio's error shape.
        { status: 413, body: twilioBody(413, 20001, 'Request entity too large') }
      : missingParams(req),
  invalidInput: (_req, issues) => {
    const issue = issues[0]
    const param = issue ? String(issue.path[0] ?? '') : ''
    return twilioResponse('20001', { message: `Invalid value for parameter ${param}` })
  },
  internalError: () => twilioResponse('20500'),
}
