import { type Command, InvalidArgumentError } from 'commander'
import type { FetchLike } from '../../core/control/client.ts'
import { StandinClient } from '../../core/control/client.ts'

/**
 * What every command of the CLI shares: where it prints, the client of the
 * running hub, and the parsers that turn a flag's text into a value or a
 * one-line error naming the flag (commander prints `option '--times <n>'
 * argument 'abc' is invalid. <our reason>`).
 */
export interface CliIO {
  out(text: string): void
  err(text: string): void
  /** In-process tests hand a fetch over an app instead of a URL. */
  fetch?: FetchLike
}

export interface Cli {
  program: Command
  io: CliIO
  client(): StandinClient
  /** Raw JSON with --json (or when there is no human form), else the human form. */
  print(value: unknown, human?: () => string): void
}

export function cliContext(program: Command, io: CliIO): Cli {
  return {
    program,
    io,
    client: () => {
      const o = program.opts<{ url: string; controlToken?: string }>()
      return new StandinClient({
        url: o.url,
        ...(o.controlToken ? { token: o.controlToken } : {}),
        ...(io.fetch ? { fetch: io.fetch } : {}),
      })
    },
    print: (value, human) =>
      io.out(`${program.opts().json || !human ? JSON.stringify(value, null, 2) : human()}\n`),
  }
}

/** `Example:` lines under a command's help. */
export function example(command: Command, ...lines: string[]): Command {
  return command.addHelpText(
    'after',
    `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`,
  )
}

/** A number flag: whole or not, with bounds; 'abc' is refused, never NaN. */
export function number(options: { int?: boolean; min?: number; max?: number; what?: string } = {}) {
  return (text: string): number => {
    const value = Number(text)
    const what = options.what ?? (options.int ? 'a whole number' : 'a number')
    if (text.trim() === '' || !Number.isFinite(value) || (options.int && !Number.isInteger(value)))
      throw new InvalidArgumentError(`Expected ${what}.`)
    if (options.min !== undefined && value < options.min)
      throw new InvalidArgumentError(`Expected ${what} of at least ${options.min}.`)
    if (options.max !== undefined && value > options.max)
      throw new InvalidArgumentError(`Expected ${what} of at most ${options.max}.`)
    return value
  }
}

export function json(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new InvalidArgumentError(`Expected JSON: ${(error as Error).message}.`)
  }
}

/** A parameter value as it looks: 250 → number, true/null/[...]/{...}/"..." → JSON, anything else → the text. */
export function looseValue(text: string): unknown {
  if (/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(text)) return Number(text)
  if (/^(true|false|null)$/.test(text) || /^[[{"]/.test(text)) return json(text)
  return text
}

/** `key=value` (repeatable) into a record; `parse` reads the value. */
export function pairs<T = string>(parse: (value: string) => T = (v) => v as T) {
  return (text: string, previous: Record<string, T> = {}): Record<string, T> => {
    const eq = text.indexOf('=')
    if (eq <= 0) throw new InvalidArgumentError(`Expected key=value, got '${text}'.`)
    return { ...previous, [text.slice(0, eq)]: parse(text.slice(eq + 1)) }
  }
}

export const collect = (value: string, previous: string[] = []) => [...previous, value]

/** A rule's field → the flag that sets it, so a refusal from the hub names what the user typed. */
export function flagOf(field: string | undefined): string | undefined {
  if (!field) return undefined
  const [head, key] = field.split('.')
  if (head === 'match' && key)
    return `--${key === 'eventType' ? 'event-type' : key === 'body' ? 'where' : key}`
  if (head === 'effect' && key === 'type') return '--effect'
  if (head === 'effect' && key) return `--param ${key}=…`
  if (['times', 'after', 'probability', 'name'].includes(head!)) return `--${head}`
  return undefined
}
