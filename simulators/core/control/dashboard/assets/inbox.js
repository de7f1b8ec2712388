// Inbox: captured SMS, Kakao and email, grouped by recipient (like Mailpit); emails rendered in a sandboxed iframe.
import { api } from './api.js'
import { clearError, h, replace, showError, time } from './dom.js'

/**
 * The email's own HTML, in an iframe with no scripts and no same-origin access.
 * `<base target="_blank">` makes its links open in a new tab (the sandbox allows
 * popups, which escape the sandbox so the opened page works normally).
 */
function emailFrame(message) {
  const frame = h('iframe', {
    class: 'email',
    title: `Email to ${message.to}: ${message.subject ?? ''}`,
    sandbox: 'allow-popups allow-popups-to-escape-sandbox',
    referrerpolicy: 'no-referrer',
  })
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><base target="_blank">${message.html}`
  return frame
}

export function linksOf(message) {
  const found = []
  const add = (url) => {
    const clean = url.replace(/&amp;/g, '&').replace(/[).,;]+$/, '')
    if (/^https?:/i.test(clean) && !found.includes(clean)) found.push(clean)
  }
  for (const m of (message.html ?? '').matchAll(/href\s*=\s*["']([^"']+)["']/gi)) add(m[1])
  for (const m of (message.text ?? '').matchAll(/https?:\/\/[^\s"'<>]+/gi)) add(m[0])
  return found
}

function messageCard(message) {
  const links = linksOf(message)
  return h(
    'article',
    { class: 'card message', dataset: { id: message.id } },
    h(
      'header',
      {},
      h('span', { class: 'badge' }, message.channel),
      h(
        'strong',
        {},
        message.subject ?? (message.channel === 'email' ? '(no subject)' : (message.from ?? '')),
      ),
      h('span', { class: 'muted' }, `from ${message.from ?? '?'} via ${message.provider}`),
      h('span', { class: 'muted mono' }, time(message.at)),
    ),
    message.html ? emailFrame(message) : h('pre', { class: 'text' }, message.text),
    message.html && message.text
      ? h('details', {}, h('summary', {}, 'Plain text'), h('pre', {}, message.text))
      : null,
    links.length
      ? h(
          'div',
          { class: 'links' },
          h('h3', {}, 'Links'),
          h(
            'ul',
            {},
            links.map((url) =>
              h('li', {}, h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url)),
            ),
          ),
        )
      : null,
  )
}

export function inboxPanel(root) {
  const status = h('div', { class: 'panel-status' })
  const search = h('input', {
    type: 'search',
    name: 'recipient',
    placeholder: 'Filter recipients',
    'aria-label': 'Filter recipients',
  })
  const recipients = h('div', { class: 'list', role: 'listbox', 'aria-label': 'Recipients' })
  const messages = h('div', { class: 'messages', 'aria-label': 'Messages', role: 'region' })
  let all = []
  let selected
  let rendered = false
  /** Loads started: two changes close together start two, and the older answer may arrive last. */
  let loads = 0

  const byRecipient = () => {
    const groups = new Map()
    for (const m of all) {
      const group = groups.get(m.to) ?? { to: m.to, channel: m.channel, items: [] }
      group.items.push(m)
      groups.set(m.to, group)
    }
    return [...groups.values()]
  }

  const render = () => {
    const groups = byRecipient()
    const filter = search.value.trim().toLowerCase()
    const shown = groups.filter((g) => !filter || g.to.toLowerCase().includes(filter))
    if (selected === undefined || !groups.some((g) => g.to === selected)) selected = shown[0]?.to
    replace(
      recipients,
      shown.length
        ? shown.map((g) =>
            h(
              'button',
              {
                type: 'button',
                class: 'item',
                role: 'option',
                'aria-selected': String(g.to === selected),
                onclick: () => {
                  selected = g.to
                  render()
                },
              },
              h(
                'div',
                {},
                h('strong', { class: 'mono' }, g.to),
                ' ',
                h('span', { class: 'badge' }, g.items.length),
              ),
              h(
                'div',
                { class: 'muted' },
                `${g.channel} · ${g.items[0].subject ?? g.items[0].text.slice(0, 60)}`,
              ),
            ),
          )
        : h(
            'p',
            { class: 'muted', style: 'padding:.5rem' },
            all.length ? 'no recipient matches' : 'No messages captured yet.',
          ),
    )
    const group = groups.find((g) => g.to === selected)
    replace(messages, group ? [h('h2', {}, `To ${group.to}`), group.items.map(messageCard)] : null)
  }

  search.addEventListener('input', render)
  replace(root, status, h('div', { class: 'split' }, h('div', {}, search, recipients), messages))

  return {
    topics: ['messages'],
    async load() {
      const load = ++loads
      try {
        const fresh = (await api('/messages?limit=500')).messages
        // A later load is under way: its list is newer, and this one must not overwrite it.
        if (load !== loads) return
        clearError(status)
        // Unchanged: keep the frames as they are (no reload, no lost scroll).
        if (rendered && fresh.map((m) => m.id).join() === all.map((m) => m.id).join()) return
        all = fresh
        rendered = true
        render()
      } catch (error) {
        showError(status, 'load the inbox', error, () => this.load())
      }
    },
  }
}
