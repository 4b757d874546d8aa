import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOpsListen, type ReadinessReport, startOpsServer } from '../../packages/bot/src/ops/index.js';
import { HearthMetrics, readiness } from '../../packages/core/src/ops/index.js';
import { InProcessQueue } from '../../packages/core/src/queue/index.js';
import { openStorage } from '../../packages/core/src/storage/index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('ops server', () => {
  it('serves liveness, readiness from real checks, and Prometheus metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-ops-'));
    const storage = await openStorage({ dataDir: dir, databaseUrl: 'postgres://root@127.0.0.1:5432/test' });
    closers.push(async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const m = new HearthMetrics({ processMetrics: false });
    const queue = new InProcessQueue('tools');
    m.watchQueue(queue);
    await queue.add('tool', {});
    m.jobFinished('tools', 'imagine', 0.2, 'ok');
    m.mcpCall('ask', 'error');
    m.discordEvent('interactionCreate');
    m.error('engine', 'model_unavailable');
    const stop = m.timeModel('local', 'chat');
    stop();
    let redisUp = true;
    const server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: () => m.scrape(),
      ready: () =>
        readiness(
          {
            database: () => storage.ping(),
            redis: async () => {
              if (!redisUp) throw new Error('connect ECONNREFUSED 127.0.0.1:6379 password=hunter2');
            },
          },
          { redact: (t) => t.replace('hunter2', '[redacted]') },
        ),
    });
    closers.push(() => server.close());

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as ReadinessReport).checks.database?.ok).toBe(true);

    redisUp = false;
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as ReadinessReport;
    expect(body.ok).toBe(false);
    expect(body.checks.redis).toMatchObject({
      ok: false,
      error: 'connect ECONNREFUSED 127.0.0.1:6379 password=[redacted]',
    });
    expect(body.checks.database?.ok).toBe(true);

    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toContain('hearth_queue_jobs{queue="tools",state="waiting"} 1');
    expect(text).toContain('hearth_job_duration_seconds_count{queue="tools",tool="imagine",outcome="ok"} 1');
    expect(text).toContain('hearth_mcp_calls_total{tool="ask",outcome="error"} 1');
    expect(text).toContain('hearth_discord_events_total{event="interactionCreate"} 1');
    expect(text).toContain('hearth_errors_total{area="engine",code="model_unavailable"} 1');
    expect(text).toContain('hearth_model_latency_seconds_count{model="local",kind="chat"} 1');

    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(405);
    await queue.close();
  });

  it('a check that hangs is reported as not ready within its time limit', async () => {
    const start = Date.now();
    const r = await readiness({ db: () => new Promise(() => {}) }, { timeoutMs: 200 });
    expect(Date.now() - start).toBeLessThan(1500);
    expect(r).toMatchObject({ ok: false, checks: { db: { ok: false, error: 'no answer within 200 ms' } } });
  });

  it('a taken port and a bad --ops value fail with the flag named', async () => {
    const first = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      ready: async () => ({ ok: true, checks: {} }),
    });
    closers.push(() => first.close());
    const port = Number(new URL(first.url).port);
    await expect(
      startOpsServer({
        host: '127.0.0.1',
        port,
        metrics: async () => ({ contentType: 'text/plain', body: '' }),
        ready: async () => ({ ok: true, checks: {} }),
      }),
    ).rejects.toThrow(`--ops 127.0.0.1:${port}: the port is in use; pick another`);
    expect(parseOpsListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseOpsListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(() => parseOpsListen('localhost:99999')).toThrow(
      '--ops wants HOST:PORT (e.g. 127.0.0.1:9464), not "localhost:99999"',
    );
  });
});
