import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { decideType, handsetBody, mobileNumber, titleFor } from './delivery.ts'
import { asHandsetText, eucKrBytes, kstDateTime, parseKst, phpJson, truncateBytes } from './wire.ts'

describe('EUC-KR byte rules', () => {
  it('counts Hangul as 2 bytes, ASCII as 1, unencodable characters as one ?', () => {
    expect(eucKrBytes('가나다')).toBe(6)
    expect(eucKrBytes('abc 123')).toBe(7)
    expect(eucKrBytes('인증번호 [123456]')).toBe(17)
    expect(asHandsetText('ok👍')).toMatch(/^ok\?+$/)
  })

  it('counts ASCII and Hangul syllables without encoding exactly as the encoder does', () => {
    const iconvBytes = (text: string) => iconv.encode(text, 'euc-kr').length
    const samples = [
      '가힣',
      '\u0000\u007f',
      '인증번호는 123456 입니다',
      '각'.repeat(100),
      'ㄱㅏ',
      '漢字',
      'é',
    ]
    for (const text of samples) expect(eucKrBytes(text), text).toBe(iconvBytes(text))
    for (const text of samples)
      expect(asHandsetText(text), text).toBe(iconv.decode(iconv.encode(text, 'euc-kr'), 'euc-kr'))
  })

  it('cuts at a byte limit without splitting a Hangul character', () => {
    expect(truncateBytes('가나다', 5)).toBe('가나')
    expect(truncateBytes('a가나', 4)).toBe('a가')
  })

  it('picks SMS up to 90 bytes, LMS beyond, MMS with an image, keeps an explicit type', () => {
    expect(decideType(undefined, '가'.repeat(45), false)).toBe('SMS')
    expect(decideType(undefined, `${'가'.repeat(45)}a`, false)).toBe('LMS')
    expect(decideType(undefined, 'x', true)).toBe('MMS')
    expect(decideType('MMS', 'x', false)).toBe('LMS')
    expect(decideType('LMS', 'x', false)).toBe('LMS')
    expect(handsetBody('SMS', '가'.repeat(50))).toBe('가'.repeat(45))
    expect(handsetBody('LMS', '가'.repeat(50))).toBe('가'.repeat(50))
    expect(titleFor('SMS', 't', 'b')).toBeUndefined()
    expect(titleFor('LMS', '', '첫 줄\n둘째 줄')).toBe('첫 줄')
  })
})

describe('numbers', () => {
  it('takes Korean mobile numbers with hyphens, not +82 or landlines', () => {
    expect(mobileNumber('010-1234-5678')).toBe('01012345678')
    expect(mobileNumber('0111234567')).toBe('0111234567')
    expect(mobileNumber('+821012345678')).toBeUndefined()
    expect(mobileNumber('0212345678')).toBeUndefined()
  })
})

describe('wire', () => {
  it('encodes JSON as PHP json_encode does', () => {
    expect(phpJson({ message: '인증오류입니다.-IP', url: 'a/b' })).toBe(
      '{"message":"\\uc778\\uc99d\\uc624\\ub958\\uc785\\ub2c8\\ub2e4.-IP","url":"a\\/b"}',
    )
  })

  it('reads and writes Korean time (UTC+9) and refuses impossible dates', () => {
    const at = parseKst('202611211030')!
    expect(new Date(at).toISOString()).toBe('2026-11-21T01:30:00.000Z')
    expect(kstDateTime(at)).toBe('2026-11-21 10:30:00')
    expect(parseKst('202602301030')).toBeUndefined()
    expect(parseKst('202611212460')).toBeUndefined()
  })
})
