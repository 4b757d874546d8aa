import { type Check, metrics, readiness } from '@hearth/core/ops';
import { type OpsServer, parseOpsListen, startOpsServer } from './server.js';

/** What the ops endpoint reads of a running Hearth; the shared database and queue when it has them. */
export interface OpsHearth {
  redactor: { redact(text: string): string };
  db?: { prepare(sql: string): { get(): unknown } };
  database?: { ping?: () => Promise<unknown> };
  queue?: { counts(): Promise<unknown> };
  config?: unknown;
}

/**
 * Where a process serves its ops endpoints: the `--ops` flag, else `ops.listen` of the config
 * (which reads HEARTH_OPS_LISTEN), else HEARTH_OPS_LISTEN itself; undefined: no ops endpoint.
 */
export function resolveOpsListen(
  flag: string | undefined,
  config: unknown,
): { host: string; port: number } | undefined {
  const fromConfig = (config as { ops?: { listen?: unknown } } | undefined)?.ops?.listen;
  const value =
    flag ?? (typeof fromConfig === 'string' && fromConfig ? fromConfig : process.env.HEARTH_OPS_LISTEN || undefined);
  return value ? parseOpsListen(value) : undefined;
}

/**
 * The checks every surface's /readyz runs: the database (the shared one's ping when this Hearth has
 * one, else the data folder's SQLite) and the job queue's counts when a shared queue is open.
 */
export function hearthChecks(hearth: OpsHearth): Record<string, Check> {
  const checks: Record<string, Check> = {
    database: async () => {
      if (typeof hearth.database?.ping === 'function') await hearth.database.ping();
      else hearth.db?.prepare('SELECT 1').get();
    },
  };
  const queue = hearth.queue;
  if (queue) checks.queue = async () => void (await queue.counts());
  return checks;
}

/**
 * Serves /healthz, /readyz (the {@link hearthChecks} plus `extra`, e.g. the MCP listener) and
 * /metrics for a `hearth mcp`, `hearth start` or `hearth web` process.
 */
export function startSurfaceOps(
  hearth: OpsHearth,
  listen: { host: string; port: number },
  extra: Record<string, Check> = {},
): Promise<OpsServer> {
  const checks = { ...hearthChecks(hearth), ...extra };
  return startOpsServer({
    ...listen,
    metrics: () => metrics().scrape(),
    ready: () => readiness(checks, { redact: (t) => hearth.redactor.redact(t) }),
  });
}
