import { Readable } from 'node:stream'

/**
 * A JSON answer too big to build in one go (a journal listing of thousands of
 * entries): written item by item, yielding to the event loop between chunks,
 * so every provider keeps answering while it is sent and no single string
 * has to hold it all.
 * @example return new StreamedJson('entries', entries, { lastSeq })
 */
export class StreamedJson {
  constructor(
    readonly key: string,
    readonly items: readonly unknown[],
    readonly rest: Record<string, unknown> = {},
    /** Bytes to gather before yielding. */
    readonly chunkBytes = 256 * 1024,
  ) {}

  /** The whole value, for in-process callers and validation. */
  toJSON(): Record<string, unknown> {
    return { [this.key]: this.items, ...this.rest }
  }

  stream(): Readable {
    const { key, items, rest, chunkBytes } = this
    async function* chunks() {
      let buffer = `{${JSON.stringify(key)}:[`
      for (let i = 0; i < items.length; i++) {
        buffer += (i > 0 ? ',' : '') + JSON.stringify(items[i])
        if (buffer.length >= chunkBytes) {
          yield buffer
          buffer = ''
          await new Promise<void>((resolve) => setImmediate(resolve))
        }
      }
      const tail = JSON.stringify(rest)
      buffer += tail === '{}' ? ']}' : `],${tail.slice(1)}`
      yield buffer
    }
    return Readable.from(chunks(), { objectMode: false })
  }
}
