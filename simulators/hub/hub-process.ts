import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/**
 * What starting the hub as a real process needs, shared by the CLI tests and
 * the fuzzer: free loopback ports to pass as flags, and a wait for the line
 * the hub prints once it listens.
 */

/**
 * `n` distinct loopback ports free at the time of the call: each is bound to port 0 and all stay open
 * until every one is chosen (so no two are the same), then released.
 * @example
 * const [control, stripe] = await freePorts(2)
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ports
}

/**
 * Resolves with everything `child` printed on stdout once that includes `text`;
 * rejects with `exited(code, stderr)` should it exit first, or with
 * `timedOut(stderr)` after `timeoutMs` (no time limit unless given).
 * @example
 * await untilOutput(child, `127.0.0.1:${port}`, {
 *   exited: (code, err) => `the hub exited (${code}) before it listened: ${err}`,
 * })
 */
export function untilOutput(
  child: ChildProcess,
  text: string,
  options: {
    exited: (code: number | null, stderr: string) => string
    timeoutMs?: number
    timedOut?: (stderr: string) => string
  },
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => reject(new Error(options.timedOut?.(err) ?? `no "${text}" on stdout: ${err}`)),
            options.timeoutMs,
          )
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      if (out.includes(text)) {
        clearTimeout(timer)
        resolve(out)
      }
    })
    child.stderr!.on('data', (d: Buffer) => {
      err += d
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(options.exited(code, err)))
    })
  })
}
