import { mailHelp, type SgError } from './errors.ts'
import { MailSendRequest } from './models.ts'

/**
 * Validates a Mail Send body the way SendGrid does: every problem is reported
 * in one 400, each with the field path and a `help` link to the errors page.
 * Messages are SendGrid's own (captured responses first, the errors page
 * otherwise; see README for which is which).
 */
export type MailValidation = { ok: true; mail: MailSendRequest } | { ok: false; errors: SgError[] }

const MAX_PERSONALIZATIONS = 1000
const MAX_RECIPIENTS = 1000
const MAX_EMAIL_LENGTH = 320
const MAX_CATEGORIES = 10
const MAX_CUSTOM_ARGS_BYTES = 10_000
const MAX_SCHEDULE_SECONDS = 72 * 3600
const RESERVED_HEADERS = new Set([
  'x-sg-id',
  'x-sg-eid',
  'received',
  'dkim-signature',
  'content-type',
  'content-transfer-encoding',
  'to',
  'from',
  'subject',
  'reply-to',
  'cc',
  'bcc',
])
const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0

export function isValidEmail(email: unknown): email is string {
  return typeof email === 'string' && email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email)
}

/** `d-` + 32 hex (dynamic) or a GUID (legacy). */
export function isTemplateIdShape(id: string): boolean {
  return (
    /^d-[0-9a-f]{32}$/i.test(id) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
  )
}

