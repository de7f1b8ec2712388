// Fault rules (add from the provider's catalogue, remove, seen/fired counts), webhook-free; and presets (apply).
import { api } from './api.js'
import { clearError, h, replace, select, showError } from './dom.js'

/** The effects the form offers, with the fields each needs (the control plane validates and names a wrong one). */
const EFFECTS = {
  'provider-error': { label: "the provider's own error", fields: [] },
  status: {
    label: 'a raw status and body',
    fields: [
      ['status', 'Status', '503', 'number'],
      ['body', 'Body (JSON)', '{"error":"unavailable"}', 'json'],
    ],
  },
  latency: { label: 'latency', fields: [['ms', 'Delay ms', '2000', 'number']] },
  'connection-reset': { label: 'connection reset', fields: [] },
  hang: {
    label: 'hang (no answer)',
    fields: [['ms', 'For ms (empty: until the client gives up)', '', 'number']],
  },
  'slow-body': { label: 'slow body', fields: [['chunkDelayMs', 'ms between chunks', '200', 'number']] },
}

function ruleFromForm(data) {
  const effect = { type: data.effect }
  if (data.effect === 'provider-error') effect.error = data.error
  for (const [name, , , kind] of EFFECTS[data.effect].fields) {
    const raw = data[name]
    if (raw === undefined || raw === '') continue
    if (kind === 'number') effect[name] = Number(raw)
    else if (kind === 'json') {
      try {
        effect[name] = JSON.parse(raw)
      } catch {
        effect[name] = raw
      }
    } else effect[name] = raw
  }
  const rule = { match: { provider: data.provider }, effect }
  if (data.operation) rule.match.operation = data.operation
  if (data.account) rule.match.account = data.account
  if (data.name) rule.name = data.name
  if (data.times) rule.times = Number(data.times)
  if (data.after) rule.after = Number(data.after)
  if (data.probability) rule.probability = Number(data.probability)
  return rule
}

