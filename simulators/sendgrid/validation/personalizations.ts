import {
  type Add,
  isNonEmptyString,
  isObject,
  isValidEmail,
  MAX_EMAIL_LENGTH,
  MAX_PERSONALIZATIONS,
  MAX_RECIPIENTS,
} from './common.ts'
import { checkCustomArgsSize, checkHeaders, checkSendAt, checkStringMap } from './fields.ts'

/** `personalizations[]`: recipients (to, cc, bcc; valid, unique, ≤1000 in all), subject, maps, headers, send_at. */
export function checkPersonalizations(
  body: Record<string, unknown>,
  add: Add,
  now: number,
  dynamic: boolean,
) {
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
