import { Writable } from 'node:stream';
import { type Caller, defineTool, type Logger, PERMISSIONS, result, type ToolResult } from '@hearth/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { currentRequestId, withRequestId } from '../../src/log/request.js';
import { registeredTool } from '../../src/plugins/adapt.js';
import { ToolRegistry } from '../../src/plugins/registry.js';
import { type JobQueue, type QueueCounts, queueTools, TOOL_JOB, toolJobHandler } from '../../src/queue/index.js';
import { KINDS, queueOf, uniqueName } from './queues.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const caller: Caller = { surface: 'mcp', userId: 'u1', roles: ['r'], isAdmin: false, grants: ['storage'] };
const PIXELS = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);

/** What the worker side saw: started calls and the abort of the slow one. */
interface Seen {
  started: string[];
  aborted: string[];
}

/** The fixture tools; `where` tells which process ran a call (the producer must never run them). */
function tools(where: string, seen: Seen, only?: string[]) {
  const all = [
    defineTool({
      name: 'paint',
      description: 'Returns text, a PNG and a file, reporting progress',
      input: z.object({ label: z.string().min(1) }),
      run: async ({ label }, ctx) => {
        seen.started.push('paint');
        ctx.progress(0.5, 'half');
        await new Promise((r) => setTimeout(r, 300)); // progress is throttled: let it out
        return {
          content: [
            result.text(`painted ${label}`),
            result.image(PIXELS, `a ${label}`),
            result.file('notes.txt', 'hello', 'text/plain'),
          ],
          data: { where, requestId: currentRequestId() ?? null, caller: ctx.caller.userId },
        };
      },
    }),
    defineTool({
      name: 'slow',
      description: 'Runs until cancelled',
      input: z.object({}),
      run: async (_input, ctx) => {
        seen.started.push('slow');
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            seen.aborted.push('slow');
            resolve();
          });
        });
        return 'stopped';
      },
    }),
    defineTool({
      name: 'boom',
      description: 'Fails',
      input: z.object({}),
      run: async () => {
        throw new Error('kaput');
      },
    }),
    defineTool({
      name: 'sleepy',
      description: 'Outlives its time limit',
      input: z.object({}),
      timeoutMs: 200,
      run: async () => {
        await new Promise((r) => setTimeout(r, 1500));
        return 'late';
      },
    }),
    defineTool({
      name: 'secret',
      description: 'Admins only',
      input: z.object({}),
      access: 'admin',
      run: async () => 'ok',
    }),
    defineTool({ name: 'late', description: 'Added later', input: z.object({}), run: async () => where }),
  ];
  return all
    .filter((t) => (only ? only.includes(t.name) : t.name !== 'late'))
    .map((tool) =>
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
    );
}

const total = (c: QueueCounts) => c.waiting + c.active + c.delayed + c.completed + c.failed;

