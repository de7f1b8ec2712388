import { z } from 'zod'
import type { ProviderContext } from '../../core/provider.ts'
import { twilioError } from '../errors.ts'
import { cancelScheduled, captureInInbox, startMessageLifecycle } from '../lifecycle.ts'
import { API_VERSION, type Message, rfc2822, type StoredMessage, type TwilioState } from '../models.ts'
import { apiPage } from '../paging.ts'
import { list, Paging, param } from '../params.ts'
import { parseAddress, parseSender, segmentsOf } from '../phone.ts'
import { notFound, twilioRoute } from '../route.ts'
import { DELIVERY_FAILURES, LANDLINES, MESSAGE_FROM, MESSAGE_TO } from '../test-values.ts'

/** Programmable Messaging: `/2010-04-01/Accounts/{AccountSid}/Messages.json`. */

const MessageCreate = z.object({
  To: param,
  From: param,
  MessagingServiceSid: param,
  Body: param,
  MediaUrl: list,
  StatusCallback: param,
  ScheduleType: param,
  SendAt: param,
})

const MessageList = z.object({ To: param, From: param, ...Paging })

const MAX_BODY = 1600
/** Message Scheduling (35115 page): SendAt more than 5 minutes and at most 35 days ahead. */
const SCHEDULE_WINDOW = { minMs: 300_000, maxMs: 35 * 86_400_000 }
const SERVICE_SID = /^MG[0-9a-fA-F]{32}$/

/** A URL Twilio can call back: http(s) with a host, no underscore in it (Twilio refuses those). */
export function validCallbackUrl(raw: string): boolean {
  try {
    const url = new URL(raw)
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      !url.hostname.includes('_')
    )
  } catch {
    return false
  }
}

function messagesPath(account: string) {
  return `/${API_VERSION}/Accounts/${account}/Messages`
}

/** Twilio's checks of a create, in the order it reports them; the first failure is the answer. */
function validate(ctx: ProviderContext<TwilioState>, input: z.output<typeof MessageCreate>) {
  if (input.To === undefined || input.To.trim() === '') throw twilioError('21604')
  const to = parseAddress(input.To)
  if (!to) throw twilioError('21211', { to: input.To })
  const magicTo = MESSAGE_TO[to.number]
  if (magicTo === '21211') throw twilioError('21211', { to: input.To })
  const hasFrom = input.From !== undefined && input.From !== ''
  const hasService = input.MessagingServiceSid !== undefined && input.MessagingServiceSid !== ''
  if (!hasFrom && !hasService) throw twilioError('21603')
  let from: string | null = null
  if (hasFrom) {
    from = parseSender(input.From!) ?? null
    if (from === null) throw twilioError('21212', { from: input.From })
    const magicFrom = MESSAGE_FROM[from]
    if (magicFrom) throw twilioError(magicFrom, { from })
  }
  if (hasService && !SERVICE_SID.test(input.MessagingServiceSid!))
    throw twilioError('20404', { resource: `/Services/${input.MessagingServiceSid}` })
  const body = input.Body ?? ''
  if (body === '' && input.MediaUrl.length === 0) throw twilioError('21602')
  if (body.length > MAX_BODY) throw twilioError('21617')
  if (input.MediaUrl.length > 10)
    throw twilioError('20001', {
      message: 'Too many media urls. Twilio supports at most 10 MediaUrl per message.',
    })
  if (
    input.StatusCallback !== undefined &&
    input.StatusCallback !== '' &&
    !validCallbackUrl(input.StatusCallback)
  )
    throw twilioError('21609', { url: input.StatusCallback })
  const sendAt = scheduleOf(ctx, input, hasService)
  if (magicTo) throw twilioError(magicTo, { to: to.address, from: from ?? '' })
  const state = ctx.state
  if (state.optedOut.has(to.number)) throw twilioError('21610')
  if (to.channel === 'sms' && (LANDLINES.has(to.number) || state.landlines.has(to.number)))
    throw twilioError('21614', { to: to.address })
  if (state.trial && !state.verifiedNumbers.has(to.number)) throw twilioError('21608', { to: to.address })
  return { to, from, body, sendAt }
}

/** When a scheduled message goes out (virtual epoch ms), or undefined for an immediate one. */
function scheduleOf(
  ctx: ProviderContext<TwilioState>,
  input: z.output<typeof MessageCreate>,
  hasService: boolean,
) {
  if (input.ScheduleType === undefined || input.ScheduleType === '') return undefined
  if (input.ScheduleType !== 'fixed') throw twilioError('35126')
  if (!input.SendAt) throw twilioError('35111')
  if (!hasService) throw twilioError('35118')
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(input.SendAt)
    ? Date.parse(input.SendAt)
    : Number.NaN
  const ahead = at - ctx.clock.now()
  if (!Number.isFinite(at) || ahead <= SCHEDULE_WINDOW.minMs || ahead > SCHEDULE_WINDOW.maxMs)
    throw twilioError('35115')
  return at
}

