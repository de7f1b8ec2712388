import { z } from 'zod'
import { HarnessError } from '../core/errors.ts'
import type { TriggerSpec } from '../core/provider.ts'
import type { TwilioState } from './models.ts'
import { toE164 } from './phone.ts'

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

const Trial = z.object({ trial: z.boolean().default(true), verified: z.array(z.string()).optional() })

export const triggers: Record<string, TriggerSpec<TwilioState>> = {
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
