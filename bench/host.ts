/**
 * Plugin host overhead per tool call: the same tiny tool called directly, through the SDK's call
 * wrapper (validate + permission-guarded ctx + timeout), through the whole host path (registry
 * lookup, unload-cancellation, redaction, services), and in a worker thread.
 * `pnpm bench host`; results in docs/benchmarks/host.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// relative imports: bench/ is not a workspace package, so package names do not resolve from here
import { loadConfig } from '../packages/core/src/config/load.js';
import { createLogger } from '../packages/core/src/log/logger.js';
import { Redactor } from '../packages/core/src/log/redact.js';
import { PluginHost } from '../packages/core/src/plugins/host.js';
import { ToolRegistry } from '../packages/core/src/plugins/registry.js';
import { openDatabase } from '../packages/core/src/storage/database.js';
import { PluginStorage } from '../packages/core/src/storage/plugin-storage.js';
import { fakeKnowledge, fakeModels } from '../packages/core/test/plugins/harness.js';
import { guardedContext, invokeTool } from '../packages/sdk/src/host/index.js';
import type { Caller, ToolContext } from '../packages/sdk/src/index.js';
import { memoryKnowledge, memoryStorage } from '../packages/sdk/src/testing/index.js';

const CALLS = 10_000;
const WORKER_CALLS = 2_000;
const caller: Caller = { surface: 'discord', userId: 'u1', guildId: 'g1', channelId: 'c1', roles: [], isAdmin: false };
const input = { text: 'hello', n: 2 };
const fixture = join(import.meta.dirname, '../packages/core/test/plugins/fixtures/bench-plugin.ts');

async function sample(n: number, call: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < Math.min(1000, n); i++) await call(); // warm-up (JIT, caches)
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    times[i] = performance.now() - t;
  }
  times.sort();
  return { median: times[Math.floor(n / 2)]! * 1000, p95: times[Math.floor(n * 0.95)]! * 1000 };
}

/** Runs the benchmark and returns its markdown section. */
export async function run(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-host-'));
  const config = await loadConfig({
    cwd: dataDir,
    env: {},
    overrides: { dataDir, logLevel: 'info', plugins: { firstParty: false } },
  });
  const redactor = new Redactor();
  const log = createLogger({ level: 'warn', redactor, destination: { write: () => {} } as never });
  const db = openDatabase(dataDir);
  const registry = new ToolRegistry();
  const host = new PluginHost({
    config,
    registry,
    storage: new PluginStorage(db, dataDir),
    models: fakeModels(),
    knowledge: fakeKnowledge(),
    log,
    redactor,
    importPlugin: (s) => import(s),
  });
  try {
    await host.load(fixture);
    const plugin = host.definition('bench')!;
    const tool = plugin.tools.find((t) => t.name === 'noop')!;
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const services = { models: fakeModels() as never, knowledge: memoryKnowledge(), storage: memoryStorage() };
    const granted = new Set(plugin.permissions);
    const makeContext = (signal: AbortSignal, progress: ToolContext['progress']) =>
      guardedContext({ pluginId: 'bench', caller, granted, signal, progress, log: silent, services });
    const ctx = makeContext(new AbortController().signal, () => {});
    const parsed = tool.input.parse(input);

    const direct = await sample(CALLS, () => tool.run(parsed, ctx));
    const wrapper = await sample(CALLS, () =>
      invokeTool(tool, input, { caller, displayName: 'bench_noop', timeoutMs: 60_000, makeContext }),
    );
    const hosted = await sample(CALLS, () => registry.call('bench_noop', input, { caller }));
    const t0 = performance.now();
    await registry.call('bench_noop_worker', input, { caller });
    const workerStart = performance.now() - t0;
    const worker = await sample(WORKER_CALLS, () => registry.call('bench_noop_worker', input, { caller }));

    const row = (name: string, s: { median: number; p95: number }, n: number) =>
      `| ${name} | ${n.toLocaleString('en')} | ${s.median.toFixed(1)} | ${s.p95.toFixed(1)} | ${(s.median - direct.median).toFixed(1)} |`;
    return [
      '## host',
      '',
      'Per-call latency of a trivial tool (`z.object({ text, n })` input, returns its text), Discord member caller.',
      '',
      '| path | calls | median µs | p95 µs | added vs direct (median µs) |',
      '| --- | --- | --- | --- | --- |',
      row('direct `tool.run(input, ctx)`', direct, CALLS),
      row('SDK wrapper `invokeTool` (validate + guarded ctx + timeout)', wrapper, CALLS),
      row(
        'host: `registry.call` on a loaded plugin (all of the above + services, logger, unload-cancel, redaction)',
        hosted,
        CALLS,
      ),
      row('host, `worker: true` tool (message round trip to a worker thread)', worker, WORKER_CALLS),
      '',
      `Host overhead per in-process call: **${(hosted.median - direct.median).toFixed(1)} µs** median (goal < 50 µs). ` +
        `Worker thread: ${(worker.median - hosted.median).toFixed(0)} µs more per call; starting the thread (import + setup${import.meta.url.endsWith('.ts') ? ', from TypeScript sources through tsx' : ''}) took ${workerStart.toFixed(0)} ms once.`,
      '',
    ].join('\n');
  } finally {
    await host.unloadAll();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