export function faultsPanel(root, ctx) {
  const status = h('div', { class: 'panel-status' })
  const body = h('tbody')
  const form = h('form', { class: 'form card', 'aria-label': 'Add a fault rule' })
  const formStatus = h('div')
  const presets = h('div', { class: 'presets' })
  const presetStatus = h('div', { class: 'panel-status' })

  const renderForm = () => {
    const before = Object.fromEntries(new FormData(form))
    const providers = ctx.providers()
    const provider = providers.find((p) => p.name === before.provider) ?? providers[0]
    const effect = EFFECTS[before.effect] ? before.effect : 'provider-error'
    replace(
      form,
      h('h2', { style: 'flex-basis:100%' }, 'Add a fault rule'),
      select(
        'provider',
        'Provider',
        providers.map((p) => p.name),
        { any: null, value: provider?.name },
      ),
      select(
        'operation',
        'Operation',
        (provider?.operations ?? []).map((o) => ({
          value: o.operation,
          label: `${o.operation} (${o.method} ${o.path})`,
        })),
        { any: 'any operation', value: before.operation },
      ),
      select(
        'effect',
        'Effect',
        Object.entries(EFFECTS).map(([value, e]) => ({ value, label: e.label })),
        { any: null, value: effect },
      ),
      effect === 'provider-error'
        ? select(
            'error',
            'Error',
            (provider?.errors ?? []).map((e) => ({ value: e.name, label: `${e.name} — ${e.summary}` })),
            { any: null, value: before.error },
          )
        : null,
      EFFECTS[effect].fields.map(([name, label, placeholder]) =>
        h('label', {}, label, h('input', { name, placeholder, value: before[name] ?? '' })),
      ),
      h('label', {}, 'Account', h('input', { name: 'account', size: 12, value: before.account ?? '' })),
      h(
        'label',
        {},
        'Times',
        h('input', { name: 'times', inputmode: 'numeric', size: 4, value: before.times ?? '' }),
      ),
      h(
        'label',
        {},
        'After',
        h('input', { name: 'after', inputmode: 'numeric', size: 4, value: before.after ?? '' }),
      ),
      h(
        'label',
        {},
        'Probability',
        h('input', {
          name: 'probability',
          inputmode: 'decimal',
          size: 4,
          value: before.probability ?? '',
          placeholder: '0–1',
        }),
      ),
      h('label', {}, 'Name', h('input', { name: 'name', value: before.name ?? '' })),
      h('button', { type: 'submit', class: 'primary' }, 'Add rule'),
      h('div', { style: 'flex-basis:100%' }, formStatus),
    )
  }

  const row = (r) => {
    const exhausted = r.times !== undefined && r.fired >= r.times
    return h(
      'tr',
      { dataset: { id: r.id } },
      h('td', { class: 'mono' }, r.id),
      h('td', {}, r.name ? h('strong', {}, r.name, ': ') : null, r.explanation),
      h('td', { class: 'seen' }, r.seen),
      h('td', { class: 'fired' }, r.fired),
      h(
        'td',
        {},
        exhausted ? h('span', { class: 'badge' }, 'exhausted') : h('span', { class: 'badge ok' }, 'live'),
      ),
      h('td', {}, h('button', { type: 'button', class: 'danger', onclick: () => remove(r.id) }, 'Remove')),
    )
  }

  const remove = async (id) => {
    try {
      await api(`/faults/${encodeURIComponent(id)}`, { method: 'DELETE' })
      await self.loadRules()
    } catch (error) {
      showError(status, `remove rule ${id}`, error)
    }
  }

  form.addEventListener('change', (event) => {
    if (event.target.name === 'provider' || event.target.name === 'effect') renderForm()
  })
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      const rule = await api('/faults', {
        method: 'POST',
        body: ruleFromForm(Object.fromEntries(new FormData(form))),
      })
      replace(formStatus, h('p', { class: 'ok', role: 'status' }, `Added ${rule.id}: ${rule.explanation}`))
      await self.loadRules()
    } catch (error) {
      showError(formStatus, `add the rule${error.field ? ` (${error.field})` : ''}`, error)
    }
  })

  const presetCard = (p) => {
    const out = h('div')
    const vars = Object.entries(p.vars ?? {})
    const presetForm = h(
      'form',
      { class: 'form', 'aria-label': `Apply preset ${p.name}` },
      vars.map(([name, description]) =>
        h('label', {}, `${name} (${description})`, h('input', { name, required: true })),
      ),
      h('button', { type: 'submit' }, 'Apply'),
    )
    presetForm.addEventListener('submit', async (event) => {
      event.preventDefault()
      try {
        const applied = await api(`/presets/${encodeURIComponent(p.name)}/apply`, {
          method: 'POST',
          body: { vars: Object.fromEntries(new FormData(presetForm)) },
        })
        replace(
          out,
          h(
            'p',
            { class: 'ok', role: 'status' },
            `Applied ${p.name}: ${applied.faults.length} fault rule(s), ${applied.webhookRules.length} webhook rule(s).`,
          ),
        )
        await self.loadRules()
      } catch (error) {
        showError(out, `apply ${p.name}${error.field ? ` (${error.field})` : ''}`, error)
      }
    })
    return h(
      'article',
      { class: 'card preset', dataset: { name: p.name } },
      h('h3', {}, p.name),
      h('p', { class: 'muted' }, p.description),
      presetForm,
      out,
    )
  }

  replace(
    root,
    status,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'aria-label': 'Fault rules' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['id', 'rule', 'seen', 'fired', '', ''].map((t) => h('th', {}, t)),
          ),
        ),
        body,
      ),
    ),
    h('div', { style: 'height:.75rem' }),
    form,
    h('h2', {}, 'Presets'),
    presetStatus,
    presets,
  )
  renderForm()

  const self = {
    topics: ['faults'],
    async load() {
      await Promise.all([this.loadRules(), this.loadPresets()])
    },
    async loadRules() {
      try {
        const rules = (await api('/faults')).rules
        clearError(status)
        replace(
          body,
          rules.length
            ? rules.map(row)
            : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No fault rules.')),
        )
      } catch (error) {
        showError(status, 'load fault rules', error, () => this.loadRules())
      }
    },
    async loadPresets() {
      if (presets.childElementCount) return
      try {
        const list = (await api('/presets')).presets
        clearError(presetStatus)
        replace(
          presets,
          list.length ? list.map(presetCard) : h('p', { class: 'muted' }, 'No presets loaded.'),
        )
      } catch (error) {
        showError(presetStatus, 'load presets', error, () => this.loadPresets())
      }
    },
    catalogue() {
      renderForm()
    },
  }
  return self
}
