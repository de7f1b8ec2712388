// Webhook deliveries: every attempt on a timeline (headers, status, latency, the rules that tampered with it), redeliver.
import { api, query } from './api.js'
import { clearError, h, headersTable, pretty, replace, select, showError, time } from './dom.js'

const statusBadge = (status) =>
  h(
    'span',
    { class: `badge ${status === 'delivered' ? 'ok' : status === 'failed' ? 'bad' : 'warn'}` },
    status,
  )

/** The rules in force, so a tampering (an effect type) is shown with the rule that has that effect. */
let rulesInForce = []
/** The `<details>` the reader opened (by data-key), kept open when a change redraws the list. */
const openDetails = new Set()
function ruleName(effectType) {
  const rules = rulesInForce.filter((r) => r.effect?.type === effectType)
  return rules.length
    ? `${effectType} (rule ${rules.map((r) => (r.name ? `${r.id} "${r.name}"` : r.id)).join(' or ')})`
    : effectType
}

function attemptItem(deliveryId, attempt) {
  return h(
    'li',
    { class: attempt.outcome, dataset: { attempt: attempt.n } },
    h(
      'div',
      {},
      h('strong', {}, `Attempt ${attempt.n}`),
      ' ',
      h('span', { class: `badge ${attempt.outcome === 'delivered' ? 'ok' : 'bad'}` }, attempt.outcome),
      ' ',
      h(
        'span',
        { class: 'mono' },
        attempt.status ? `HTTP ${attempt.status}` : (attempt.error ?? 'no answer'),
      ),
      ' · ',
      h('span', { class: 'latency' }, `${Math.round(attempt.durationMs)} ms`),
      ' · ',
      h('span', { class: 'muted' }, `${attempt.trigger} · ${time(attempt.at)}`),
    ),
    attempt.tampering.length
      ? h('div', { class: 'tampering warn' }, `tampered by: ${attempt.tampering.map(ruleName).join(', ')}`)
      : null,
    attempt.error && attempt.status ? h('div', { class: 'bad' }, attempt.error) : null,
    h(
      'details',
      {
        dataset: { key: `${deliveryId}:${attempt.n}:headers` },
        open: openDetails.has(`${deliveryId}:${attempt.n}:headers`),
      },
      h('summary', {}, 'Request headers'),
      headersTable(attempt.requestHeaders),
    ),
    attempt.responseExcerpt
      ? h(
          'details',
          {
            dataset: { key: `${deliveryId}:${attempt.n}:response` },
            open: openDetails.has(`${deliveryId}:${attempt.n}:response`),
          },
          h('summary', {}, 'Response'),
          h('pre', {}, attempt.responseExcerpt),
        )
      : null,
  )
}

