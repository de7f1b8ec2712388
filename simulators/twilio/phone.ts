/**
 * Phone numbers and SMS bodies as Twilio reads them.
 *
 * @note Twilio itself guesses a country for a number without `+` from the
 * sender's country. The simulator is strict on purpose: a number must be E.164
 * (`+` and 7 to 15 digits, the first not 0; +1 numbers have 11); spaces, dashes, dots and
 * parentheses between the digits are tolerated and stripped, as Twilio does.
 * A strict check is what catches the "national format" bug apps ship.
 */

const FORMATTING = /[\s\-().]/g

/** E.164 form of a number (`+14155552671`), or undefined when it is not one. */
export function toE164(raw: string): string | undefined {
  const trimmed = raw.trim()
  if (!trimmed.startsWith('+')) return undefined
  const digits = trimmed.slice(1).replace(FORMATTING, '')
  if (!/^[1-9]\d{6,14}$/.test(digits)) return undefined
  // North America (+1) numbers are always 10 digits after the country code.
  if (digits.startsWith('1') && digits.length !== 11) return undefined
  return `+${digits}`
}

/** A channel address such as `whatsapp:+14155552671` keeps its prefix; plain numbers become E.164. */
export function parseAddress(
  raw: string,
): { address: string; channel: 'sms' | 'whatsapp' | 'messenger'; number: string } | undefined {
  const m = /^(whatsapp|messenger):(.+)$/i.exec(raw.trim())
  if (m) {
    const channel = m[1]!.toLowerCase() as 'whatsapp' | 'messenger'
    if (channel === 'messenger')
      return m[2]!.length > 0 ? { address: `messenger:${m[2]}`, channel, number: m[2]! } : undefined
    const number = toE164(m[2]!)
    return number ? { address: `whatsapp:${number}`, channel, number } : undefined
  }
  const number = toE164(raw)
  return number ? { address: number, channel: 'sms', number } : undefined
}

/** A sender Twilio accepts: a number, a short code (3 to 8 digits), or an alphanumeric sender ID (up to 11 characters, one letter at least). */
export function parseSender(raw: string): string | undefined {
  const trimmed = raw.trim()
  if (/^\d{3,8}$/.test(trimmed)) return trimmed
  if (/^[A-Za-z0-9 ]{1,11}$/.test(trimmed) && /[A-Za-z]/.test(trimmed)) return trimmed
  return parseAddress(trimmed)?.address
}

// GSM 03.38 basic set and the extension table (each extension char costs two septets).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENDED = '^{}\\[~]|€\f'

/** Septets per UTF-16 unit in GSM-7 (1 basic, 2 extension), 0 when GSM-7 cannot carry it: one lookup per character. */
const GSM_SEPTETS = new Uint8Array(0x10000)
for (const ch of GSM_BASIC) GSM_SEPTETS[ch.charCodeAt(0)] = 1
for (const ch of GSM_EXTENDED) GSM_SEPTETS[ch.charCodeAt(0)] = 2

/** Encoding and segment count of an SMS body: 160/153 septets in GSM-7, 70/67 UTF-16 units in UCS-2. */
export function segmentsOf(body: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  if (body.length === 0) return { encoding: 'GSM-7', segments: 1 }
  let septets = 0
  let gsm = true
  // Every GSM character is one UTF-16 unit; a surrogate half is not GSM, as the pair it belongs to is not.
  for (let i = 0; i < body.length; i++) {
    const size = GSM_SEPTETS[body.charCodeAt(i)]!
    if (size === 0) {
      gsm = false
      break
    }
    septets += size
  }
  if (gsm) return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153) }
  const units = body.length
  return { encoding: 'UCS-2', segments: units <= 70 ? 1 : Math.ceil(units / 67) }
}

/** `+15005550006` → `(500) 555-0006` for NANP numbers, as Calls' `from_formatted` shows; others unchanged. */
export function formatNumber(number: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number)
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : number
}
