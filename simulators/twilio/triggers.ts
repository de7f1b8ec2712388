import { z } from 'zod'
import { HarnessError } from '../core/errors.ts'
import type { TriggerSpec } from '../core/provider.ts'
import { API_VERSION, rfc2822, type TwilioState } from './models.ts'
import { segmentsOf, toE164 } from './phone.ts'
import { validCallbackUrl } from './routes/messages.ts'
import { emitStatusCallback } from './webhooks.ts'

/**
 * Account facts the simulator cannot learn from the API, set by a journey or
 * test through the control plane (`POST /_standin/.../triggers/<name>`), the
 * way a real account gets them from the console or from a recipient.
 */

function numbers(params: Record<string, unknown>, field: string): string[] {
  const raw = params[field]
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  return list.map((value) => {
    const number = toE164(String(value))
    if (!number)
      throw new HarnessError(
        'STANDIN_BAD_REQUEST',
        `Failed to run the trigger: '${String(value)}' is not an E.164 number. Use +<country><number>.`,
        {
          field,
        },
      )
    return number
  })
}

/** Twilio's default opt-out and opt-in keywords (Advanced Opt-Out off). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'])
const OPT_IN = new Set(['START', 'YES', 'UNSTOP'])

const Inbound = z.object({
  from: z.string(),
  to: z.string(),
  body: z.string().max(1600),
  url: z.string().optional().describe("the app's incoming-message webhook URL"),
})

const Trial = z.object({ trial: z.boolean().default(true), verified: z.array(z.string()).optional() })

export const triggers: Record<string, TriggerSpec<TwilioState>> = {
  'message.inbound': {
    summary:
      "a phone texts one of the account's numbers: an inbound Message is stored, the app's webhook (params.url) gets Twilio's signed form, and STOP/START keywords opt the sender out/in (params: { from, to, body, url? })",
    run: (ctx, params) => {
      const parsed = Inbound.safeParse(params)
      if (!parsed.success)
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          'Failed to run the trigger: expected { from, to, body, url? } with E.164 numbers.',
        )
      const [from] = numbers({ from: parsed.data.from }, 'from')
      const [to] = numbers({ to: parsed.data.to }, 'to')
      const { body, url } = parsed.data
      if (url !== undefined && !validCallbackUrl(url))
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          `Failed to run the trigger: '${url}' is not an http(s) URL.`,
          { field: 'url' },
        )
      const now = ctx.clock.now()
      const account = ctx.state.accountSid
      const sid = ctx.ids.mint('SM', 32, 'hex')
      const uri = `/${API_VERSION}/Accounts/${account}/Messages/${sid}`
      const segments = String(segmentsOf(body).segments)
      ctx.state.messages.insert({
        id: sid,
        statusCallback: undefined,
        outcome: { status: 'delivered', errorCode: null, errorMessage: null },
        sendAt: undefined,
        mediaUrls: [],
        wire: {
          account_sid: account,
          api_version: API_VERSION,
          body,
          date_created: rfc2822(now),
          date_sent: rfc2822(now),
          date_updated: rfc2822(now),
          direction: 'inbound',
          error_code: null,
          error_message: null,
          from: from!,
          messaging_service_sid: null,
          num_media: '0',
          num_segments: segments,
          price: null,
          price_unit: 'USD',
          sid,
          status: 'received',
          subresource_uris: { media: `${uri}/Media.json` },
          to: to!,
          uri: `${uri}.json`,
        },
      })
      const keyword = body.trim().toUpperCase()
      if (OPT_OUT.has(keyword)) ctx.state.optedOut.add(from!)
      if (OPT_IN.has(keyword)) ctx.state.optedOut.delete(from!)
      emitStatusCallback(ctx, {
        type: 'message.inbound',
        url,
        params: {
          AccountSid: account,
          ApiVersion: API_VERSION,
          Body: body,
          From: from!,
          MessageSid: sid,
          NumMedia: '0',
          NumSegments: segments,
          SmsMessageSid: sid,
          SmsSid: sid,
          SmsStatus: 'received',
          To: to!,
        },
      })
      return { sid, optedOut: ctx.state.optedOut.has(from!) }
    },
  },
  'recipient.opted_out': {
    summary: 'the recipients replied STOP: messages to them fail 21610 (params: { numbers: [...] })',
    run: (ctx, params) => {
      for (const n of numbers(params, 'numbers')) ctx.state.optedOut.add(n)
      return { optedOut: [...ctx.state.optedOut] }
    },
  },
  'recipient.opted_in': {
    summary: 'the recipients replied START again (params: { numbers: [...] })',
    run: (ctx, params) => {
      for (const n of numbers(params, 'numbers')) ctx.state.optedOut.delete(n)
      return { optedOut: [...ctx.state.optedOut] }
    },
  },
  'number.landline': {
    summary: 'the numbers are landlines: SMS fails 21614, Verify sms 60205 (params: { numbers: [...] })',
    run: (ctx, params) => {
      for (const n of numbers(params, 'numbers')) ctx.state.landlines.add(n)
      return { landlines: [...ctx.state.landlines] }
    },
  },
  'account.trial': {
    summary:
      'a trial account: messages to unverified numbers fail 21608 (params: { trial?: true, verified?: [...] })',
    run: (ctx, params) => {
      const parsed = Trial.safeParse(params)
      if (!parsed.success)
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          'Failed to run the trigger: expected { trial?: boolean, verified?: string[] }.',
        )
      ctx.state.trial = parsed.data.trial
      for (const n of numbers({ verified: parsed.data.verified }, 'verified'))
        ctx.state.verifiedNumbers.add(n)
      return { trial: ctx.state.trial, verified: [...ctx.state.verifiedNumbers] }
    },
  },
  'account.auth_token': {
    summary:
      "sets the account's auth token (an app that only uses API keys never shows it, and callbacks are signed with it) (params: { token })",
    run: (ctx, params) => {
      if (typeof params.token !== 'string' || params.token === '')
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          'Failed to run the trigger: token must be a non-empty string.',
          { field: 'token' },
        )
      ctx.state.authToken = params.token
      ctx.state.firstSeen ??= ctx.clock.now()
      return { accountSid: ctx.state.accountSid }
    },
  },
  'account.rate_limit': {
    summary: 'requests per virtual second before 20429 (params: { perSecond: n })',
    run: (ctx, params) => {
      const perSecond = Number(params.perSecond)
      if (!Number.isInteger(perSecond) || perSecond < 1)
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          'Failed to run the trigger: perSecond must be a positive integer.',
          { field: 'perSecond' },
        )
      ctx.state.rateLimit = perSecond
      return { rateLimit: perSecond }
    },
  },
}
