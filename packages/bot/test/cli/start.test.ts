import { describe, expect, it } from 'vitest';
import { bundledDocs } from '../../src/cli/commands/start.js';

describe('hearth start', () => {
  it("ingests the user docs (README, benchmarks, guides) and not the developers' notes", () => {
    const docs = bundledDocs().map((p) => p.replace(/\\/g, '/'));
    expect(docs.some((p) => p.endsWith('/README.md'))).toBe(true);
    expect(docs.some((p) => p.endsWith('/docs/plugins.md'))).toBe(true);
    expect(docs.some((p) => p.endsWith('/BENCHMARKS.md'))).toBe(true);
    expect(docs.some((p) => p.includes('/docs/dev/'))).toBe(false);
  });
});
