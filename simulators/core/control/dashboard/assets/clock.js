// The virtual clock: its time ticks here from the last reading and the scale (no request per tick); advance, scale.
import { api } from './api.js'
import { h, replace, showError } from './dom.js'

export function clockPanel(root) {
  const now = h('span', { class: 'now mono', 'aria-label': 'Virtual time' }, '…')
  const info = h('span', { class: 'muted' })
  const status = h('span')
  let reading
  let readAt = 0

  const tick = () => {
    if (!reading) return
    const ms = reading.epochMs + (performance.now() - readAt) * reading.scale
    now.textContent = new Date(ms).toISOString().replace('T', ' ').slice(0, 19)
  }
  setInterval(tick, 250)

  const show = (snapshot) => {
    reading = snapshot
    readAt = performance.now()
    scaleInput.placeholder = String(snapshot.scale)
    info.textContent = `×${snapshot.scale}${snapshot.scale === 0 ? ' (frozen)' : ''} · ${snapshot.pendingTimers} timer${snapshot.pendingTimers === 1 ? '' : 's'} pending`
    tick()
  }

  const post = async (what, path, body) => {
    try {
      show(await api(path, { method: 'POST', body }))
      status.replaceChildren()
    } catch (error) {
      showError(status, what, error)
    }
  }

  const byInput = h('input', { name: 'by', placeholder: '15m', 'aria-label': 'Advance by', required: true })
  const advance = h('form', { 'aria-label': 'Advance' }, byInput, h('button', { type: 'submit' }, 'Advance'))
  advance.addEventListener('submit', (event) => {
    event.preventDefault()
    const by = /^\d+$/.test(byInput.value.trim()) ? Number(byInput.value) : byInput.value.trim()
    post(`advance the clock by ${byInput.value}`, '/clock/advance', { by })
  })
  const scaleInput = h('input', {
    name: 'scale',
    inputmode: 'decimal',
    'aria-label': 'Time scale',
    required: true,
  })
  const scale = h('form', { 'aria-label': 'Scale' }, scaleInput, h('button', { type: 'submit' }, 'Set scale'))
  scale.addEventListener('submit', (event) => {
    event.preventDefault()
    post('set the time scale', '/clock/scale', { scale: Number(scaleInput.value) })
  })

  replace(root, h('span', { class: 'muted' }, 'virtual time'), now, info, advance, scale, status)
  return {
    topics: ['clock'],
    async load() {
      try {
        show(await api('/clock'))
      } catch (error) {
        showError(status, 'read the clock', error, () => this.load())
      }
    },
  }
}
