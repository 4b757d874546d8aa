/**
 * Helpers for multi-process tests: private PostgreSQL and Redis instances that a test may stop and
 * start, and real `hearth` processes.
 * @packageDocumentation
 */
export {
  cleanEnv,
  type HearthProcess,
  REPO,
  type SpawnHearthOptions,
  spawnHearth,
  stopAll,
  workDir,
} from './hearth.js';
export { freePort, waitUntil } from './ports.js';
export { PG_BIN, PRIVATE_PG_PASSWORD, type PrivatePostgres, startPrivatePostgres } from './postgres.js';
export { type PrivateRedis, redisPing, startPrivateRedis } from './redis.js';
