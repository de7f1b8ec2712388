import Handlebars from 'handlebars'

/**
 * Dynamic templates are Handlebars (SendGrid's dialect: the built-ins plus
 * `equals`, `notEquals`, `greaterThan`, `lessThan`, `and`, `or`, `length`,
 * `insert`, `formatDate`). One isolated instance so nothing leaks into other
 * users of the handlebars package.
 */
const hbs = Handlebars.create()

type Options = Handlebars.HelperOptions
const block = (cond: boolean, options: Options, ctx: unknown) =>
  typeof options?.fn === 'function' ? (cond ? options.fn(ctx) : options.inverse(ctx)) : cond

hbs.registerHelper('equals', function (this: unknown, a: unknown, b: unknown, options: Options) {
  // biome-ignore lint/suspicious/noDoubleEquals: SendGrid compares loosely ("1" equals 1)
  return block(a == b, options, this)
})
hbs.registerHelper('notEquals', function (this: unknown, a: unknown, b: unknown, options: Options) {
  // biome-ignore lint/suspicious/noDoubleEquals: SendGrid compares loosely
  return block(a != b, options, this)
})
hbs.registerHelper('greaterThan', function (this: unknown, a: unknown, b: unknown, options: Options) {
  return block(Number(a) > Number(b), options, this)
})
hbs.registerHelper('lessThan', function (this: unknown, a: unknown, b: unknown, options: Options) {
  return block(Number(a) < Number(b), options, this)
})
hbs.registerHelper('and', function (this: unknown, ...args: unknown[]) {
  const options = args.pop() as Options
  return block(args.every(Boolean), options, this)
})
hbs.registerHelper('or', function (this: unknown, ...args: unknown[]) {
  const options = args.pop() as Options
  return block(args.some(Boolean), options, this)
})
hbs.registerHelper('length', (value: unknown) =>
  Array.isArray(value) || typeof value === 'string' ? value.length : 0,
)
hbs.registerHelper('insert', (value: unknown, options: Options) => {
  if (value !== undefined && value !== null && value !== '') return value
  const hash = (options?.hash ?? {}) as Record<string, unknown>
  return hash.default ?? ''
})
hbs.registerHelper('formatDate', (value: unknown, format: unknown) => {
  const date = new Date(typeof value === 'number' ? value : String(value))
  if (Number.isNaN(date.getTime())) return ''
  if (typeof format !== 'string') return date.toISOString()
  const pad = (n: number) => String(n).padStart(2, '0')
  return format
    .replace(/YYYY/g, String(date.getUTCFullYear()))
    .replace(/MM/g, pad(date.getUTCMonth() + 1))
    .replace(/DD/g, pad(date.getUTCDate()))
    .replace(/HH/g, pad(date.getUTCHours()))
    .replace(/mm/g, pad(date.getUTCMinutes()))
    .replace(/ss/g, pad(date.getUTCSeconds()))
})

/** Compiles to check syntax; returns the parser's message when the template is not valid Handlebars. */
export function handlebarsError(source: string): string | undefined {
  try {
    hbs.precompile(source)
    return undefined
  } catch (error) {
    return (error as Error).message.split('\n')[0]
  }
}

/**
 * @note handlebars.js also escapes `=` and backtick (`&#x3D;`, `&#x60;`); SendGrid's renderer is not
 * handlebars.js and URLs put in `{{url}}` keep their `=` (only `&` becomes `&amp;`), so those two are undone.
 */
export function renderHandlebars(source: string, data: Record<string, unknown>, htmlEscape: boolean): string {
  const out = hbs.compile(source, { noEscape: !htmlEscape })(data)
  return htmlEscape ? out.replace(/&#x3D;/g, '=').replace(/&#x60;/g, '`') : out
}

/** Legacy substitutions: each key is replaced literally wherever it appears (`-name-`, `%code%`). */
export function substitute(text: string, substitutions: Record<string, string> | undefined): string {
  if (!substitutions) return text
  let out = text
  for (const [key, value] of Object.entries(substitutions)) out = out.split(key).join(value)
  return out
}

/** Plain text from HTML, as SendGrid's generate_plain_content does: links keep their URL, tags go. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(
      /<a\s[^>]*href\s*=\s*["']([^"']+)["'][^>]*>([\s\S]*?)<\/a>/gi,
      (_m, href: string, text: string) => `${text.trim()} ( ${href} )`,
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