/** The outcome of every message to an ordinary number: one shared object, read only. */
const DELIVERED: StoredMessage['outcome'] = Object.freeze({
  status: 'delivered',
  errorCode: null,
  errorMessage: null,
})

export function createMessage(
  ctx: ProviderContext<TwilioState>,
  input: z.output<typeof MessageCreate>,
): StoredMessage {
  const { to, from, body, sendAt } = validate(ctx, input)
  const now = ctx.clock.now()
  const account = ctx.state.accountSid
  const sid = ctx.ids.mint(input.MediaUrl.length > 0 ? 'MM' : 'SM', 32, 'hex')
  const uri = `${messagesPath(account)}/${sid}`
  const service = input.MessagingServiceSid || null
  const wire: Message = {
    account_sid: account,
    api_version: API_VERSION,
    body,
    date_created: rfc2822(now),
    date_sent: null,
    date_updated: rfc2822(now),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from,
    messaging_service_sid: service,
    num_media: String(input.MediaUrl.length),
    num_segments: String(segmentsOf(body).segments),
    price: null,
    price_unit: 'USD',
    sid,
    // With a Messaging Service and no From, Twilio picks the sender later: the message starts `accepted`.
    status: sendAt !== undefined ? 'scheduled' : service && !from ? 'accepted' : 'queued',
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: to.address,
    uri: `${uri}.json`,
  }
  const failure = DELIVERY_FAILURES[to.number]
  const message: StoredMessage = {
    id: sid,
    wire,
    statusCallback: input.StatusCallback || undefined,
    outcome: failure ?? DELIVERED,
    sendAt,
    mediaUrls: input.MediaUrl,
  }
  ctx.state.messages.insert(message)
  // The phone "receives" it now, so journeys find an OTP without waiting for the clock; a scheduled one lands when it goes out.
  if (sendAt === undefined) captureInInbox(ctx, message)
  startMessageLifecycle(ctx, message)
  return message
}

function findMessage(ctx: ProviderContext<TwilioState>, sid: string | undefined) {
  return sid === undefined ? undefined : ctx.state.messages.get(sid)
}

export const messageRoutes = [
  ...twilioRoute({
    operation: 'messages.create',
    method: 'POST',
    product: 'api',
    path: '/Accounts/:AccountSid/Messages.json',
    input: MessageCreate,
    handler: (_req, ctx, input) => ({ status: 201, body: createMessage(ctx, input).wire }),
  }),
  ...twilioRoute({
    operation: 'messages.list',
    method: 'GET',
    product: 'api',
    path: '/Accounts/:AccountSid/Messages.json',
    input: MessageList,
    handler: (_req, ctx, input) => {
      // Filters match however the number was written (`+1 415…` finds `+1415…`).
      const to = input.To === undefined ? undefined : (parseAddress(input.To)?.address ?? input.To)
      const from = input.From === undefined ? undefined : (parseSender(input.From) ?? input.From)
      return {
        status: 200,
        body: apiPage(ctx.state.messages, {
          key: 'messages',
          path: `${messagesPath(ctx.state.accountSid)}.json`,
          filters: { To: input.To, From: input.From },
          pageSize: input.PageSize,
          page: input.Page,
          where: (m) =>
            (to === undefined || m.wire.to === to) && (from === undefined || m.wire.from === from),
          wire: (m) => m.wire,
        }),
      }
    },
  }),
  ...twilioRoute({
    operation: 'messages.fetch',
    method: 'GET',
    product: 'api',
    path: '/Accounts/:AccountSid/Messages/:Sid.json',
    handler: (req, ctx) => {
      const message = findMessage(ctx, req.params.Sid)
      if (!message) throw notFound(req)
      return { status: 200, body: message.wire }
    },
  }),
  ...twilioRoute({
    operation: 'messages.update',
    method: 'POST',
    product: 'api',
    path: '/Accounts/:AccountSid/Messages/:Sid.json',
    input: z.object({ Body: param, Status: param }),
    handler: (req, ctx, input) => {
      const message = findMessage(ctx, req.params.Sid)
      if (!message) throw notFound(req)
      // Body="" redacts a message's body (the only update an unscheduled message takes).
      if (input.Body !== undefined) {
        if (input.Body !== '')
          throw twilioError('20001', {
            message: 'Message body can only be redacted (set to an empty string).',
          })
        message.wire.body = ''
        message.wire.date_updated = rfc2822(ctx.clock.now())
      }
      if (input.Status !== undefined) {
        if (input.Status !== 'canceled')
          throw twilioError('20001', { message: `Invalid Status: ${input.Status}` })
        if (message.wire.status !== 'scheduled')
          throw twilioError('20001', { message: 'Only scheduled messages can be canceled.' })
        cancelScheduled(ctx, message)
      }
      return { status: 200, body: message.wire }
    },
  }),
  ...twilioRoute({
    operation: 'messages.delete',
    method: 'DELETE',
    product: 'api',
    path: '/Accounts/:AccountSid/Messages/:Sid.json',
    handler: (req, ctx) => {
      if (!ctx.state.messages.delete(req.params.Sid ?? '')) throw notFound(req)
      return { status: 204 }
    },
  }),
]
