import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

// Each case starts the CLI (tsx) once: slow on a busy machine, never a hang.
vi.setConfig({ testTimeout: 150_000 })

/** Bad profiles and unreachable apps, as a user meets them on the command line: one plain line, never a stack. */
const dir = mkdtempSync(join(tmpdir(), 'standin-cli-'))
const reference = JSON.parse(readFileSync('scenarios/target/profiles/reference-target.json', 'utf8'))
const write = (name: string, profile: unknown) => {
  const file = join(dir, name)
  writeFileSync(file, typeof profile === 'string' ? profile : JSON.stringify(profile))
  return file
}
// Asynchronous: the stand-in hub below lives in this process and must keep answering meanwhile.
const standin = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((done) => {
    execFile(
      'npx',
      ['tsx', 'simulators/hub/cli.ts', ...args],
      { encoding: 'utf8', timeout: 120_000 },
      (error, out, err) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err }),
    )
  })

// A stand-in for a hub: only its health answers, which is all the pre-flight asks.
const hub = createServer((req, res) => {
  res.writeHead(req.url === '/_standin/health' ? 200 : 404, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ status: 'ok', seed: '1', providers: [] }))
})
let hubUrl = ''
let closedUrl = '' // a port nothing listens on (fetch refuses the well-known low ones outright)
beforeAll(async () => {
  const probe = createServer()
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
  closedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`
  await new Promise((done) => probe.close(done))
  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done))
  hubUrl = `http://127.0.0.1:${(hub.address() as { port: number }).port}`
})
afterAll(() => hub.close())

describe('standin journeys with a bad profile or an unreachable app', () => {
  it.each([
    ['a missing field', { ...reference, baseUrl: undefined }, /baseUrl: /],
    [
      'a wrong type',
      { ...reference, rules: { ...reference.rules, chatMessageCost: 'one' } },
      /rules\.chatMessageCost: .*expected number/,
    ],
    [
      'an unknown flow',
      { ...reference, capabilities: { ...reference.capabilities, flows: ['dating'] } },
      /capabilities\.flows\[0\]/,
    ],
    [
      'a misspelt step',
      { ...reference, steps: { ...reference.steps, buyCredit: reference.steps.balance } },
      /steps\.buyCredit: unknown field/,
    ],
  ])('names the field for %s', async (_what, profile, field) => {
    const { code, err } = await standin('journeys', '--profile', write('bad.json', profile))
    expect(code).toBe(2)
    expect(err).toMatch(/^standin: Failed to load the target profile .*bad\.json:/)
    expect(err).toMatch(field)
    expect(err).not.toMatch(/\n\s+at /)
  })

  it('names the file it cannot parse', async () => {
    const { code, err } = await standin('journeys', '--profile', write('broken.yaml', 'name: [unclosed'))
    expect(code).toBe(2)
    expect(err).toMatch(/Failed to parse the target profile .*broken\.yaml/)
  })

  it('names the URL of an app that does not answer', async () => {
    const profile = write('down.json', { ...reference, baseUrl: closedUrl })
    const { code, err } = await standin('journeys', '--profile', profile, '--hub', hubUrl)
    expect(code).toBe(2)
    expect(err).toMatch(new RegExp(`Failed to reach the app at ${closedUrl}/health: .*ECONNREFUSED`))
    expect(err).not.toMatch(/\n\s+at /)
  })

  it('names the URL of a hub that does not answer', async () => {
    const { code, err } = await standin(
      'journeys',
      '--profile',
      write('ok.json', reference),
      '--hub',
      'http://127.0.0.1:9',
    )
    expect(code).toBe(2)
    expect(err).toMatch(/Failed to reach the standin hub at http:\/\/127\.0\.0\.1:9/)
  })

  it('profile check says what is wrong in plain words, and schema prints the JSON Schema', async () => {
    const checked = await standin(
      'profile',
      'check',
      write('down2.json', { ...reference, baseUrl: 'http://127.0.0.1:9' }),
    )
    expect(checked.code).toBe(1)
    expect(checked.out).toMatch(/^FAIL app: cannot reach http:\/\/127\.0\.0\.1:9\/health/)
    const schema = await standin('profile', 'schema')
    expect(schema.code).toBe(0)
    expect(JSON.parse(schema.out).properties.steps).toBeTruthy()
  })
})
