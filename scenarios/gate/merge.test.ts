import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MergeError, mergeShardReports } from './merge.ts'

const dir = mkdtempSync(join(tmpdir(), 'standin-merge-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('standin merge-reports', () => {
  it('names the folder and what belongs in it when it holds no blob report', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not a blob')
    await expect(mergeShardReports({ blobs: dir })).rejects.toThrow(MergeError)
    await expect(mergeShardReports({ blobs: join(dir, 'missing') })).rejects.toThrow(
      /no blob reports \(\*\.zip\) in .*missing\. Download every shard's reports\/journeys\/blob\/ there/,
    )
  })
})
