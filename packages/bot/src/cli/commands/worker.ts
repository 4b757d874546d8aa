import { createHearth, type Hearth } from '@hearth/core';
import type { Command } from 'commander';
import { parseOpsListen, startOpsServer } from '../../ops/index.js';
import type { CliContext } from '../context.js';

interface WorkerFlags {
  queues: string;
  concurrency: string;
  grace: string;
  lock: string;
  ops?: string;
}

/** What this command uses of `@hearth/core/queue` and `@hearth/core/ops`. */
interface QueueModule {
  openQueue(
    name: string,
    options: { redisUrl?: string; lockMs?: number },
  ): Promise<{ name: string; counts(): Promise<unknown> }>;
  runWorker(options: {
    queues: unknown[];
    handlers: Record<string, unknown>;
    concurrency: number;
    graceMs: number;
    onStopping?: (why: string) => void;
  }): { stopped: Promise<boolean> };
  toolJobHandler(registry: unknown, queueName: string, records?: unknown, log?: unknown): unknown;
  TOOL_JOB: string;
  ingestJobHandler(knowledge: unknown, log?: unknown): unknown;
  INGEST_JOB: string;
}
interface OpsModule {
  metrics(): {
    watchQueue(q: unknown): () => void;
    scrape(): Promise<{ contentType: string; body: string }>;
  };
  readiness(
    checks: Record<string, () => Promise<void>>,
    options?: { redact?: (t: string) => string },
  ): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; ms: number; error?: string }> }>;
}

// Subpath exports of @hearth/core; held in variables so the other commands load even where a
// build lacks them (this file is imported whenever the CLI starts).
const QUEUE_MODULE = '@hearth/core/queue';
const OPS_MODULE = '@hearth/core/ops';

/** Imports a core subpath, or says which export the installed @hearth/core lacks. */
async function coreModule(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw err;
    throw new Error(`hearth worker needs ${specifier}, which this @hearth/core does not export`);
  }
}

/** What the worker uses of `hearth.database` (the shared storage), where this @hearth/core has it. */
interface WorkerDatabase {
  ping(): Promise<void>;
  jobs?: unknown;
}

/**
 * The worker's Hearth: like every process's, but the tools routed to the queue run here
 * (`executeQueuedTools`) instead of being queued again. Built here rather than through
 * `ctx.hearth()`, which has no such option; closed by the command.
 */
async function workerHearth(ctx: CliContext, knowledgeWriter: boolean): Promise<Hearth> {
  // a variable, not a literal: builds where CreateHearthOptions lacks executeQueuedTools still compile
  const options: Parameters<typeof createHearth>[0] & { executeQueuedTools?: boolean; knowledgeWriter?: boolean } = {
    config: await ctx.config(),
    redactor: ctx.redactor,
    console: 'json',
    importPlugin: (specifier) => import(specifier),
    executeQueuedTools: true,
    knowledgeWriter,
  };
  return createHearth(options);
}

/** The queue of the knowledge writers (`jobs.queues`): exactly one worker, one job at a time. */
const INGEST_QUEUE = 'ingest';

/** Parses a positive integer flag, naming the flag in the error. */
function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`${flag} wants a whole number from 1 to ${max}, not "${value}"`);
  return n;
}

