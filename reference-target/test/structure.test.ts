import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(import.meta.dirname, '../src')
const PROVIDERS = ['stripe', 'razorpay', 'toss', 'twilio', 'aligo', 'sendgrid']

async function sources(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await sources(p)))
    else if (p.endsWith('.ts')) out.push({ path: relative(SRC, p), text: await readFile(p, 'utf8') })
  }
  return out
}

describe('structure', () => {
  it('no code compares a provider with a provider name: flows call gateways, registries pick them', async () => {
    const compare = new RegExp(
      `[=!]==\\s*['"](${PROVIDERS.join('|')})['"]|['"](${PROVIDERS.join('|')})['"]\\s*[=!]==`,
    )
    const files = await sources(SRC)
    expect(files.length).toBeGreaterThan(20)
    const offenders = files.flatMap(({ path, text }) =>
      text
        .split('\n')
        .map((line, i) => ({ line, at: `${path}:${i + 1}` }))
        .filter(({ line }) => compare.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    )
    expect(offenders).toEqual([])
    // The check itself can fail: a branch written the old way is caught.
    expect(compare.test("if (p.provider === 'stripe')")).toBe(true)
  })
})
