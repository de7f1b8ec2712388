import type { Logger } from '../core/provider.ts'

/** Structured logs: one JSON object per line on stderr, so stdout stays for what a command prints. */
export function jsonLogger(
  level: 'silent' | 'info' | 'debug',
  stream: NodeJS.WritableStream = process.stderr,
): Logger {
  const write = (lvl: string, message: string, fields?: Record<string, unknown>) => {
    if (level === 'silent') return
    stream.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: message, ...fields })}\n`,
    )
  }
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  }
}