/**
 * `hearth worker [--queues tools] [--concurrency N] [--grace S] [--lock S] [--ops host:port]`: consumes
 * jobs of the shared Redis queue (HEARTH_REDIS_URL) with the same tools, plugins and database as
 * every other Hearth process. SIGTERM stops taking jobs and lets running ones finish within the
 * grace time; a worker that dies mid-job loses the job to another worker once its lock (`--lock`)
 * runs out.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('Run queued jobs (tool calls) from the shared Redis queue (HEARTH_REDIS_URL)')
    .option(
      '--queues <names>',
      'comma-separated queues to consume (ingest: the knowledge writer, exactly one worker with --concurrency 1)',
      'tools',
    )
    .option('--concurrency <n>', 'jobs at once per queue', '2')
    .option('--grace <seconds>', 'on SIGTERM, how long running jobs get to finish', '30')
    .option('--lock <seconds>', "how long a job's claim lasts: a crashed worker's job moves on after 1-1.5x this", '30')
    .option('--ops <host:port>', 'serve /healthz, /readyz and /metrics (e.g. 127.0.0.1:9464)')
    .action(async (flags: WorkerFlags) => {
      const names = flags.queues
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!names.length || names.some((n) => !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(n))) {
        throw new Error(
          `--queues wants names like "tools" or "tools,ingest" (a-z, 0-9, _ and -), not "${flags.queues}"`,
        );
      }
      const concurrency = positiveInt('--concurrency', flags.concurrency, 256);
      const graceMs = positiveInt('--grace', flags.grace, 3600) * 1000;
      const lockMs = positiveInt('--lock', flags.lock, 3600) * 1000;
      const listen = flags.ops ? parseOpsListen(flags.ops) : undefined;
      const redisUrl = process.env.HEARTH_REDIS_URL;
      if (!redisUrl) {
        throw new Error(
          'hearth worker consumes the shared job queue: set HEARTH_REDIS_URL (e.g. redis://127.0.0.1:6379) in every Hearth process',
        );
      }
      const [q, ops] = (await Promise.all([QUEUE_MODULE, OPS_MODULE].map(coreModule))) as [QueueModule, OpsModule];
      // the worker of `ingest` is the knowledge store's one writer: it repairs and indexes at open
      const hearth = await workerHearth(ctx, names.includes(INGEST_QUEUE));
      if (names.includes(INGEST_QUEUE) && concurrency > 1) {
        const why = `--concurrency ${concurrency} on the "${INGEST_QUEUE}" queue: the knowledge store takes one write at a time, so extra slots only hold jobs; run exactly one \`hearth worker --queues ${INGEST_QUEUE} --concurrency 1\` (docs/knowledge.md)`;
        hearth.log.warn({ area: 'worker', queue: INGEST_QUEUE, concurrency }, `worker: ${why}`);
        process.stderr.write(`Warning: ${why}\n`);
      }
      try {
        await work(hearth, q, ops, names, { redisUrl, concurrency, graceMs, lockMs, listen });
      } finally {
        await hearth.close();
      }
    });
}

/** Consumes the queues until a stop signal, serving ops endpoints when asked. */
async function work(
  hearth: Hearth,
  q: QueueModule,
  ops: OpsModule,
  names: string[],
  o: {
    redisUrl: string;
    concurrency: number;
    graceMs: number;
    lockMs: number;
    listen?: { host: string; port: number };
  },
): Promise<void> {
  const database = (hearth as Hearth & { database?: WorkerDatabase }).database;
  const log = hearth.log.child({ area: 'worker' });
  const queues = await Promise.all(names.map((n) => q.openQueue(n, { redisUrl: o.redisUrl, lockMs: o.lockMs })));
  const unwatch = queues.map((queue) => ops.metrics().watchQueue(queue));
  const server = o.listen
    ? await startOpsServer({
        ...o.listen,
        metrics: () => ops.metrics().scrape(),
        ready: () =>
          ops.readiness(
            {
              // the shared database when this Hearth has one, else its local SQLite file
              database: database ? () => database.ping() : async () => void hearth.db.prepare('SELECT 1').get(),
              redis: async () => void (await queues[0]!.counts()),
            },
            { redact: (t) => hearth.redactor.redact(t) },
          ),
      })
    : undefined;
  // the knowledge writers' queue also takes `hearth ingest`'s loaded sources
  const knowledgeQueue = hearth.config.jobs.queues.add_knowledge ?? INGEST_QUEUE;
  const running = queues.map((queue) =>
    q.runWorker({
      queues: [queue],
      handlers: {
        [q.TOOL_JOB]: q.toolJobHandler(hearth.registry, queue.name, database?.jobs, log),
        ...(queue.name === knowledgeQueue ? { [q.INGEST_JOB]: q.ingestJobHandler(hearth.knowledge, log) } : {}),
      },
      concurrency: o.concurrency,
      graceMs: o.graceMs,
      onStopping: (why) => log.info({ queue: queue.name, why, graceMs: o.graceMs }, 'worker: draining'),
    }),
  );
  log.info({ queues: names, concurrency: o.concurrency, ops: server?.url }, 'worker: started');
  process.stderr.write(
    `Hearth worker on ${names.join(', ')} (concurrency ${o.concurrency})${server ? `, ops at ${server.url}` : ''}\n`,
  );
  const finished = await Promise.all(running.map((r) => r.stopped));
  if (!finished.every(Boolean))
    log.warn({ graceMs: o.graceMs }, 'worker: jobs were still running at the end of the grace time');
  for (const u of unwatch) u();
  await server?.close();
}
