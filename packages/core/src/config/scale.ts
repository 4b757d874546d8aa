import { z } from 'zod';

/**
 * Settings for running Hearth as several processes (docs/deploy.md): the shared database, the
 * shared job queue and the ops endpoint. All unset by default: one process, SQLite, in-process jobs.
 */

/** `HOST:PORT`, `[v6]:PORT` or a bare port (the same forms as `--ops`). */
const LISTEN = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):)?(\d{1,5})$/;

/** Tools whose calls become jobs on the shared queue when `redisUrl` is set. */
export const DEFAULT_QUEUED_TOOLS = ['diffusion_imagine', 'gan_augment', 'add_knowledge'] as const;

/**
 * Tools that get a queue of their own: the knowledge writers go to `ingest`, consumed by exactly one
 * `hearth worker --queues ingest --concurrency 1`, so one process writes the knowledge store.
 */
export const DEFAULT_TOOL_QUEUES: Readonly<Record<string, string>> = {
  add_knowledge: 'ingest',
  remove_knowledge: 'ingest',
};

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

// messages never repeat the value: a URL may carry a password
export const databaseUrlSchema = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/i, {
    message:
      'must be a postgres:// or postgresql:// URL (e.g. postgres://hearth:PASSWORD@db:5432/hearth); unset it to use SQLite in the data folder',
  })
  .optional()
  .describe('shared PostgreSQL database (secret: its password is redacted); unset: SQLite in the data folder');

export const redisUrlSchema = z
  .string()
  .regex(/^rediss?:\/\/\S+$/i, {
    message:
      'must be a redis:// or rediss:// URL (e.g. redis://:PASSWORD@redis:6379/0); unset it to run jobs in process',
  })
  .optional()
  .describe(
    'shared Redis job queue for `hearth worker` (secret: its password is redacted); unset: jobs run in process',
  );

/** The ops endpoint (/healthz, /readyz, /metrics). */
export const opsSchema = z
  .object({
    listen: z
      .string()
      .refine((v) => {
        const m = LISTEN.exec(v.trim());
        return !!m && Number(m[2]) <= 65535;
      }, 'must be HOST:PORT (e.g. 127.0.0.1:9464) or a port number up to 65535')
      .optional()
      .describe('HOST:PORT serving /healthz, /readyz and /metrics; unset: no ops endpoint'),
  })
  .strict()
  .prefault({});

/** Which work goes through the shared queue. */
export const jobsSchema = z
  .object({
    queued: z
      .array(
        z
          .string()
          .regex(
            /^[A-Za-z0-9_.-]{1,64}$/,
            'must be a tool registry name (letters, digits, _ . -), e.g. diffusion_imagine',
          ),
      )
      .default([...DEFAULT_QUEUED_TOOLS])
      .describe('registry names of tools whose calls become jobs for `hearth worker` when redisUrl is set'),
    queues: z
      .record(
        z.string().regex(TOOL_NAME, 'keys must be tool registry names (letters, digits, _ . -), e.g. add_knowledge'),
        z.string().regex(QUEUE_NAME, 'must be a queue name (a-z, 0-9, _ and -), e.g. ingest'),
      )
      .default({ ...DEFAULT_TOOL_QUEUES })
      .describe(
        'tool name -> queue for tools that do not go to the shared `tools` queue (these are queued too); default: the knowledge writers to `ingest`',
      ),
  })
  .strict()
  .prefault({});
