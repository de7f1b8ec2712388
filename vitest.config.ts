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
    // Type tests (*.test-d.ts): `npx vitest run --typecheck.only`; `tsc -p .` checks them too.
    typecheck: {
      enabled: false,
      include: ['simulators/**/*.test-d.ts'],
      tsconfig: 'tsconfig.json',
      // Errors in files the type tests import are tsc's to report, not the type tests'.
      ignoreSourceErrors: true,
    },
  },
})