export function webhooksPanel(root, ctx) {
  const status = h('div', { class: 'panel-status' })
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Delivery filters' })
  const renderFilters = () => {
    const current = Object.fromEntries(new FormData(filters))
    replace(
      filters,
      select(
        'provider',
        'Provider',
        ctx
          .providers()
          .filter((p) => p.webhooks)
          .map((p) => p.name),
        { value: current.provider },
      ),
      select('status', 'Status', ['pending', 'retrying', 'delivered', 'failed'], { value: current.status }),
      h(
        'label',
        {},
        'Event type',
        h('input', { name: 'eventType', placeholder: 'payment_intent.*', value: current.eventType ?? '' }),
      ),
      h(
        'label',
        {},
        'Text in payload',
        h('input', { name: 'payloadContains', type: 'search', value: current.payloadContains ?? '' }),
      ),
    )
  }
  let typing
  filters.addEventListener('input', () => {
    clearTimeout(typing)
    typing = setTimeout(() => self.loadDeliveries(), 250)
  })
  filters.addEventListener('submit', (event) => event.preventDefault())
  renderFilters()
  const rules = h('div', { class: 'rules' })
  const list = h('div', { class: 'deliveries' })
  let deliveries = []
  let self

  const redeliver = async (delivery, button, slot) => {
    button.disabled = true
    try {
      await api(`/webhooks/deliveries/${encodeURIComponent(delivery.id)}/redeliver`, { method: 'POST' })
      clearError(slot)
      await self.load()
    } catch (error) {
      showError(slot, `redeliver ${delivery.eventId}`, error)
    } finally {
      button.disabled = false
    }
  }

  const card = (d) => {
    const slot = h('div')
    const button = h(
      'button',
      { type: 'button', disabled: d.status === 'pending' || d.status === 'retrying' },
      'Redeliver',
    )
    button.addEventListener('click', () => redeliver(d, button, slot))
    const details = h(
      'details',
      { open: openDetails.has(d.id), dataset: { key: d.id } },
      h(
        'summary',
        {},
        `${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'}${d.nextAttemptAt ? ` · next at ${time(d.nextAttemptAt)}` : ''}`,
      ),
      h(
        'ol',
        { class: 'timeline', 'aria-label': `Attempts of ${d.eventId}` },
        d.attempts.map((a) => attemptItem(d.id, a)),
      ),
    )
    return h(
      'article',
      { class: 'card delivery', dataset: { id: d.id, event: d.eventId } },
      h(
        'header',
        {},
        statusBadge(d.status),
        h('strong', {}, d.eventType),
        h('span', { class: 'mono' }, d.eventId),
        h('span', { class: 'muted' }, `${d.provider} · ${d.account}`),
        h('span', { class: 'muted mono' }, `→ ${d.url}`),
        button,
      ),
      slot,
      details,
    )
  }

  const renderRules = (list) =>
    replace(
      rules,
      list.length
        ? h(
            'div',
            { class: 'card' },
            h('h3', {}, 'Webhook rules in force'),
            h(
              'ul',
              {},
              list.map((r) =>
                h(
                  'li',
                  {},
                  h('span', { class: 'mono' }, r.id),
                  ` ${r.explanation ?? pretty(r.effect)} `,
                  h('button', { type: 'button', class: 'danger', onclick: () => removeRule(r.id) }, 'Remove'),
                ),
              ),
            ),
          )
        : null,
    )

  const removeRule = async (id) => {
    try {
      await api(`/webhooks/rules/${encodeURIComponent(id)}`, { method: 'DELETE' })
      await self.loadRules()
    } catch (error) {
      showError(status, `remove webhook rule ${id}`, error)
    }
  }

  replace(root, status, rules, filters, list)
  self = {
    topics: ['deliveries', 'webhookRules'],
    async load(topics = this.topics) {
      if (topics.includes('webhookRules')) await this.loadRules()
      if (topics.includes('deliveries')) await this.loadDeliveries()
    },
    async loadDeliveries() {
      try {
        const wanted = Object.fromEntries(new FormData(filters))
        deliveries = (await api(`/webhooks/deliveries${query({ ...wanted, limit: 100 })}`)).deliveries
        clearError(status)
        // What the reader opened stays open when a change redraws the list.
        openDetails.clear()
        for (const el of list.querySelectorAll('details[open][data-key]')) openDetails.add(el.dataset.key)
        replace(
          list,
          deliveries.length
            ? deliveries.map(card)
            : h(
                'p',
                { class: 'muted' },
                [...new FormData(filters).values()].some(Boolean)
                  ? 'No delivery matches.'
                  : 'No webhook deliveries yet.',
              ),
        )
      } catch (error) {
        showError(status, 'load webhook deliveries', error, () => this.loadDeliveries())
      }
    },
    catalogue() {
      renderFilters()
    },
    async loadRules() {
      try {
        rulesInForce = (await api('/webhooks/rules')).rules
        renderRules(rulesInForce)
      } catch (error) {
        showError(status, 'load webhook rules', error, () => this.loadRules())
      }
    },
  }
  return self
}
