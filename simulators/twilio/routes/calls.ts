import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { twilioError } from '../errors.ts'
import { endCall, startCallLifecycle } from '../lifecycle.ts'
import { API_VERSION, CALL_ENDED, CallEvent, rfc2822, type StoredCall, type TwilioState } from '../models.ts'
import { apiPage } from '../paging.ts'
import { int, list, Paging, param } from '../params.ts'
import { formatNumber, parseSender, toE164 } from '../phone.ts'
import { notFound, twilioRoute } from '../route.ts'
import { CALL_FROM, CALL_OUTCOMES, CALL_TO } from '../test-values.ts'
import { validCallbackUrl } from './messages.ts'

/** Programmable Voice, enough for an app that places calls: create, fetch, list, hang up. */

const CallCreate = z.object({
  To: param,
  From: param,
  Url: param,
  Twiml: param,
  ApplicationSid: param,
  StatusCallback: param,
  StatusCallbackEvent: list,
  Timeout: int(1, 600),
  TimeLimit: int(1, 14_400),
})

/** A call destination: a number, or a Twilio Client / SIP address Twilio takes as is. */
function destination(raw: string): string | undefined {
  if (/^(client|sip):\S+$/i.test(raw.trim())) return raw.trim()
  return toE164(raw)
}

/** What the callee hears: the text of the TwiML's <Say> verbs (voice OTPs land in the inbox from it). */
function spoken(twiml: string): string {
  return [...twiml.matchAll(/<Say\b[^>]*>([\s\S]*?)<\/Say>/gi)].map((m) => m[1]!.trim()).join(' ')
}

function createCall(ctx: ProviderContext<TwilioState>, input: z.output<typeof CallCreate>): StoredCall {
  if (!input.To) throw twilioError('21201')
  if (!input.From) throw twilioError('21213')
  const to = destination(input.To)
  if (!to) throw twilioError('21217', { to: input.To })
  const from = parseSender(input.From)
  if (!from) throw twilioError('21212', { from: input.From })
  const magicFrom = CALL_FROM[from]
  if (magicFrom) throw twilioError(magicFrom, { from })
  const instructions = [input.Url, input.Twiml, input.ApplicationSid].filter(
    (v) => v !== undefined && v !== '',
  )
  if (instructions.length === 0)
    throw twilioError('20001', { message: "Either 'Url', 'Twiml' or 'ApplicationSid' must be specified" })
  if (input.Url && !validCallbackUrl(input.Url)) throw twilioError('21205', { url: input.Url })
  if (input.StatusCallback && !validCallbackUrl(input.StatusCallback))
    throw twilioError('21609', { url: input.StatusCallback })
  const events = input.StatusCallbackEvent.length > 0 ? input.StatusCallbackEvent : ['completed']
  const parsedEvents = events.map((e) => CallEvent.safeParse(e))
  if (parsedEvents.some((e) => !e.success))
    throw twilioError('20001', { message: 'Invalid StatusCallbackEvent' })
  const magicTo = CALL_TO[to]
  if (magicTo) throw twilioError(magicTo, { to })

  const now = ctx.clock.now()
  const account = ctx.state.accountSid
  const sid = ctx.ids.mint('CA', 32, 'hex')
  const uri = `/${API_VERSION}/Accounts/${account}/Calls/${sid}`
  const call: StoredCall = {
    id: sid,
    statusCallback: input.StatusCallback || undefined,
    events: parsedEvents.map((e) => e.data!),
    sequence: 0,
    outcome: CALL_OUTCOMES[to] ?? 'completed',
    talkSeconds: Math.min(input.TimeLimit ?? 14_400, 10),
    answeredAt: undefined,
    timers: [],
    wire: {
      account_sid: account,
      annotation: null,
      answered_by: null,
      api_version: API_VERSION,
      caller_name: null,
      date_created: rfc2822(now),
      date_updated: rfc2822(now),
      direction: 'outbound-api',
      duration: null,
      end_time: null,
      forwarded_from: null,
      from,
      from_formatted: formatNumber(from),
      group_sid: null,
      parent_call_sid: null,
      phone_number_sid: null,
      price: null,
      price_unit: 'USD',
      queue_time: '0',
      sid,
      start_time: null,
      status: 'queued',
      subresource_uris: {
        notifications: `${uri}/Notifications.json`,
        recordings: `${uri}/Recordings.json`,
        events: `${uri}/Events.json`,
      },
      to,
      to_formatted: formatNumber(to),
      trunk_sid: null,
      uri: `${uri}.json`,
    },
  }
  ctx.state.calls.insert(call)
  const said = input.Twiml ? spoken(input.Twiml) : ''
  if (call.outcome === 'completed' && said !== '')
    ctx.inbox.capture({ channel: 'voice', to, from, text: said, meta: { sid, twiml: input.Twiml } })
  startCallLifecycle(ctx, call)
  return call
}

function findCall(ctx: ProviderContext<TwilioState>, sid: string | undefined) {
  return sid === undefined ? undefined : ctx.state.calls.get(sid)
}

export const callRoutes = [
  ...twilioRoute({
    operation: 'calls.create',
    method: 'POST',
    product: 'api',
    path: '/Accounts/:AccountSid/Calls.json',
    input: CallCreate,
    handler: (_req, ctx, input) => ({ status: 201, body: createCall(ctx, input).wire }),
  }),
  ...twilioRoute({
    operation: 'calls.list',
    method: 'GET',
    product: 'api',
    path: '/Accounts/:AccountSid/Calls.json',
    input: z.object({ To: param, From: param, Status: param, ...Paging }),
    handler: (_req, ctx, input) => ({
      status: 200,
      body: apiPage(ctx.state.calls, {
        key: 'calls',
        path: `/${API_VERSION}/Accounts/${ctx.state.accountSid}/Calls.json`,
        filters: { To: input.To, From: input.From, Status: input.Status },
        pageSize: input.PageSize,
        page: input.Page,
        where: (c) =>
          (input.To === undefined || c.wire.to === input.To) &&
          (input.From === undefined || c.wire.from === input.From) &&
          (input.Status === undefined || c.wire.status === input.Status),
        wire: (c) => c.wire,
      }),
    }),
  }),
  ...twilioRoute({
    operation: 'calls.fetch',
    method: 'GET',
    product: 'api',
    path: '/Accounts/:AccountSid/Calls/:Sid.json',
    handler: (req, ctx) => {
      const call = findCall(ctx, req.params.Sid)
      if (!call) throw notFound(req)
      return { status: 200, body: call.wire }
    },
  }),
  ...twilioRoute({
    operation: 'calls.update',
    method: 'POST',
    product: 'api',
    path: '/Accounts/:AccountSid/Calls/:Sid.json',
    input: z.object({ Status: param, Url: param, Twiml: param }),
    handler: (req, ctx, input) => {
      const call = findCall(ctx, req.params.Sid)
      if (!call) throw notFound(req)
      if (input.Status !== undefined && input.Status !== 'canceled' && input.Status !== 'completed')
        throw twilioError('20001', { message: `Invalid Status: ${input.Status}` })
      if (CALL_ENDED.includes(call.wire.status)) throw twilioError('21220')
      if (input.Status === 'canceled') {
        if (call.wire.status === 'in-progress') throw twilioError('21220')
        endCall(ctx, call, 'canceled')
      } else if (input.Status === 'completed') {
        // Hanging up a call that was never answered cancels it.
        endCall(ctx, call, call.wire.status === 'in-progress' ? 'completed' : 'canceled')
      }
      return { status: 200, body: call.wire }
    },
  }),
]
