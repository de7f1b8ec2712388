/**
 * The hub dashboard: one static page that reads the control plane and shows
 * providers, recent requests (with the rule that touched each), webhook
 * deliveries with their attempts, captured messages and active rules.
 * It refreshes itself; there is nothing to build.
 */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>standin</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1d2330}
h1{margin:0 0 .25rem}h2{margin:1.5rem 0 .5rem;font-size:1.05rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e6ee;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f6fa}code{font-size:12px}.bad{color:#b42318}.ok{color:#067647}.muted{color:#667085}
</style></head><body>
<h1>standin</h1><div class="muted" id="clock"></div>
<h2>Providers</h2><table id="providers"></table>
<h2>Fault rules</h2><table id="faults"></table>
<h2>Recent requests</h2><table id="journal"></table>
<h2>Webhook deliveries</h2><table id="deliveries"></table>
<h2>Captured messages</h2><table id="messages"></table>
<script>
const api = (p) => fetch('/_standin' + p).then((r) => r.json())
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]))
const table = (id, head, rows) => { document.getElementById(id).innerHTML =
  '<tr>' + head.map((h) => '<th>' + h + '</th>').join('') + '</tr>' +
  (rows.length ? rows.map((r) => '<tr>' + r.map((c) => '<td>' + c + '</td>').join('') + '</tr>').join('') : '<tr><td class="muted" colspan="' + head.length + '">none</td></tr>') }
async function refresh() {
  const [h, f, j, d, m] = await Promise.all([api('/health'), api('/faults'), api('/journal?limit=30'), api('/webhooks/deliveries?limit=20'), api('/messages?limit=20')])
  document.getElementById('clock').textContent = 'virtual time ' + h.clock.now + ' · scale ' + h.clock.scale + ' · seed ' + h.seed
  table('providers', ['name', 'url'], h.providers.map((p) => [esc(p.name), '<code>' + esc(p.url) + '</code>']))
  table('faults', ['id', 'rule', 'seen', 'fired'], f.rules.map((r) => [esc(r.id), esc(r.explanation), r.seen, r.fired]))
  table('journal', ['#', 'time', 'provider', 'request', 'status', 'ms', 'fault'], j.entries.reverse().map((e) => [e.seq, esc(e.at.slice(11, 23)), esc(e.provider),
    '<code>' + esc(e.method + ' ' + e.path) + '</code>', '<span class="' + (e.status >= 400 || !e.status ? 'bad' : 'ok') + '">' + (e.status || e.outcome) + '</span>', e.durationMs, esc(e.fault ? e.fault.explanation : '')]))
  table('deliveries', ['event', 'type', 'url', 'status', 'attempts'], d.deliveries.map((x) => [esc(x.eventId), esc(x.eventType), '<code>' + esc(x.url) + '</code>',
    '<span class="' + (x.status === 'delivered' ? 'ok' : x.status === 'failed' ? 'bad' : '') + '">' + x.status + '</span>',
    x.attempts.map((a) => (a.status ?? a.outcome) + (a.tampering.length ? ' (' + esc(a.tampering.join(',')) + ')' : '')).join(' → ')]))
  table('messages', ['time', 'provider', 'to', 'text'], m.messages.map((x) => [esc(x.at.slice(11, 19)), esc(x.provider), esc(x.to), esc((x.subject ? x.subject + ': ' : '') + x.text.slice(0, 160))]))
}
refresh(); setInterval(refresh, 2000)
</script></body></html>`
}
