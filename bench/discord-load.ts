/**
 * The Discord half of the load run (see test/discord/load.ts, which lives next to the emulator so
 * it resolves the test package's dependencies): `hearth discord --shards 2` with PostgreSQL and
 * Redis, 5,000 message events, lost events, per-channel order, p50/p95 event -> reply.
 */
export { run } from '../test/discord/load.js';
