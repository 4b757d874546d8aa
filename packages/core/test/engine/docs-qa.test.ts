import { describe, expect, it } from 'vitest';
import { runDocsQa } from './answer-path.js';

/**
 * The docs QA set (bench/data/docs-qa.json) on the offline answer path, run on every change to it:
 * Hearth's own docs ingested into a real knowledge store, no chat model, each answer must contain
 * its fact; small talk is answered without sources and every off-topic question is declined.
 */
describe('docs QA on the offline answer path', () => {
  it('answers >= 90 % of the questions with their fact, greets without sources, declines every off-topic question', async () => {
    const r = await runDocsQa();
    const report = [
      ...r.misses.map((m) => `missed "${m.q}" (${JSON.stringify(m.fact)}): ${m.answer}`),
      ...r.wrongly,
    ].join('\n');
    expect(r.total).toBeGreaterThanOrEqual(30);
    expect(r.answered / r.total, report).toBeGreaterThanOrEqual(0.9);
    expect(r.smallTalkOk, report).toBe(r.smallTalkTotal);
    expect(r.declined, report).toBe(r.offTopicTotal);
  }, 60_000);
});
