import { defineConfig } from 'vitest/config';

// Runs a scaffolded plugin's own tests from a temporary folder, with @hearth/sdk linked to the
// workspace sources (as `npm install` would link a published build).
const conditions = ['hearth-source', 'module', 'node', 'import', 'default'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['hearth-source'] } },
  test: { include: ['test/**/*.test.ts'], pool: 'forks', reporters: ['dot'] },
});
