import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  definePlugin,
  defineTool,
  HearthError,
  type Permission,
  type PermissionDeniedError,
  type PluginDefinition,
} from '@hearth/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registeredTool } from '../../src/plugins/adapt.js';
import { createHarness, type Harness, member } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((_req, res) => res.end('pong'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function errorOf(p: Promise<unknown>): Promise<HearthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof HearthError)) throw new Error(`expected a HearthError, got ${String(err)}`);
  return err;
}

/** Loads an in-memory plugin through the host's real load path (import -> validate -> grant -> register). */
async function load(plugin: PluginDefinition, plugins: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  const harness = await createHarness(plugins, { importPlugin: async () => ({ default: plugin }) });
  await harness.host.load(plugin.id);
  return harness;
}

const greedy = definePlugin({
  id: 'greedy',
  version: '1.0.0',
  hearth: '^0.1.0',
  description: 'Tries to grant itself permissions',
  permissions: ['knowledge:read', 'knowledge:write', 'network'],
  setup(ctx) {
    try {
      (ctx.granted as Set<string>).add('knowledge:write');
    } catch {}
    Set.prototype.add.call(ctx.granted, 'knowledge:write');
  },
  tools: [
    defineTool({
      name: 'escalate',
      description: 'adds to ctx.granted',
      input: z.object({}),
      run: async (_i, ctx) => {
        try {
          (ctx.granted as Set<string>).add('knowledge:write');
        } catch (err) {
          return `refused: ${(err as Error).message}`;
        }
        return 'added';
      },
    }),
    defineTool({
      name: 'write',
      description: 'needs knowledge:write',
      input: z.object({}),
      run: async (_i, ctx) => (await ctx.knowledge.add({ title: 't', text: 'x' })).sourceId,
    }),
    defineTool({
      name: 'chat',
      description: 'needs models:chat, never declared',
      input: z.object({}),
      run: async (_i, ctx) => (await ctx.models.chat({ messages: [] })).text,
    }),
    defineTool({
      name: 'read',
      description: 'needs knowledge:read',
      input: z.object({}),
      run: async (_i, ctx) => String((await ctx.knowledge.search('x')).length),
    }),
    defineTool({
      name: 'ping',
      description: 'needs network',
      input: z.object({}),
      run: async (_i, ctx) => (await ctx.fetch(url)).text(),
    }),
    defineTool({
      name: 'liar',
      description: 'breaks its own output schema',
      input: z.object({}),
      output: z.object({ n: z.number() }),
      run: async () => ({ content: [], data: { n: 'one' as unknown as number } }),
    }),
  ],
});

describe('a plugin cannot grant itself permissions (issue 14.3)', () => {
  it('ctx.granted is read-only, and even a forced add never widens a later call', async () => {
    h = await load(greedy, { grants: { greedy: ['knowledge:read'] } });
    const first = await h.registry.call('greedy_escalate', {}, { caller: member });
    expect(first.content[0]).toMatchObject({ text: expect.stringMatching(/^refused: ctx.granted is read-only/) });
    const agent = { ...member, grants: ['knowledge:read', 'knowledge:write'] as Permission[] };
    for (const caller of [member, agent]) {
      const err = (await errorOf(h.registry.call('greedy_write', {}, { caller }))) as PermissionDeniedError;
      expect(err.code).toBe('permission_denied');
      expect(err.reason).toBe('not_granted');
    }
  });
});

describe('permission errors say which check failed', () => {
  it('undeclared by the plugin, withheld by the operator, or missing from the caller', async () => {
    h = await load(greedy, { grants: { greedy: ['knowledge:read', 'network'] } });
    const undeclared = (await errorOf(h.registry.call('greedy_chat', {}, { caller: member }))) as PermissionDeniedError;
    expect(undeclared.reason).toBe('undeclared');
    expect(undeclared.message).toContain('it does not declare the "models:chat" permission');
    const withheld = (await errorOf(h.registry.call('greedy_write', {}, { caller: member }))) as PermissionDeniedError;
    expect(withheld.reason).toBe('not_granted');
    expect(withheld.message).toContain('which the operator has not granted (plugins.grants.greedy)');
    const agent = { ...member, surface: 'mcp' as const, userId: 'agent', grants: ['storage' as const] };
    const caller = (await errorOf(h.registry.call('greedy_read', {}, { caller: agent }))) as PermissionDeniedError;
    expect(caller.reason).toBe('caller');
    expect(caller.message).toContain('for agent: the operator has not granted "knowledge:read" to this caller');
  });

  it("reports a broken output schema as invalid_output, not as the caller's bad input", async () => {
    h = await load(greedy);
    const err = await errorOf(h.registry.call('greedy_liar', {}, { caller: member }));
    expect(err.code).toBe('invalid_output');
    expect(err.message).toContain('does not match its output schema');
  });
});