describe.each(KINDS)('queueTools (%s)', (kind) => {
  const open: JobQueue[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  /** A producer registry routed to the queue and a worker consuming it (another connection for Redis). */
  async function setup(names = ['paint', 'slow', 'boom', 'sleepy', 'secret', 'late']) {
    const name = uniqueName('remote');
    const producerQueue = await queueOf(kind, name);
    const workerQueue = kind === 'memory' ? producerQueue : await queueOf(kind, name);
    open.push(...new Set([producerQueue, workerQueue]));
    const seen: Seen = { started: [], aborted: [] };
    const local: Seen = { started: [], aborted: [] };
    const producer = new ToolRegistry();
    producer.add(tools('producer', local));
    const worker = new ToolRegistry();
    worker.add(tools('worker', seen));
    const lines: string[] = [];
    const workerLog = createLogger({
      level: 'debug',
      redactor: new Redactor(),
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    workerQueue.work({ [TOOL_JOB]: toolJobHandler(worker, name, undefined, workerLog) }, { concurrency: 4 });
    const undo = queueTools({ registry: producer, queue: producerQueue, tools: names, log: createSilentLog() });
    // the worker's own registry routed too (a worker built like any Hearth): its jobs still run there
    queueTools({ registry: worker, queue: workerQueue, tools: names, log: createSilentLog() });
    return { producer, worker, seen, local, lines, undo, producerQueue };
  }

  it('returns the worker’s result with its image and file intact, relays progress, carries the request id', async () => {
    const { producer, worker, seen, local, lines } = await setup();
    const progress: [number, string | undefined][] = [];
    const res = await withRequestId('req-paint-1', () =>
      producer.call('paint', { label: 'cat' }, { caller, onProgress: (f, m) => progress.push([f, m]) }),
    );
    expect(local.started).toEqual([]); // never ran in the calling process
    expect(seen.started).toEqual(['paint']);
    expect(res.data).toEqual({ where: 'worker', requestId: 'req-paint-1', caller: 'u1' });
    const image = res.content[1] as Extract<ToolResult['content'][number], { type: 'image' }>;
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(image.data).equals(Buffer.from(PIXELS))).toBe(true);
    expect(new TextDecoder().decode((res.content[2] as { data: Uint8Array }).data)).toBe('hello');
    // the same shape a direct call gives
    const direct = await worker.callLocal('paint', { label: 'cat' }, { caller });
    expect({ ...res, data: undefined }).toEqual({ ...direct, data: undefined });
    expect(progress).toContainEqual([0.5, 'half']);
    const finished = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'job: finished');
    expect(finished).toMatchObject({ tool: 'paint', outcome: 'ok', requestId: 'req-paint-1' });
  });

  it('refused calls never become jobs; failures come back with the codes and messages of a direct call', async () => {
    const { producer, worker, producerQueue, seen } = await setup();
    const before = total(await producerQueue.counts());
    await expect(producer.call('paint', { label: '' }, { caller })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(producer.call('secret', {}, { caller })).rejects.toMatchObject({
      code: 'permission_denied',
      message: '"secret" is for server admins only.',
    });
    expect(total(await producerQueue.counts())).toBe(before);
    expect(seen.started).toEqual([]);

    for (const name of ['boom', 'sleepy']) {
      const direct = await worker.callLocal(name, {}, { caller }).catch((e) => e);
      const queued = await producer.call(name, {}, { caller }).catch((e) => e);
      expect(queued.constructor).toBe(direct.constructor);
      expect({ code: queued.code, message: queued.message }).toEqual({ code: direct.code, message: direct.message });
    }
    const admin = await producer.call('secret', {}, { caller: { ...caller, isAdmin: true } });
    expect(admin.content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('aborting the caller’s signal cancels the job where it runs', async () => {
    const { producer, seen } = await setup();
    const controller = new AbortController();
    const call = producer.call('slow', {}, { caller, signal: controller.signal });
    const end = Date.now() + 10_000;
    while (!seen.started.includes('slow') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('user pressed stop'));
    await expect(call).rejects.toMatchObject({
      code: 'cancelled',
      message: 'Tool "slow" was cancelled: user pressed stop.',
    });
    while (!seen.aborted.includes('slow') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(seen.aborted).toEqual(['slow']);
  });

  it('an add that fails after reaching the queue is retried with the same job id: the call runs once', async () => {
    const { producerQueue: q, seen } = await setup([]);
    const ids: string[] = [];
    const flaky: JobQueue = {
      name: q.name,
      kind: q.kind,
      async add(name, data, options) {
        const id = await q.add(name, data, options);
        ids.push(options?.jobId ?? '');
        if (ids.length === 1) throw new Error('connection lost before the reply'); // the job was added
        return id;
      },
      cancel: (id, reason) => q.cancel(id, reason),
      result: (id, ms) => q.result(id, ms),
      on: (listener) => q.on(listener),
      deadLetters: () => q.deadLetters(),
      counts: () => q.counts(),
      work: (handlers, options) => q.work(handlers, options),
      close: () => q.close(),
    };
    const producer = new ToolRegistry();
    producer.add(tools('producer', { started: [], aborted: [] }));
    queueTools({ registry: producer, queue: flaky, tools: ['paint'], log: createSilentLog() });
    const res = await producer.call('paint', { label: 'once' }, { caller });
    expect(res.data).toMatchObject({ where: 'worker' });
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.started).toEqual(['paint']);
  });

  it('routes a listed tool registered later, and the undo runs calls locally again', async () => {
    const { producer, worker, seen, undo } = await setup();
    worker.add(tools('worker', seen, ['late']));
    producer.add(tools('producer', seen, ['late']));
    expect((await producer.call('late', {}, { caller })).content).toEqual([{ type: 'text', text: 'worker' }]);
    undo();
    expect((await producer.call('late', {}, { caller })).content).toEqual([{ type: 'text', text: 'producer' }]);
    // nor does any other tool once undone
    expect((await producer.call('paint', { label: 'x' }, { caller })).data).toMatchObject({ where: 'producer' });
  });
});

function createSilentLog() {
  return createLogger({ level: 'silent', redactor: new Redactor() });
}

describe.each(KINDS)('queueTools routes (%s)', (kind) => {
  const open: JobQueue[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  it('sends a routed tool to its own queue (consumed alone) and the rest to the shared one', async () => {
    const [shared, ingest] = [uniqueName('shared'), uniqueName('ingest')];
    const producerShared = await queueOf(kind, shared);
    const producerIngest = await queueOf(kind, ingest);
    const workerIngest = kind === 'memory' ? producerIngest : await queueOf(kind, ingest);
    open.push(...new Set([producerShared, producerIngest, workerIngest]));
    const seen: Seen = { started: [], aborted: [] };
    const worker = new ToolRegistry();
    worker.add(tools('ingest-worker', seen));
    worker.add(tools('ingest-worker', seen, ['late']));
    // only the routed queue has a worker: a call that went to the shared queue would wait there
    workerIngest.work({ [TOOL_JOB]: toolJobHandler(worker, ingest) }, { concurrency: 1 });
    const producer = new ToolRegistry();
    producer.add(tools('producer', { started: [], aborted: [] }));
    producer.add(tools('producer', { started: [], aborted: [] }, ['late']));
    queueTools({
      registry: producer,
      queue: producerShared,
      tools: ['paint', 'boom'], // paint is also in routes: the route wins
      routes: { paint: producerIngest, late: producerIngest },
      log: createSilentLog(),
      maxWaitMs: 1500,
    });
    const res = await producer.call('paint', { label: 'doc' }, { caller });
    expect(res.data).toMatchObject({ where: 'ingest-worker' });
    expect(total(await producerShared.counts())).toBe(0);
    // a tool only in routes is queued too
    expect((await producer.call('late', {}, { caller })).content).toEqual([{ type: 'text', text: 'ingest-worker' }]);
    // boom went to the shared queue, where nobody consumes: it times out naming that queue
    await expect(producer.call('boom', {}, { caller })).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringContaining(`job queue "${shared}"`),
    });
    expect(seen.started).toEqual(['paint']); // boom never ran anywhere
  }, 30_000);
});
