// The hub under fuzz as a child process: started on free loopback ports, its memory read from /proc.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { freePorts, untilOutput } from './hub-process.ts'
import { allProviders } from './providers.ts'

export const PROVIDER_NAMES = allProviders.map((p) => p.name)

export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return Math.round(kb / 1024)
  } catch {
    return 0
  }
}

/** Starts the hub as a child process on free loopback ports; resolves once it listens. */
export async function startHubProcess(
  requestTimeoutMs: number,
  seed: number,
): Promise<{ child: ChildProcess; control: number; ports: Record<string, number>; exited: () => boolean }> {
  const free = await freePorts(PROVIDER_NAMES.length + 1)
  const ports = Object.fromEntries(PROVIDER_NAMES.map((name, i) => [name, free[i + 1]!]))
  const args = [
    'bin/standin.js',
    'up',
    '--port',
    String(free[0]),
    '--log',
    'silent',
    '--seed',
    String(seed),
    '--request-timeout-ms',
    String(requestTimeoutMs),
    ...PROVIDER_NAMES.flatMap((name) => [`--${name}-port`, String(ports[name])]),
  ]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let exited = false
  // Should this process end first (an error, a closed pipe), the hub it started goes with it.
  const killChild = () => child.kill('SIGKILL')
  process.once('exit', killChild)
  child.once('exit', () => {
    exited = true
    process.off('exit', killChild)
  })
  await untilOutput(child, `127.0.0.1:${ports[PROVIDER_NAMES.at(-1)!]}`, {
    exited: (code, err) => `the hub exited (${code}) before it listened: ${err}`,
  })
  child.stdout!.resume()
  child.stderr!.resume()
  return { child, control: free[0]!, ports, exited: () => exited }
}
