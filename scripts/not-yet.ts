/**
 * Placeholder for commands whose issue has not landed. It fails loudly rather
 * than pretending to pass, so CI never mistakes "not built" for "green".
 */
const what = process.argv[2] ?? 'this command'
const issue: Record<string, string> = {
  load: 'the Locust load profiles (smoke, load, stress, spike, soak)',
  gate: 'the release gate that reads every report and prints a verdict',
}
process.stderr.write(
  `standin: '${what}' is not built yet: ${issue[what] ?? 'no issue has built it'}. Nothing was run.\n`,
)
process.exit(2)
