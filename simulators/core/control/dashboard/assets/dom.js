// A few DOM helpers. Everything the hub sends is put in as text, never as HTML (emails go into a sandboxed iframe).

/** `h('button', { class: 'x', onclick }, 'Label')`: attributes starting with `on` are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value)
    else if (key === 'dataset') Object.assign(el.dataset, value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

export function replace(el, ...children) {
  el.replaceChildren()
  append(el, children)
  return el
}

/**
 * A panel's trouble, shown where it happened with a way to try again; the rest
 * of the panel (and the page) keeps what it had.
 */
export function showError(slot, what, error, retry) {
  replace(
    slot,
    h(
      'div',
      { class: 'error', role: 'alert' },
      `Failed to ${what}: ${error.message}${error.status ? ` (HTTP ${error.status})` : ''}.`,
      retry ? h('button', { type: 'button', onclick: retry }, 'Retry') : null,
    ),
  )
}

export const clearError = (slot) => slot.replaceChildren()

export const pretty = (value) =>
  value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2)

/** Virtual time as the hub reports it, shortened for tables: `2026-12-02 01:48:44.632`. */
export const time = (iso) => (iso ? iso.replace('T', ' ').replace('Z', '') : '')
export const clockTime = (iso) => (iso ? iso.slice(11, 23) : '')

export function statusClass(status) {
  if (!status) return 'bad'
  return status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok'
}

/** A `<select>` with a first "any" option. */
export function select(name, label, options, { any = 'any', value = '' } = {}) {
  return h(
    'label',
    {},
    label,
    h(
      'select',
      { name, 'aria-label': label },
      any === null ? null : h('option', { value: '' }, any),
      options.map((o) =>
        h('option', { value: o.value ?? o, selected: (o.value ?? o) === value }, o.label ?? o.value ?? o),
      ),
    ),
  )
}

export function headersTable(headers) {
  const rows = Object.entries(headers ?? {})
  if (!rows.length) return h('p', { class: 'muted' }, 'no headers')
  return h(
    'table',
    {},
    rows.map(([k, v]) =>
      h('tr', {}, h('th', { class: 'mono' }, k), h('td', { class: 'mono' }, String(v ?? ''))),
    ),
  )
}
