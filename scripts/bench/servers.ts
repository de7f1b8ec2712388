import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The servers under test, each its own process (spawned from `root`, so a
 * `--before` tree runs its own code), and what they cost, read from /proc:
 * CPU time (user + system) and resident memory of the serving process.
 */
export interface Server {
  name: string
  child: ChildProcess
  /** The process whose CPU and RSS are counted (WireMock's JVM, not its npm wrapper). */
  pid: number
  ready: { urls?: Record<string, string>; port?: number }
  close(): void
}

const TICK_US = 1_000_000 / 100 // USER_HZ is 100 on Linux

export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_US
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1]
  return Number(kb ?? 0) * 1024
}

/** Starts `scripts/bench-server.ts <args>` under `root` and waits for its ready message. */
export async function startServer(
  name: string,
  root: string,
  args: string[],
  nodeFlags: string[] = [],
): Promise<Server> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', path.join(root, 'scripts/bench-server.ts'), ...args],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  )
  const ready = await new Promise<Server['ready']>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Server['ready']))
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code}) before it was ready`)))
  })
  return { name, child, pid: child.pid!, ready, close: () => child.kill('SIGTERM') }
}

/**
 * Where `--peers` finds mockttp and WireMock: installed from npm beside the
 * project (gitignored), so they add nothing to its dependencies. mockttp 3.17
 * (4.x wants Node 22); WireMock's npm package runs its jar on Java:
 * `mkdir -p .tools/bench-peers && cd .tools/bench-peers && echo {} > package.json && npm i mockttp@3.17.2 wiremock@3.13.2`
 */
export const PEERS_DIR = '.tools/bench-peers'

/** WireMock from npm (it runs a jar: Java must be on the PATH), with one stub mapping per route. */
export async function startWireMock(
  routes: { method: string; path: string; status: number; contentType: string; body: string }[],
  port: number,
): Promise<Server> {
  const bin = path.resolve(PEERS_DIR, 'node_modules/.bin/wiremock')
  const child = spawn(bin, ['--port', String(port), '--disable-banner'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/__admin/mappings`)).ok) break
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  for (const route of routes) {
    const response = await fetch(`${base}/__admin/mappings`, {
      method: 'POST',
      body: JSON.stringify({
        request: { method: route.method, urlPath: route.path },
        response: { status: route.status, body: route.body, headers: { 'content-type': route.contentType } },
      }),
    })
    if (!response.ok) throw new Error(`wiremock mapping: ${response.status} ${await response.text()}`)
  }
  const java = javaPid(child.pid!)
  return {
    name: 'wiremock',
    child,
    pid: java,
    ready: { port },
    close: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        child.kill('SIGTERM')
      }
    },
  }
}

/** The java process under the wrapper (the wrapper itself does no serving). */
function javaPid(wrapper: number): number {
  const children = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
    } catch {
      return []
    }
  }
  const queue = [wrapper]
  while (queue.length > 0) {
    const pid = queue.shift()!
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'java') return pid
    } catch {
      // Gone.
    }
    queue.push(...children(pid))
  }
  return wrapper
}
