// The control plane, as the dashboard calls it: JSON in and out, errors as ApiError with the hub's own message.
export const PREFIX = '/_standin'

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message)
    this.status = status
    this.field = field
  }
}

/** Fired when the hub answers 401: the page shows the token form. */
export const UNAUTHORIZED = 'standin:unauthorized'

export async function api(path, { method = 'GET', body } = {}) {
  let response
  try {
    response = await fetch(PREFIX + path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    throw new ApiError(0, `the hub did not answer (${error.message})`)
  }
  const text = await response.text()
  let data
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = undefined
  }
  if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED))
  if (!response.ok)
    throw new ApiError(
      response.status,
      data?.error?.message ?? `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      data?.error?.field,
    )
  return data
}

/** `{ a: '1', b: '' }` → `?a=1`: empty filters are left out. */
export function query(params) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : ''
}
