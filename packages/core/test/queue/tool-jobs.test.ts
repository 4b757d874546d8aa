import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Caller, defineTool, type Logger, PERMISSIONS } from '@hearth/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { metrics } from '../../src/ops/index.js';
import { HearthMetrics } from '../../src/ops/metrics.js';
import { registeredTool } from '../../src/plugins/adapt.js';
import { ToolRegistry } from '../../src/plugins/registry.js';
import { type JobEvent, type JobQueue, TOOL_JOB, toolJobHandler } from '../../src/queue/index.js';
import { openStorage } from '../../src/storage/index.js';
import { KINDS, queueOf, uniqueName } from './queues.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const caller: Caller = { surface: 'mcp', userId: 'u1', roles: [], isAdmin: false };

const registry = new ToolRegistry();
registry.add(
  [
    defineTool({
      name: 'shout',
      description: 'Upper-case the text, reporting progress',
      input: z.object({ text: z.string().min(1) }),
      run: async ({ text }, ctx) => {
        ctx.progress(0.5, 'halfway');
        await new Promise((r) => setTimeout(r, 100)); // progress is throttled: let it out
        return text.toUpperCase();
      },
    }),
  ].map((tool) =>
    registeredTool({
      tool,
      name: tool.name,
      origin: { kind: 'builtin' },
      ownerId: 'core',
      granted: new Set(PERMISSIONS),
      defaultTimeoutMs: 10_000,
      services: () => ({}) as never,
      log: () => silent,
    }),
  ),
);

describe.each(KINDS)('tool jobs (%s)', (kind) => {
  const open: JobQueue[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  it('calls the tool through the registry, relays its progress and times it per tool', async () => {
    expect(metrics()).toBeInstanceOf(HearthMetrics);
    const name = uniqueName('tools');
    const q = await queueOf(kind, name);
    open.push(q);
    const events: JobEvent[] = [];
    q.on((e) => events.push(e));
    q.work({ [TOOL_JOB]: toolJobHandler(registry, name) });
    const id = await q.add(TOOL_JOB, { tool: 'shout', input: { text: 'hi' }, caller });
    const result = (await q.result(id, 10_000)) as { content: { type: string; text: string }[] };
    expect(JSON.stringify(result)).toContain('HI');
    await new Promise((r) => setTimeout(r, 100));
    expect(events.some((e) => e.type === 'progress' && e.jobId === id && e.message === 'halfway')).toBe(true);
    const text = (await metrics().scrape()).body;
    expect(text).toMatch(
      new RegExp(`hearth_job_duration_seconds_count\\{queue="${name}",tool="shout",outcome="ok"\\} 1`),
    );
  });

  it('bad input and unknown tools fail at once, without retries, into the dead letters', async () => {
    const name = uniqueName('tools-bad');
    const q = await queueOf(kind, name);
    open.push(q);
    let runs = 0;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-jobrec-'));
    const storage = await openStorage({ dataDir: dir, databaseUrl: '' });
    const handler = toolJobHandler(registry, name, storage.jobs);
    q.work({ [TOOL_JOB]: (job) => (runs++, handler(job)) });
    const bad = await q.add(TOOL_JOB, { tool: 'shout', input: { text: '' }, caller }, { attempts: 3, backoffMs: 10 });
    await expect(q.result(bad, 10_000)).rejects.toThrow(/text/);
    const unknown = await q.add(TOOL_JOB, { tool: 'nope', input: {}, caller }, { attempts: 3, backoffMs: 10 });
    await expect(q.result(unknown, 10_000)).rejects.toThrow('Unknown tool "nope"');
    const malformed = await q.add(TOOL_JOB, { input: {} }, { attempts: 3, backoffMs: 10 });
    await expect(q.result(malformed, 10_000)).rejects.toThrow('a "tool" job needs { tool, input, caller }');
    expect(runs).toBe(3);
    expect((await q.deadLetters()).map((d) => d.id).sort()).toEqual([bad, unknown, malformed].sort());
    // the tool jobs that ended are on record (the malformed one named no tool)
    const records = await storage.jobs.list(name);
    expect(records.map((r) => [r.id, r.name, r.state, r.attempts]).sort()).toEqual(
      [
        [bad, 'shout', 'dead', 1],
        [unknown, 'nope', 'dead', 1],
      ].sort(),
    );
    expect((await storage.jobs.get(unknown))?.error).toContain('Unknown tool "nope"');
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
