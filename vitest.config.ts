import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'simulators/**/*.test.ts',
      'scenarios/**/*.test.ts',
      'fixtures/**/*.test.ts',
      'reference-target/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: false },
  },
})
