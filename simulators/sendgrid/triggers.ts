import { HarnessError } from '../core/errors.ts'
import type { TriggerSpec } from '../core/provider.ts'
import { acceptMail } from './delivery.ts'
import { validateMail } from './mail-validation.ts'
import type { SendgridState } from './models.ts'
import { flushEvents } from './webhooks.ts'

/** On-demand actions for the control plane (like `stripe trigger`). */
export const sendgridTriggers: Record<string, TriggerSpec<SendgridState>> = {
  'mail.send': {
    summary:
      'sends an email through the whole pipeline (params: to, from?, subject?, text?, html?); the recipient conventions apply',
    run: (ctx, params) => {
      const text = typeof params.text === 'string' ? params.text : 'Sent by the standin trigger.'
      const html = typeof params.html === 'string' ? params.html : undefined
      const result = validateMail(
        {
          personalizations: [{ to: [{ email: params.to }] }],
          from: { email: typeof params.from === 'string' ? params.from : 'trigger@standin.test' },
          subject: typeof params.subject === 'string' ? params.subject : 'standin trigger',
          content: [
            { type: 'text/plain', value: text },
            ...(html ? [{ type: 'text/html', value: html }] : []),
          ],
        },
        ctx.clock.unix(),
      )
      if (!result.ok)
        throw new HarnessError(
          'STANDIN_BAD_REQUEST',
          `Failed to trigger mail.send: ${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
          {
            field: result.errors[0]?.field ?? 'to',
          },
        )
      const message = acceptMail(ctx, result.mail, undefined)
      return { x_message_id: message.id, recipients: message.recipients }
    },
  },
  'events.flush': {
    summary: 'posts the events waiting in the current batch window now',
    run: (ctx) => {
      const pending = ctx.state.outbox.length
      flushEvents(ctx)
      return { flushed: pending }
    },
  },
}
