import {
  type Add,
  BASE64,
  isNonEmptyString,
  isObject,
  MAX_CATEGORIES,
  MAX_CUSTOM_ARGS_BYTES,
  MAX_SCHEDULE_SECONDS,
  RESERVED_HEADERS,
} from './common.ts'

/** Mail Send fields outside personalizations: attachments, categories, maps, headers, send_at, asm, settings. */
export function checkAttachments(attachments: unknown, add: Add) {
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

export function checkCategories(categories: unknown, add: Add) {
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

export function checkStringMap(value: unknown, field: string, message: string, add: Add, anchor: string) {
  if (value === undefined) return
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) add(message, field, anchor)
}

export function checkCustomArgsSize(global: unknown, own: unknown, at: string, add: Add) {
  const merged = { ...(isObject(global) ? global : {}), ...(isObject(own) ? own : {}) }
  if (Buffer.byteLength(JSON.stringify(merged)) > MAX_CUSTOM_ARGS_BYTES)
    add(
      'The combined size of both global and personalization custom arguments may not exceed 10,000 bytes per personalization.',
      `${at}.custom_args`,
      'message.personalizations.custom_args',
    )
}

export function checkHeaders(headers: unknown, field: string, add: Add) {
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

export function checkSendAt(value: unknown, field: string, now: number, add: Add) {
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

export function checkAsm(asm: unknown, add: Add) {
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

export const MAIL_SETTING_NAMES: Record<string, string> = {
  bcc: 'The bcc enable param should be a boolean value.',
  bypass_list_management: 'The bypass list management enable param should be a boolean value.',
  bypass_spam_management: 'The bypass spam management enable param should be a boolean value.',
  bypass_bounce_management: 'The bypass bounce management enable param should be a boolean value.',
  bypass_unsubscribe_management: 'The bypass unsubscribe management enable param should be a boolean value.',
  footer: 'The footer enable param should be a boolean value.',
  sandbox_mode: 'The sandbox mode enable param should be a boolean value.',
  spam_check: 'The spam check enable param should be a boolean value.',
}

export const TRACKING_SETTING_NAMES: Record<string, string> = {
  click_tracking: 'The click tracking enable param should be a boolean value.',
  open_tracking: 'The open tracking enable param should be a boolean value.',
  subscription_tracking: 'The subscription tracking enable param should be a boolean value.',
  ganalytics: 'The Google Analytics enable param must be a boolean value.',
}

export function checkSettings(settings: unknown, root: string, names: Record<string, string>, add: Add) {
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
