import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { freePorts, untilOutput } from './hub-process.ts'
import { allProviders } from './providers.ts'

/** The hub as a user runs it: a real process started by the CLI, spoken to over HTTP, stopped by a signal. */
const run = promisify(execFile)
const CLI = ['bin/standin.js']
const children: ChildProcess[] = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

function portFlags(ports: number[]): string[] {
  return [
    '--port',
    String(ports[0]),
    ...allProviders.flatMap((p, i) => [`--${p.name}-port`, String(ports[i + 1])]),
  ]
}

function startHub(args: string[]): Promise<{ child: ChildProcess; stdout: string }> {
  const child = spawn(process.execPath, [...CLI, 'up', '--log', 'silent', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  return untilOutput(child, 'toss', {
    timeoutMs: 25_000,
    timedOut: (stderr) => `hub did not start: ${stderr}`,
    exited: (code, stderr) => `hub exited ${code}: ${stderr}`,
  }).then((stdout) => ({ child, stdout }))
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

describe('standin up', () => {
  it('starts every provider and the control plane, obeys the CLI, and stops cleanly on SIGTERM', async () => {
    const ports = await freePorts(allProviders.length + 1)
    const { child, stdout } = await startHub([...portFlags(ports), '--seed', '9'])
    const url = `http://127.0.0.1:${ports[0]}`
    expect(stdout).toContain(`control plane  ${url}/_standin`)
    const health = await fetch(`${url}/_standin/health`).then((r) => r.json())
    expect(health.seed).toBe(9)
    expect(health.providers.map((p: { name: string }) => p.name)).toEqual(allProviders.map((p) => p.name))
    // each provider answers on its own port
    for (const [i, provider] of allProviders.entries()) {
      const response = await fetch(`http://127.0.0.1:${ports[i + 1]}/standin-probe`)
      expect(response.status, provider.name).toBeGreaterThanOrEqual(400)
    }
    // the CLI drives the running hub
    const added = await run(process.execPath, [
      ...CLI,
      '--url',
      url,
      'faults',
      'add',
      '--provider',
      'stripe',
      '--path',
      '/v1/charges',
      '--status',
      '503',
      '--times',
      '2',
    ])
    expect(added.stdout).toMatch(/fault_\d+: for stripe \/v1\/charges, respond HTTP 503, 2 times/)
    const listed = await run(process.execPath, [...CLI, '--url', url, '--json', 'faults', 'list'])
    expect(JSON.parse(listed.stdout)).toHaveLength(1)
    const bad = await run(process.execPath, [
      ...CLI,
      '--url',
      url,
      'faults',
      'add',
      '--provider',
      'stripe',
    ]).catch((e) => e)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('Give one effect: --error, --status')
    const dashboard = await fetch(`${url}/`).then((r) => r.text())
    expect(dashboard).toContain('<title>standin</title>')

    const done = exited(child)
    child.kill('SIGTERM')
    expect(await done).toBe(0)
    await expect(fetch(`${url}/_standin/health`)).rejects.toThrow()
  }, 120_000)

  it('exits non-zero with a clear message when a port is taken', async () => {
    const ports = await freePorts(allProviders.length + 1)
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(ports[4], '127.0.0.1', resolve))
    try {
      const child = spawn(process.execPath, [...CLI, 'up', '--log', 'silent', ...portFlags(ports)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      let stderr = ''
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d
      })
      expect(await exited(child)).toBe(2)
      expect(stderr).toContain(`port ${ports[4]} on 127.0.0.1 is in use`)
      expect(stderr).toContain(`--${allProviders[3]!.name}-port`)
    } finally {
      blocker.close()
    }
  }, 60_000)

  it('refuses a bad configuration naming the setting', async () => {
    const result = await run(process.execPath, [...CLI, 'up', '--providers', 'stripe,paypal']).catch((e) => e)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("unknown provider 'paypal'")
  }, 30_000)
})
