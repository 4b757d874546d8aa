import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobQueue } from '../queue/types.js';

/** Seconds buckets from 5 ms to 2 min: tool calls and model turns both fit. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Outcome label values, kept few so series stay bounded. */
export type Outcome = 'ok' | 'error' | 'cancelled';

/**
 * Hearth's Prometheus metrics, one registry per process. Label values are names Hearth chooses
 * (tools, queues, models, event types), never user text, so the series count stays bounded.
 */
export class HearthMetrics {
  readonly registry = new Registry();
  private readonly queues = new Set<JobQueue>();
  private readonly jobSeconds: Histogram<'queue' | 'tool' | 'outcome'>;
  private readonly modelSeconds: Histogram<'model' | 'kind'>;
  private readonly tokens: Counter<'model' | 'kind'>;
  private readonly mcpCalls: Counter<'tool' | 'outcome'>;
  private readonly discordEvents: Counter<'event'>;
  private readonly errors: Counter<'area' | 'code'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'hearth_' });
    const registers = [this.registry];
    const queues = this.queues;
    new Gauge({
      name: 'hearth_queue_jobs',
      help: 'Jobs in each queue by state (waiting, active, delayed, failed)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          [...queues].map(async (q) => {
            const c = await q.counts().catch(() => undefined);
            if (!c) return;
            for (const state of ['waiting', 'active', 'delayed', 'failed'] as const)
              this.set({ queue: q.name, state }, c[state]);
          }),
        );
      },
    });
    this.jobSeconds = new Histogram({
      name: 'hearth_job_duration_seconds',
      help: 'Time from a job run starting to its end, per queue and tool',
      labelNames: ['queue', 'tool', 'outcome'],
      buckets: BUCKETS,
      registers,
    });
    this.modelSeconds = new Histogram({
      name: 'hearth_model_latency_seconds',
      help: 'Model call latency (a chat turn, an embedding batch, an image)',
      labelNames: ['model', 'kind'],
      buckets: BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'hearth_model_tokens_total',
      help: 'Model tokens by model and kind (prompt, completion, embed): the provider usage, else counted locally',
      labelNames: ['model', 'kind'],
      registers,
    });
    this.mcpCalls = new Counter({
      name: 'hearth_mcp_calls_total',
      help: 'MCP tool calls served',
      labelNames: ['tool', 'outcome'],
      registers,
    });
    this.discordEvents = new Counter({
      name: 'hearth_discord_events_total',
      help: 'Discord gateway events handled',
      labelNames: ['event'],
      registers,
    });
    this.errors = new Counter({
      name: 'hearth_errors_total',
      help: 'Errors by area and HearthError code',
      labelNames: ['area', 'code'],
      registers,
    });
  }

  /** Reports this queue's job counts on every scrape (until it is closed and unwatched). */
  watchQueue(queue: JobQueue): () => void {
    this.queues.add(queue);
    return () => this.queues.delete(queue);
  }

  /** Records one finished job run. */
  jobFinished(queue: string, tool: string, seconds: number, outcome: Outcome): void {
    this.jobSeconds.observe({ queue, tool, outcome }, seconds);
  }

  /**
   * Starts timing a model call; call the returned function when it ends.
   * @example const done = metrics.timeModel('local', 'chat'); try { … } finally { done(); }
   */
  timeModel(model: string, kind: 'chat' | 'embed' | 'image' | string): () => void {
    return this.modelSeconds.startTimer({ model, kind }) as () => void;
  }

  /** Counts `n` tokens of a model call (`kind`: prompt, completion or embed). */
  modelTokens(model: string, kind: 'prompt' | 'completion' | 'embed' | string, n: number): void {
    if (n > 0) this.tokens.inc({ model, kind }, n);
  }

  mcpCall(tool: string, outcome: Outcome): void {
    this.mcpCalls.inc({ tool, outcome });
  }

  discordEvent(event: string): void {
    this.discordEvents.inc({ event });
  }

  error(area: string, code = 'internal'): void {
    this.errors.inc({ area, code });
  }

  /** The exposition text and its content type, for a `/metrics` endpoint. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

let shared: HearthMetrics | undefined;

/** This process's metrics (created on first use), so any module can record without wiring. */
export function metrics(): HearthMetrics {
  shared ??= new HearthMetrics();
  return shared;
}