describe('network is enforced through ctx.fetch (issue 14.11)', () => {
  it('fetches when declared and granted, refuses when the operator withholds it or the caller lacks it', async () => {
    h = await load(greedy);
    expect((await h.registry.call('greedy_ping', {}, { caller: member })).content[0]).toEqual({
      type: 'text',
      text: 'pong',
    });
    const agent = { ...member, grants: ['knowledge:read' as const] };
    expect(
      ((await errorOf(h.registry.call('greedy_ping', {}, { caller: agent }))) as PermissionDeniedError).reason,
    ).toBe('caller');
    await h.close();
    h = await load(greedy, { grants: { greedy: ['knowledge:read'] } });
    const err = (await errorOf(h.registry.call('greedy_ping', {}, { caller: member }))) as PermissionDeniedError;
    expect(err.reason).toBe('not_granted');
    expect(err.permission).toBe('network');
  });
});

describe('autocomplete (issue 14.10)', () => {
  const tool = defineTool({
    name: 'pick',
    description: 'autocomplete',
    input: z.object({ city: z.string(), country: z.string() }),
    autocomplete: {
      city: async (partial, ctx) => {
        if (partial === 'hang') return new Promise<never>(() => {});
        const visits = await ctx.storage.update<number>('visits', (n = 0) => n + 1);
        return [{ name: `${partial} in ${String(ctx.input.country)} (${visits})`, value: `${partial}-city` }, 'plain'];
      },
    },
    run: async () => 'ok',
  });
  const entry = (granted: string[], timeoutMs: number) => {
    const values = new Map<string, unknown>();
    const storage = {
      get: async (k: string) => values.get(k),
      set: async (k: string, v: unknown) => void values.set(k, v),
      delete: async (k: string) => values.delete(k),
      keys: async () => [...values.keys()],
      dir: async () => '/tmp',
    };
    return registeredTool({
      tool,
      name: 'geo_pick',
      origin: { kind: 'plugin', pluginId: 'geo', version: '1.0.0' },
      ownerId: 'geo',
      granted: new Set(granted as never[]),
      defaultTimeoutMs: 1000,
      autocompleteTimeoutMs: timeoutMs,
      services: () => ({ storage }) as never,
      log: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
    });
  };

  it('a handler that never answers yields no suggestions once the limit passes', async () => {
    const started = performance.now();
    expect(await entry(['storage'], 100).autocomplete?.('city', 'hang', member)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('gets caller, storage and the other fields, and may return { name, value } choices', async () => {
    const e = entry(['storage'], 1000);
    expect(await e.suggest?.('city', 'Par', member, { country: 'FR' })).toEqual([
      { name: 'Par in FR (1)', value: 'Par-city' },
      { name: 'plain', value: 'plain' },
    ]);
    expect(await e.autocomplete?.('city', 'Par', member, { country: 'FR' })).toEqual(['Par-city', 'plain']);
    // without the storage grant the handler's storage call is refused, so it shows nothing
    expect(await entry([], 1000).suggest?.('city', 'Par', member, {})).toEqual([]);
  });
});

describe('storage.update', () => {
  it('never loses an update under concurrency, in the real SQLite store', async () => {
    const counter = definePlugin({
      id: 'counter',
      version: '1.0.0',
      hearth: '^0.1.0',
      description: 'counts',
      permissions: ['storage'],
      tools: [
        defineTool({
          name: 'bump',
          description: 'increments with a yield between read and write',
          input: z.object({}),
          run: async (_i, ctx) =>
            String(
              await ctx.storage.update<number>('n', async (n = 0) => {
                await new Promise((r) => setTimeout(r, 1));
                return n + 1;
              }),
            ),
        }),
      ],
    });
    h = await load(counter);
    await Promise.all(Array.from({ length: 40 }, () => h!.registry.call('counter_bump', {}, { caller: member })));
    expect((await h.registry.call('counter_bump', {}, { caller: member })).content[0]).toEqual({
      type: 'text',
      text: '41',
    });
  });
});
