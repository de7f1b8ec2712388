// The request journal: filters (provider, operation, status, account, text), newest first, request and response on click.
import { api, query } from './api.js'
import {
  clearError,
  clockTime,
  h,
  headersTable,
  pretty,
  replace,
  select,
  showError,
  statusClass,
} from './dom.js'

const KEEP = 500

export function journalPanel(root, ctx) {
  const status = h('div', { class: 'panel-status' })
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Journal filters' })
  const body = h('tbody')
  const detail = h('div', { class: 'detail' })
  let entries = []
  let lastSeq = 0
  let selected
  let generation = 0

  const filters = () => {
    const data = Object.fromEntries(new FormData(form))
    return {
      provider: data.provider,
      operation: data.operation,
      status: data.status,
      account: data.account?.trim(),
      contains: data.contains,
    }
  }

  const renderForm = () => {
    const current = filters()
    const providers = ctx.providers()
    const ops = providers
      .filter((p) => !current.provider || p.name === current.provider)
      .flatMap((p) => p.operations.map((o) => o.operation))
    replace(
      form,
      select(
        'provider',
        'Provider',
        providers.map((p) => p.name),
        { value: current.provider },
      ),
      select('operation', 'Operation', [...new Set(ops)].sort(), { value: current.operation }),
      h(
        'label',
        {},
        'Status',
        h('input', {
          name: 'status',
          inputmode: 'numeric',
          size: 5,
          value: current.status ?? '',
          placeholder: '402',
        }),
      ),
      h('label', {}, 'Account', h('input', { name: 'account', size: 14, value: current.account ?? '' })),
      h(
        'label',
        {},
        'Text in body',
        h('input', { name: 'contains', type: 'search', value: current.contains ?? '', placeholder: 'o_81' }),
      ),
      h('button', { type: 'reset' }, 'Clear'),
    )
  }

  const row = (e) =>
    h(
      'tr',
      {
        class: 'clickable',
        'aria-selected': String(e.seq === selected),
        dataset: { seq: e.seq },
        onclick: () => show(e),
      },
      h('td', { class: 'mono' }, e.seq),
      h('td', { class: 'mono hide-narrow' }, clockTime(e.at)),
      h('td', {}, e.provider),
      h(
        'td',
        {},
        h('div', {}, e.operation ?? ''),
        h('div', { class: 'mono muted' }, `${e.method} ${e.path}`),
      ),
      h('td', { class: statusClass(e.status) }, e.status || e.outcome),
      h('td', { class: 'hide-narrow' }, `${Math.round(e.durationMs)}`),
      h('td', { class: 'hide-narrow' }, e.account ?? ''),
      h('td', {}, e.fault ? h('span', { class: 'warn' }, e.fault.explanation) : ''),
    )

  const show = (e) => {
    selected = e.seq
    for (const tr of body.children) tr.setAttribute('aria-selected', String(Number(tr.dataset.seq) === e.seq))
    replace(
      detail,
      h(
        'div',
        { class: 'card', 'aria-label': `Request ${e.seq}`, role: 'region' },
        h('h2', {}, `#${e.seq} ${e.method} ${e.path} → ${e.status || e.outcome}`),
        e.fault ? h('p', { class: 'warn' }, `fault rule ${e.fault.ruleId}: ${e.fault.explanation}`) : null,
        e.internalError ? h('p', { class: 'bad' }, `standin failed: ${e.internalError}`) : null,
        h(
          'div',
          { class: 'grid2' },
          h(
            'div',
            {},
            h('h3', {}, 'Request body'),
            h('pre', { class: 'request-body' }, pretty(e.body) || '(empty)'),
            Object.keys(e.query ?? {}).length ? [h('h3', {}, 'Query'), h('pre', {}, pretty(e.query))] : null,
            h('details', {}, h('summary', {}, 'Request headers'), headersTable(e.headers)),
          ),
          h(
            'div',
            {},
            h('h3', {}, 'Response body'),
            h('pre', { class: 'response-body' }, pretty(e.response) || '(empty)'),
          ),
        ),
      ),
    )
  }

  const render = () =>
    replace(
      body,
      entries.length
        ? entries.map(row)
        : h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No requests match.')),
    )

  const self = {
    topics: ['journal'],
    /** A change only fetches what came after the newest entry shown; a filter change fetches afresh. */
    async load(topics, { fresh = false } = {}) {
      const mine = ++generation
      const incremental = !fresh && lastSeq > 0 && topics !== undefined
      try {
        const q = query({
          ...filters(),
          limit: incremental ? KEEP : 200,
          afterSeq: incremental ? lastSeq : undefined,
        })
        const answer = await api(`/journal${q}`)
        if (mine !== generation) return
        const got = answer.entries.reverse()
        // The journal was cleared (its newest entry is older than ours): start over.
        entries = incremental && answer.lastSeq >= lastSeq ? [...got, ...entries].slice(0, KEEP) : got
        lastSeq = answer.lastSeq
        clearError(status)
        render()
      } catch (error) {
        if (mine === generation)
          showError(status, 'load the journal', error, () => this.load(undefined, { fresh: true }))
      }
    },
    catalogue() {
      renderForm()
    },
  }

  let typing
  form.addEventListener('input', (event) => {
    if (event.target.name === 'provider') renderForm()
    clearTimeout(typing)
    typing = setTimeout(
      () => self.load(undefined, { fresh: true }),
      event.target.type === 'search' || event.target.name === 'status' || event.target.name === 'account'
        ? 250
        : 0,
    )
  })
  // Clear, not reset: a reset would bring back the values the form was last drawn with.
  form.addEventListener('reset', (event) => {
    event.preventDefault()
    for (const field of form.elements) if (field.name) field.value = ''
    renderForm()
    self.load(undefined, { fresh: true })
  })
  form.addEventListener('submit', (event) => event.preventDefault())

  renderForm()
  replace(
    root,
    status,
    form,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'aria-label': 'Requests' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['#', 'time', 'provider', 'request', 'status', 'ms', 'account', 'fault'].map((t) =>
              h('th', { class: ['time', 'ms', 'account'].includes(t) ? 'hide-narrow' : undefined }, t),
            ),
          ),
        ),
        body,
      ),
    ),
    detail,
  )
  return self
}
