import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { freePorts, untilOutput } from './hub-process.ts'

/**
 * Regression for issue 10 #10: `npm run up` and `npm run standin -- up`
 * stopped by a signal sent to the npm process stop the hub too (the scripts
 * exec node, so the signal npm forwards reaches the hub), leaving no port taken.
 */
const groups: number[] = []
afterEach(() => {
  // Each npm runs in its own process group: whatever is left of it goes, by its id.
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL')
    } catch {}
  }
})

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

/** Starts the hub through npm and resolves once it printed where it listens. */
function npmUp(args: string[], controlPort: number): Promise<ChildProcess> {
  const child = spawn('npm', ['run', '--silent', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, STANDIN_LOG: 'silent' },
  })
  groups.push(child.pid!)
  return untilOutput(child, `127.0.0.1:${controlPort}/_standin`, {
    exited: (code, err) => `npm exited (${code}) before the hub was up: ${err}`,
  }).then(() => child)
}

describe('npm scripts stop the hub on a signal to npm', () => {
  it.each([
    ['up', 'SIGTERM'],
    ['up', 'SIGINT'],
    ['standin', 'SIGTERM'],
  ] as const)('npm run %s, %s to npm', async (script, signal) => {
    const [control, stripe] = await freePorts(2)
    const args =
      script === 'up'
        ? ['up', '--', '--port', String(control), '--providers', 'stripe', '--stripe-port', String(stripe)]
        : [
            'standin',
            '--',
            'up',
            '--port',
            String(control),
            '--providers',
            'stripe',
            '--stripe-port',
            String(stripe),
          ]
    const npm = await npmUp(args, control!)
    expect(await refused(control!)).toBe(false)
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()))
    npm.kill(signal)
    await exited
    // npm waits for its child: once npm is gone the hub has gone too, and its ports are free.
    expect(await refused(control!)).toBe(true)
    expect(await refused(stripe!)).toBe(true)
  })
})
