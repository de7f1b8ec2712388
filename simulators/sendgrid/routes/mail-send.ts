import { acceptMail, activeVersion, RenderError, type RenderedMail, renderAll } from '../delivery.ts'
import { fail, MESSAGES, mailHelp, sgError, sgErrors } from '../errors.ts'
import { validateMail } from '../mail-validation.ts'
import { isUnverifiedSender, lacksMailScope } from '../test-values.ts'
import { requireJson, sgRoute } from './common.ts'

/**
 * `POST /v3/mail/send`: validate everything, answer 202 with an empty body
 * and `X-Message-Id`, then live each recipient's life on the virtual clock.
 * Sandbox mode validates the same and answers 200 without sending.
 */
export const mailSend = sgRoute({
  operation: 'mail.send',
  method: 'POST',
  path: '/v3/mail/send',
  handler: (req, ctx) => {
    requireJson(req)
    if (lacksMailScope(ctx.account)) fail(sgError(403, MESSAGES.accessForbidden))
    const result = validateMail(req.body, ctx.clock.unix())
    if (!result.ok) fail(sgErrors(400, result.errors))
    const mail = result.mail

    const template = mail.template_id ? ctx.state.templates.get(mail.template_id) : undefined
    if (mail.template_id && (!template || !activeVersion(template)))
      fail(
        sgError(
          400,
          `The Template ID must be a valid template id for your account. You provided ${mail.template_id}.`,
          'template_id',
          mailHelp('message.template_id'),
        ),
      )

    if (mail.asm) {
      const { group_id, groups_to_display } = mail.asm
      if (!ctx.state.groups.has(group_id))
        fail(
          sgError(
            400,
            `The ASM group ID must be a valid Group ID on your account. You provided ${group_id}.`,
            'asm.group_id',
            mailHelp('message.asm.group_id'),
          ),
        )
      const unknown = (groups_to_display ?? []).filter((g) => !ctx.state.groups.has(g))
      if (unknown.length > 0)
        fail(
          sgError(
            400,
            `All ASM groups to display must be valid ASM groups IDs on your account. You provided ${unknown.join(', ')}.`,
            'asm.groups_to_display',
            mailHelp('message.asm.groups_to_display'),
          ),
        )
    }

    const froms = [mail.from.email, ...mail.personalizations.flatMap((p) => (p.from ? [p.from.email] : []))]
    if (froms.some(isUnverifiedSender))
      fail(sgError(403, MESSAGES.unverifiedSender, 'from', 'http://sendgrid.com/docs/sender-identity'))

    if (mail.mail_settings?.sandbox_mode?.enable === true) return { status: 200 }
    let rendered: RenderedMail[]
    try {
      rendered = renderAll(mail, template)
    } catch (error) {
      if (!(error instanceof RenderError)) throw error
      // A template that parses but cannot render this data (an unknown helper) is refused, not half-sent.
      fail(
        sgError(
          400,
          `The template could not be rendered: ${error.message}`,
          `personalizations.${error.personalization}.dynamic_template_data`,
          mailHelp('message.template_id'),
        ),
      )
    }
    const message = acceptMail(ctx, mail, template, rendered)
    return {
      status: 202,
      headers: { 'x-message-id': message.id, 'content-type': 'text/plain; charset=utf-8' },
      body: '',
    }
  },
})

/** `POST /v3/mail/batch` and `GET /v3/mail/batch/{batch_id}`: batch ids to group scheduled sends. */
export const mailBatch = [
  sgRoute({
    operation: 'mail.batch.create',
    method: 'POST',
    path: '/v3/mail/batch',
    handler: (_req, ctx) => {
      const id = ctx.ids.mint('', 32, 'alnum')
      ctx.state.batches.add(id)
      return { status: 201, body: { batch_id: id } }
    },
  }),
  sgRoute({
    operation: 'mail.batch.get',
    method: 'GET',
    path: '/v3/mail/batch/:batch_id',
    handler: (req, ctx) => {
      const id = req.params.batch_id!
      if (!ctx.state.batches.has(id)) fail(sgError(400, 'invalid batch id', 'batch_id'))
      return { status: 200, body: { batch_id: id } }
    },
  }),
]
