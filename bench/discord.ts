/**
 * Discord surface throughput (see test/discord/throughput.ts, which lives next to the emulator so
 * it resolves the test package's dependencies): 1,000 MESSAGE_CREATE events at 200/s, dropped
 * events, per-channel order, p50/p95 event -> reply, against a bare discord.js bot baseline.
 */
export { run } from '../test/discord/throughput.js';
