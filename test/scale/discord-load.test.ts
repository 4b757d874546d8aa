/**
 * The Discord load run, small: 300 message events through `hearth discord --shards 2` (two shard
 * processes) with PostgreSQL and Redis set. None lost, replies in order per channel, and each
 * shard process counted exactly the events its shard received. `pnpm bench discord-load` runs 5,000.
 */
import { describe, expect, it } from 'vitest';
import { discordLoad } from '../discord/load.js';

describe('hearth discord --shards 2 under load (PostgreSQL + Redis)', () => {
  it('answers 300 events over 40 channels: none lost, in order per channel, counted per shard', {
    timeout: 400_000,
  }, async () => {
    const r = await discordLoad({ events: 300, rate: 30, channels: 20, drainMs: 180_000 });
    process.stderr.write(
      `discord load (300 events, 2 shard processes): p50 ${r.p50.toFixed(0)} ms, p95 ${r.p95.toFixed(0)} ms, wall ${r.wallS.toFixed(1)} s\n`,
    );
    expect(r.sent).toBe(300);
    expect(r.lost).toBe(0);
    expect(r.wrongReplies).toBe(0);
    expect(r.outOfOrder).toEqual([]);
    // half the events went to the guild (shard 1), half to DMs (shard 0), and each process saw only its own
    expect(r.perShard).toEqual([150, 150]);
    // plus the one warm-up message each
    expect(r.counted).toEqual([151, 151]);
    expect(r.replies[0]).toBeGreaterThanOrEqual(151);
    expect(r.replies[1]).toBeGreaterThanOrEqual(151);
  });
});
