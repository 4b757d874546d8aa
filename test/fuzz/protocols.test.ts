import { describe, expect, it } from 'vitest';
import { reportTable } from './lib.js';
import { fuzzDiscord } from './targets/discord.js';
import { fuzzMcp } from './targets/mcp.js';

// A fixed-seed share of what `pnpm bench fuzz` runs (10,000+ cases per target).
const SEED = 20_261_203;

describe('fuzz: protocols against real servers (fixed seed)', () => {
  it('MCP over HTTP: every frame gets a 2xx/4xx with a clear JSON-RPC error, the store stays intact', async () => {
    const r = await fuzzMcp({ runs: 400, seed: SEED });
    expect(r.failure, reportTable([r])).toBeUndefined();
    expect(r.stores?.intact, `${r.stores?.before} -> ${r.stores?.after}`).toBe(true);
    expect(r.stores?.before).toMatch(/^4 sources/);
    expect(Object.keys(r.outcomes).some((k) => k.startsWith('http 200'))).toBe(true);
  }, 120_000);

  it('Discord interactions: no crash, the bot keeps answering, members change no knowledge', async () => {
    const r = await fuzzDiscord({ runs: 120, seed: SEED });
    expect(r.failure, reportTable([r])).toBeUndefined();
    expect(r.stores?.intact, `${r.stores?.before} -> ${r.stores?.after}`).toBe(true);
    expect(Object.keys(r.outcomes).some((k) => k.startsWith('answered'))).toBe(true);
  }, 180_000);
});
