import { type Add, isNonEmptyString, isObject, isValidEmail, MAX_EMAIL_LENGTH } from './common.ts'

/** from, subject and content: what every send needs unless a template supplies it. */
export function checkFrom(from: unknown, add: Add) {
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

export function checkSubject(body: Record<string, unknown>, add: Add) {
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

export function checkContent(body: Record<string, unknown>, add: Add) {
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
