import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `hearth-source`
// export condition, so tests never need a build step.
const conditions = ['hearth-source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['hearth-source'] } },
  test: {
    include: ['packages/**/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
