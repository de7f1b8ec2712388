// The dashboard: panels, tabs, the live feed (server-sent events) and the token form.
import { api, PREFIX, UNAUTHORIZED } from './api.js'
import { clockPanel } from './clock.js'
import { faultsPanel } from './faults.js'
import { inboxPanel } from './inbox.js'
import { journalPanel } from './journal.js'
import { webhooksPanel } from './webhooks.js'

let providers = []
const ctx = { providers: () => providers }
const $ = (id) => document.getElementById(id)

const clock = clockPanel($('clock'))
const panels = {
  inbox: inboxPanel($('inbox'), ctx),
  webhooks: webhooksPanel($('webhooks'), ctx),
  journal: journalPanel($('journal'), ctx),
  faults: faultsPanel($('faults'), ctx),
}
// A hidden panel is not fetched on a change; it is marked stale and fetched when shown.
const stale = new Set(Object.keys(panels))

const current = () => (panels[location.hash.slice(1)] ? location.hash.slice(1) : 'inbox')

function showTab() {
  const name = current()
  for (const key of Object.keys(panels)) $(key).hidden = key !== name
  for (const a of document.querySelectorAll('.tabs a')) {
    if (a.dataset.tab === name) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  if (feedStarted && stale.delete(name)) panels[name].load()
}

// The panels first load once the live feed is up (its `hello`), or has failed: a change made between
// a panel's first answer and the feed's start would never be announced, and the panel would miss it
// until the next change. A feed that fails still gets the panels loaded, and refreshed when it is back.
let feedStarted = false
function firstLoad() {
  if (feedStarted) return
  feedStarted = true
  clock.load()
  showTab()
}

async function loadCatalogue() {
  try {
    providers = (await api('/providers')).providers
    for (const panel of Object.values(panels)) panel.catalogue?.()
  } catch {
    // Each panel that needs it says so; retried on the next (re)connection.
  }
}

function refresh(topics, cleared = []) {
  if (topics.includes('clock')) clock.load()
  for (const [name, panel] of Object.entries(panels)) {
    const mine = panel.topics.filter((t) => topics.includes(t))
    if (!mine.length) continue
    if (name !== current()) stale.add(name)
    else if (name === 'journal' && cleared.includes('journal')) panel.load(undefined, { fresh: true })
    else panel.load(mine)
  }
}

let source
let retryTimer
let retryMs = 1000
let gap = false
const live = $('live')
const ALL_TOPICS = ['journal', 'messages', 'deliveries', 'faults', 'webhookRules', 'clock']

function connect() {
  clearTimeout(retryTimer)
  source?.close()
  source = new EventSource(`${PREFIX}/events`)
  source.addEventListener('hello', () => {
    live.textContent = 'live'
    live.className = 'live on'
    retryMs = 1000
    if (!providers.length) loadCatalogue()
    // Changes made while the feed was down were not announced: fetch everything once.
    if (!feedStarted) firstLoad()
    else if (gap) refresh(ALL_TOPICS)
    gap = false
  })
  source.addEventListener('change', (event) => {
    const { topics, cleared } = JSON.parse(event.data)
    refresh(topics, cleared)
  })
  source.addEventListener('error', () => {
    gap = true
    if (!login.hidden) return
    firstLoad()
    live.textContent = 'reconnecting…'
    live.className = 'live off'
    // An EventSource cannot see a 401: ask the API, which raises the token form if that is the reason.
    api('/health').catch(() => {})
    // A dropped connection is retried by the browser; a refused one (an HTTP error) is not, so retry it here.
    if (source.readyState === EventSource.CLOSED) {
      clearTimeout(retryTimer)
      retryTimer = setTimeout(() => login.hidden && connect(), retryMs)
      retryMs = Math.min(retryMs * 2, 15_000)
    }
  })
}

async function start() {
  await loadCatalogue()
  // Locked (the catalogue answered 401): the token form is up; start again once it is accepted.
  if (!login.hidden) return
  for (const name of Object.keys(panels)) stale.add(name)
  feedStarted = false
  showTab()
  connect()
}

// ------------------------------------------------------------------ token
const login = $('login')
const loginForm = $('login-form')
const loginError = $('login-error')
window.addEventListener(UNAUTHORIZED, () => {
  if (!login.hidden) return
  source?.close()
  live.textContent = 'locked'
  live.className = 'live off'
  login.hidden = false
  loginForm.elements.token.focus()
})
loginForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const response = await fetch(`${PREFIX}/login`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: loginForm.elements.token.value }),
  }).catch((error) => error)
  if (response instanceof Error || !response.ok) {
    loginError.hidden = false
    loginError.textContent =
      response instanceof Error
        ? `The hub did not answer: ${response.message}`
        : 'That is not this hub’s token.'
    return
  }
  loginError.hidden = true
  login.hidden = true
  loginForm.reset()
  await start()
})

window.addEventListener('hashchange', showTab)
start()
