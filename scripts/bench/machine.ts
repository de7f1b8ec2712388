import os from 'node:os'

/** The machine a bench ran on, written into every bench report: figures from a loaded box read differently. */
export function machine() {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
  }
}