export function validateMail(body: unknown, nowSeconds: number): MailValidation {
  if (!isObject(body)) return { ok: false, errors: [{ message: 'Bad Request', field: null, help: null }] }
  const errors: SgError[] = []
  const add = (message: string, field: string | null, anchor: string) =>
    errors.push({ message, field, help: mailHelp(anchor) })

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
  const parsed = MailSendRequest.safeParse(body)
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

type Add = (message: string, field: string | null, anchor: string) => void

function checkPersonalizations(body: Record<string, unknown>, add: Add, now: number, dynamic: boolean) {
  const list = body.personalizations
  if (!Array.isArray(list) || list.length === 0) {
    add(
      'The personalizations field is required and must have at least one personalization.',
      'personalizations',
      '-Personalizations-Errors',
    )
    return
  }
  if (list.length > MAX_PERSONALIZATIONS) {
    add(
      `The personalization block is limited to 1000 personalizations per API request. You have provided ${list.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
      'personalizations',
      'message.personalizations',
    )
    return
  }
  let total = 0
  list.forEach((p, i) => {
    const at = `personalizations.${i}`
    if (!isObject(p)) {
      add(
        'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
        `${at}.to`,
        'message.personalizations.to',
      )
      return
    }
    const seen = new Map<string, string>()
    let duplicate: { email: string; field: string } | undefined
    for (const kind of ['to', 'cc', 'bcc'] as const) {
      const recipients = p[kind]
      if (recipients === undefined && kind !== 'to') continue
      if (!Array.isArray(recipients) || (kind === 'to' && recipients.length === 0)) {
        if (kind === 'to')
          add(
            'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
            `${at}.to`,
            'message.personalizations.to',
          )
        else
          add(
            `The ${kind} array, when used, must at least have an email parameter with a valid email address.`,
            `${at}.${kind}`,
            `message.personalizations.${kind}`,
          )
        continue
      }
      recipients.forEach((r, j) => {
        total++
        const email = isObject(r) ? r.email : undefined
        if (typeof email === 'string' && email.length > MAX_EMAIL_LENGTH) {
          const label = kind === 'to' ? 'To' : kind.toUpperCase()
          add(
            `The ${label} email exceeds the maximum total length of 320 characters`,
            `${at}.${kind}.${j}.email`,
            `message.personalizations.${kind}`,
          )
        } else if (!isValidEmail(email))
          add(
            'Does not contain a valid address.',
            `${at}.${kind}.${j}.email`,
            `message.personalizations.${kind}`,
          )
        else {
          const key = email.toLowerCase()
          if (seen.has(key) && !duplicate) duplicate = { email, field: `${at}.${kind}` }
          seen.set(key, kind)
        }
        if (isObject(r) && r.name !== undefined && typeof r.name !== 'string')
          add(
            'The name of the recipient must be a string.',
            `${at}.${kind}.${j}.name`,
            `message.personalizations.${kind}`,
          )
      })
    }
    if (duplicate)
      add(
        `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${duplicate.email}] in the ${duplicate.field} field.`,
        at,
        'message.recipient-errors',
      )
    if (p.from !== undefined && (!isObject(p.from) || !isValidEmail(p.from.email)))
      add('The from email does not contain a valid address.', `${at}.from.email`, 'message.from')
    if (p.subject !== undefined && !isNonEmptyString(p.subject))
      add(
        'The subject of your email must be a string at least one character in length.',
        `${at}.subject`,
        'message.personalizations.subject',
      )
    checkStringMap(
      p.custom_args,
      `${at}.custom_args`,
      'All values of custom arguments object must be strings',
      add,
      'message.personalizations.custom_args',
    )
    checkCustomArgsSize(body.custom_args, p.custom_args, at, add)
    if (p.substitutions !== undefined && dynamic)
      add(
        'Substitutions may not be used with dynamic templating',
        `${at}.substitutions`,
        'message.personalizations.substitutions',
      )
    else
      checkStringMap(
        p.substitutions,
        `${at}.substitutions`,
        'The substitution values must be an object of key/value pairs, where the values are all strings.',
        add,
        'message.personalizations.substitutions',
      )
    if (p.dynamic_template_data !== undefined && !isObject(p.dynamic_template_data))
      add(
        'The dynamic_template_data must be an object.',
        `${at}.dynamic_template_data`,
        'message.personalizations.dynamic_template_data',
      )
    checkHeaders(p.headers, `${at}.headers`, add)
    checkSendAt(p.send_at, `${at}.send_at`, now, add)
  })
  if (total > MAX_RECIPIENTS)
    add(
      'There is a limit of 1000 total recipients (to + cc + bcc) per request.',
      'personalizations',
      'message.personalizations',
    )
}

function checkFrom(from: unknown, add: Add) {
  if (!isObject(from) || from.email === undefined || from.email === '') {
    add(
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
      'from.email',
      'message.from',
    )
    return
  }
  if (typeof from.email === 'string' && from.email.length > MAX_EMAIL_LENGTH)
    add('The From email exceeds the maximum total length of 320 characters', 'from.email', 'message.from')
  else if (!isValidEmail(from.email))
    add('The from email does not contain a valid address.', 'from.email', 'message.from')
}

function checkSubject(body: Record<string, unknown>, add: Add) {
  if (body.subject !== undefined && !isNonEmptyString(body.subject)) {
    add(
      'The subject of your email must be a string at least one character in length.',
      'subject',
      'message.subject',
    )
    return
  }
  if (body.subject !== undefined || body.template_id !== undefined) return
  const list = Array.isArray(body.personalizations) ? body.personalizations : []
  const everyHasSubject = list.length > 0 && list.every((p) => isObject(p) && isNonEmptyString(p.subject))
  if (!everyHasSubject)
    add(
      'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
      'subject',
      'message.subject',
    )
}

function checkContent(body: Record<string, unknown>, add: Add) {
  const content = body.content
  if (content === undefined || (Array.isArray(content) && content.length === 0)) {
    if (body.template_id === undefined)
      add(
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
        'content',
        'message.content',
      )
    return
  }
  if (!Array.isArray(content)) {
    add('The content param must be an array of content blocks.', 'content', 'message.content')
    return
  }
  const types: string[] = []
  content.forEach((c, k) => {
    const type = isObject(c) ? c.type : undefined
    const value = isObject(c) ? c.value : undefined
    if (!isNonEmptyString(type))
      add(
        'Your content type must be a string with length of at least one character.',
        `content.${k}.type`,
        'message.content.type',
      )
    else if (/[;\r\n]/.test(type))
      add(
        "The content type cannot contain ';', or CRLF characters.",
        `content.${k}.type`,
        'message.content.type',
      )
    else types.push(type.toLowerCase())
    if (!isNonEmptyString(value))
      add(
        'The content value must be a string at least one character in length.',
        `content.${k}.value`,
        'message.content.value',
      )
  })
  const plain = types.indexOf('text/plain')
  const html = types.indexOf('text/html')
  const misordered = plain > 0 || (html >= 0 && html !== (plain === 0 ? 1 : 0))
  if (misordered)
    add(
      'Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.',
      'content',
      'message.content.value',
    )
  if (types.filter((t) => t === 'text/plain').length > 1 || types.filter((t) => t === 'text/html').length > 1)
    add('If present, text/plain and text/html may only be provided once.', 'content', 'message.content')
}

function checkAttachments(attachments: unknown, add: Add) {
  if (attachments === undefined) return
  if (!Array.isArray(attachments)) {
    add('The attachments param must be an array of attachment objects.', 'attachments', 'message.attachments')
    return
  }
  attachments.forEach((a, k) => {
    const at = `attachments.${k}`
    const obj = isObject(a) ? a : {}
    if (!isNonEmptyString(obj.content))
      add(
        'The attachment content must be a string at least one character in length.',
        `${at}.content`,
        'message.attachments.content',
      )
    else if (!BASE64.test(obj.content) || obj.content.replace(/[\r\n]/g, '').length % 4 !== 0)
      add('The attachment content must be base64 encoded.', `${at}.content`, 'message.attachments.content')
    if (obj.filename === undefined)
      add('filename is required.', `${at}.filename`, 'message.attachments.filename')
    else if (typeof obj.filename !== 'string')
      add(
        'The filename of your attachment must be a string.',
        `${at}.filename`,
        'message.attachments.filename',
      )
    else if (/[\r\n]/.test(obj.filename))
      add(
        'The filename of your attachment cannot contain CRLF characters.',
        `${at}.filename`,
        'message.attachments.filename',
      )
    if (obj.type !== undefined) {
      if (!isNonEmptyString(obj.type))
        add(
          'The attachment type must be a string and at least one character in length.',
          `${at}.type`,
          'message.attachments.type',
        )
      else if (/[;\r\n]/.test(obj.type))
        add("The type cannot contain ';', or CRLF characters.", `${at}.type`, 'message.attachments.type')
    }
    if (obj.disposition !== undefined && obj.disposition !== 'inline' && obj.disposition !== 'attachment')
      add(
        `The disposition of your attachment can be either "inline" or "attachment". You provided ${String(obj.disposition)}.`,
        `${at}.disposition`,
        'message.attachments.disposition',
      )
    if (obj.content_id !== undefined) {
      if (typeof obj.content_id !== 'string')
        add(
          `The content ID of your attachment must be a string. You provided ${String(obj.content_id)}.`,
          `${at}.content_id`,
          'message.attachments.content_id',
        )
      else if (/[\r\n]/.test(obj.content_id))
        add(
          'The content ID of your attachment cannot contain CRLF characters.',
          `${at}.content_id`,
          'message.attachments.content_id',
        )
    }
  })
}

function checkCategories(categories: unknown, add: Add) {
  if (categories === undefined) return
  if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string')) {
    add('Categories must be an array of strings.', 'categories', 'message.categories')
    return
  }
  if (categories.length > MAX_CATEGORIES)
    add(
      `There is a limit of 10 categories for each email that is sent. You provided ${categories.length} categories.`,
      'categories',
      'message.categories',
    )
  const seen = new Set<string>()
  for (const c of categories as string[]) {
    if (c.length > 255)
      add(
        `Each category must not be longer than 255 characters. ${c} exceeds this limit`,
        'categories',
        'message.categories',
      )
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
    if (/[^\x00-\x7f]/.test(c))
      add('Categories can not contain non-ASCII characters.', 'categories', 'message.categories')
    if (seen.has(c))
      add(
        `The categories must be a unique list, and you have included ${c} more than once.`,
        'categories',
        'message.categories',
      )
    seen.add(c)
  }
}

function checkStringMap(value: unknown, field: string, message: string, add: Add, anchor: string) {
  if (value === undefined) return
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) add(message, field, anchor)
}

function checkCustomArgsSize(global: unknown, own: unknown, at: string, add: Add) {
  const merged = { ...(isObject(global) ? global : {}), ...(isObject(own) ? own : {}) }
  if (Buffer.byteLength(JSON.stringify(merged)) > MAX_CUSTOM_ARGS_BYTES)
    add(
      'The combined size of both global and personalization custom arguments may not exceed 10,000 bytes per personalization.',
      `${at}.custom_args`,
      'message.personalizations.custom_args',
    )
}

function checkHeaders(headers: unknown, field: string, add: Add) {
  if (headers === undefined) return
  const anchor = field === 'headers' ? 'message.headers' : 'message.personalizations.headers'
  if (!isObject(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
    add('The header values must be strings.', field, anchor)
    return
  }
  for (const key of Object.keys(headers)) {
    if (/[^\x21-\x7e]/.test(key))
      add('Header keys cannot contain non-ASCII characters and empty spaces.', field, anchor)
    else if (RESERVED_HEADERS.has(key.toLowerCase()))
      add('Header can not be one of the reserved keys.', field, anchor)
  }
}

function checkSendAt(value: unknown, field: string, now: number, add: Add) {
  if (value === undefined) return
  const anchor = field === 'send_at' ? 'message.send_at' : 'message.personalizations.send_at'
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    add(
      'The send_at parameter is expecting a Unix timestamp as an integer. We will send immediately if you include a send_at timestamp that is in the past.',
      field,
      anchor,
    )
  else if (value - now > MAX_SCHEDULE_SECONDS)
    add('Scheduling more than 72 hours in advance is forbidden.', field, anchor)
}

function checkAsm(asm: unknown, add: Add) {
  if (asm === undefined) return
  const obj = isObject(asm) ? asm : {}
  if (typeof obj.group_id !== 'number' || !Number.isInteger(obj.group_id))
    add('The ASM group ID must be an integer.', 'asm.group_id', 'message.asm.group_id')
  const display = obj.groups_to_display
  if (display === undefined) return
  if (!Array.isArray(display) || display.some((g) => typeof g !== 'number' || !Number.isInteger(g)))
    add(
      'The ASM Group IDs to display must be an array of integers.',
      'asm.groups_to_display',
      'message.asm.groups_to_display',
    )
  else if (display.length > 25)
    add(
      'There is a limit of 25 unsubscribe groups that can be displayed to a user at a time.',
      'asm.groups_to_display',
      'message.asm.groups_to_display',
    )
}

const MAIL_SETTING_NAMES: Record<string, string> = {
  bcc: 'The bcc enable param should be a boolean value.',
  bypass_list_management: 'The bypass list management enable param should be a boolean value.',
  bypass_spam_management: 'The bypass spam management enable param should be a boolean value.',
  bypass_bounce_management: 'The bypass bounce management enable param should be a boolean value.',
  bypass_unsubscribe_management: 'The bypass unsubscribe management enable param should be a boolean value.',
  footer: 'The footer enable param should be a boolean value.',
  sandbox_mode: 'The sandbox mode enable param should be a boolean value.',
  spam_check: 'The spam check enable param should be a boolean value.',
}

const TRACKING_SETTING_NAMES: Record<string, string> = {
  click_tracking: 'The click tracking enable param should be a boolean value.',
  open_tracking: 'The open tracking enable param should be a boolean value.',
  subscription_tracking: 'The subscription tracking enable param should be a boolean value.',
  ganalytics: 'The Google Analytics enable param must be a boolean value.',
}

function checkSettings(settings: unknown, root: string, names: Record<string, string>, add: Add) {
  if (settings === undefined) return
  if (!isObject(settings)) {
    add(`The ${root} param must be an object.`, root, `message.${root}`)
    return
  }
  for (const [name, message] of Object.entries(names)) {
    const setting = settings[name]
    if (setting === undefined) continue
    if (!isObject(setting) || (setting.enable !== undefined && typeof setting.enable !== 'boolean'))
      add(message, `${root}.${name}.enable`, `message.${root}.${name}.enable`)
  }
  const footer = settings.footer
  if (root === 'mail_settings' && isObject(footer)) {
    if (footer.text !== undefined && typeof footer.text !== 'string')
      add(
        'The text/plain version of your footer should be a string.',
        'mail_settings.footer.text',
        'message.mail_settings.footer.text',
      )
    if (footer.html !== undefined && typeof footer.html !== 'string')
      add(
        'The text/html version of your footer should be a string.',
        'mail_settings.footer.html',
        'message.mail_settings.footer.html',
      )
  }
}
