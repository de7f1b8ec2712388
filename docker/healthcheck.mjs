// The image's HEALTHCHECK: the hub's control plane answers /_standin/health on
// STANDIN_PORT, with the control token when one is set (every control route needs it).
const port = process.env.STANDIN_PORT || '4700'
const token = process.env.STANDIN_CONTROL_TOKEN
const headers = token ? { authorization: `Bearer ${token}` } : {}
fetch(`http://127.0.0.1:${port}/_standin/health`, { headers, signal: AbortSignal.timeout(3000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
)
