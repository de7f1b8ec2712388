import { defineConfig } from 'vitest/config'

/**
 * The StandinContainer tests need a Docker engine and the standin/hub image, so
 * they are not part of the unit run: scripts/docker/e2e.sh runs them after it
 * has started an engine and built the image (`*.docker.ts`, one file at a time).
 */
export default defineConfig({
  test: {
    include: ['simulators/testcontainers/**/*.docker.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
