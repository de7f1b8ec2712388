import { describe, expect, it } from 'vitest'
import { type PlainRequest, toPlainRequest } from './http.ts'

const request = (contentType: string | undefined, body: string) =>
  toPlainRequest(
    {
      method: 'POST',
      url: '/x?a=1',
      headers: contentType ? { 'content-type': contentType } : {},
      body: Buffer.from(body),
    },
    { forms: false },
  ) as PlainRequest

describe('toPlainRequest without form decoding (a provider that reads forms itself)', () => {
  it('leaves a form body to the provider and still decodes the query and JSON', () => {
    const form = request('application/x-www-form-urlencoded', 'To=%2B1555&Body=hi')
    expect(form.body).toBeUndefined()
    expect(form.rawBody.toString()).toBe('To=%2B1555&Body=hi')
    expect(form.query).toEqual({ a: '1' })
    expect(request(undefined, 'To=1').body).toBeUndefined()
    expect(request('application/json', '{"a":[1]}').body).toEqual({ a: [1] })
    expect(request(undefined, '{"a":1}').body).toEqual({ a: 1 })
  })
})
