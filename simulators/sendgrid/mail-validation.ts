import { compiledParser } from '../core/compiled-parser.ts'
import { mailHelp, type SgError } from './errors.ts'
import { MailSendRequest } from './models.ts'
import { type Add, isObject, isTemplateIdShape, isValidEmail } from './validation/common.ts'
import {
  checkAsm,
  checkAttachments,
  checkCategories,
  checkHeaders,
  checkSendAt,
  checkSettings,
  checkStringMap,
  MAIL_SETTING_NAMES,
  TRACKING_SETTING_NAMES,
} from './validation/fields.ts'
import { checkContent, checkFrom, checkSubject } from './validation/message.ts'
import { checkPersonalizations } from './validation/personalizations.ts'

export { isTemplateIdShape, isValidEmail }

/**
 * Validates a Mail Send body the way SendGrid does: every problem is reported
 * in one 400, each with the field path and a `help` link to the errors page.
 * Messages are SendGrid's own (captured responses first, the errors page
 * otherwise; see README for which is which).
 */
export type MailValidation = { ok: true; mail: MailSendRequest } | { ok: false; errors: SgError[] }

/** The `add` the checks report to. Made here, unnamed: under tsx a named closure costs a `__name` define per request. */
function collector(errors: SgError[]): Add {
  return (message, field, anchor) => {
    errors.push({ message, field, help: mailHelp(anchor) })
  }
}

export function validateMail(body: unknown, nowSeconds: number): MailValidation {
  if (!isObject(body)) return { ok: false, errors: [{ message: 'Bad Request', field: null, help: null }] }
  const errors: SgError[] = []
  const add = collector(errors)

  const templateId = body.template_id
  const dynamic = typeof templateId === 'string' && templateId.startsWith('d-')
  checkPersonalizations(body, add, nowSeconds, dynamic)
  checkFrom(body.from, add)
  if (body.reply_to !== undefined && (!isObject(body.reply_to) || !isValidEmail(body.reply_to.email)))
    add('The reply_to email does not contain a valid address.', 'reply_to.email', 'message.reply_to')
  if (body.reply_to !== undefined && body.reply_to_list !== undefined)
    add('The reply_to and reply_to_list fields cannot both be used.', 'reply_to_list', 'message.reply_to')
  if (body.reply_to_list !== undefined) {
    if (!Array.isArray(body.reply_to_list))
      add('The reply_to_list must be an array of email objects.', 'reply_to_list', 'message.reply_to')
    else
      body.reply_to_list.forEach((r, i) => {
        if (!isObject(r) || !isValidEmail(r.email))
          add('Does not contain a valid address.', `reply_to_list.${i}.email`, 'message.reply_to')
      })
  }
  checkSubject(body, add)
  if (templateId !== undefined && typeof templateId !== 'string')
    add(
      `The template ID must be a string, you provided ${JSON.stringify(templateId)}.`,
      'template_id',
      'message.template_id',
    )
  else if (typeof templateId === 'string' && !isTemplateIdShape(templateId))
    add(
      `The template_id must be a valid GUID, you provided '${templateId}'.`,
      'template_id',
      'message.template_id',
    )
  checkContent(body, add)
  checkAttachments(body.attachments, add)
  checkCategories(body.categories, add)
  checkStringMap(
    body.custom_args,
    'custom_args',
    'All values of custom arguments object must be strings',
    add,
    'message.custom_args',
  )
  checkHeaders(body.headers, 'headers', add)
  checkSendAt(body.send_at, 'send_at', nowSeconds, add)
  if (body.batch_id !== undefined && typeof body.batch_id !== 'string')
    add('The batch_id must be a string.', 'batch_id', 'message.batch_id')
  if (body.ip_pool_name !== undefined && typeof body.ip_pool_name !== 'string')
    add('The name of your IP pool must be a string.', 'ip_pool_name', 'message.ip_pool_name')
  checkAsm(body.asm, add)
  checkSettings(body.mail_settings, 'mail_settings', MAIL_SETTING_NAMES, add)
  checkSettings(body.tracking_settings, 'tracking_settings', TRACKING_SETTING_NAMES, add)

  if (errors.length > 0) return { ok: false, errors }
  const parsed = compiledParser(MailSendRequest).safeParse(body)
  // The checks above cover the schema; anything left is reported in the same envelope rather than crashing.
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        message: i.message,
        field: i.path.join('.') || null,
        help: null,
      })),
    }
  return { ok: true, mail: parsed.data }
}
