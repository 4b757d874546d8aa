import { definePlugin, defineTool } from '@hearth/sdk';
import { createTestHost } from '@hearth/sdk/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const plugin = definePlugin({
  id: 'host-check',
  version: '1.0.0',
  hearth: '^0.1.0',
  description: 'Checks the test host behaves like Hearth',
  permissions: ['storage'],
  async setup(ctx) {
    await ctx.storage?.set('from-setup', true);
  },
  tools: [
    defineTool({
      name: 'count',
      description: 'per-guild counter',
      input: z.object({}),
      run: async (_i, ctx) => String(await ctx.storage.update<number>('n', (n = 0) => n + 1)),
    }),
    defineTool({
      name: 'peek',
      description: 'reads what setup wrote',
      input: z.object({}),
      run: async (_i, ctx) => String((await ctx.storage.get('from-setup')) ?? 'absent'),
    }),
    defineTool({
      name: 'slow',
      description: 'has its own long limit',
      input: z.object({}),
      timeoutMs: 30_000,
      run: () => new Promise(() => {}),
    }),
    defineTool({
      name: 'waits',
      description: 'finishes after 5.2 s',
      input: z.object({}),
      run: () => new Promise((r) => setTimeout(() => r('done'), 5200)),
    }),
    defineTool({
      name: 'pick',
      description: 'autocomplete',
      input: z.object({ color: z.string() }),
      autocomplete: {
        color: (partial, ctx) => [{ name: `${partial} (${ctx.caller.userId})`, value: partial }],
      },
      run: async ({ color }) => color,
    }),
  ],
});

const text = (r: { result?: { content: unknown[] } }) => (r.result?.content[0] as { text?: string } | undefined)?.text;

describe('the test host is the host', () => {
  it('keeps storage per guild, like Hearth', async () => {
    const host = await createTestHost(plugin);
    await host.call('count', {});
    expect(text(await host.call('count', {}))).toBe('2');
    expect(text(await host.call('count', {}, { caller: { guildId: 'g2' } }))).toBe('1');
  });

  it('gives setup the global scope, not the guild a call runs in', async () => {
    const host = await createTestHost(plugin);
    expect(text(await host.call('peek', {}))).toBe('absent');
    expect(await host.storage('').get('from-setup')).toBe(true);
  });

  it("uses Hearth's default limit (60 s), not 5 s", async () => {
    const host = await createTestHost(plugin);
    const call = await host.call('waits', {});
    expect(call.error).toBeUndefined();
    expect(text(call)).toBe('done');
  }, 10_000);

  it("caps a tool's own timeoutMs with the timeoutMs option", async () => {
    const host = await createTestHost(plugin, { timeoutMs: 50 });
    expect((await host.call('slow', {})).error?.message).toBe(
      'Tool "host-check_slow" did not finish within 50 ms and was stopped.',
    );
  });

  it('rejects a grant the plugin does not declare', async () => {
    await expect(createTestHost(plugin, { grant: ['models:chat'] })).rejects.toThrow(
      /grant lists "models:chat", which plugin "host-check" does not declare/,
    );
  });

  it('limits a call to the caller grants and says so', async () => {
    const host = await createTestHost(plugin);
    const call = await host.call('count', {}, { caller: { surface: 'mcp', userId: 'agent', grants: [] } });
    expect(call.error?.message).toContain('for agent: the operator has not granted "storage" to this caller');
  });

  it('runs autocomplete with caller, as { name, value } suggestions', async () => {
    const host = await createTestHost(plugin);
    expect(await host.autocomplete('pick', 'color', 're')).toEqual([{ name: 're (u1)', value: 're' }]);
  });
});

describe('worker: true tools in the test host', () => {
  it('run in a real worker thread, with ctx services and permission checks answered by the host', async () => {
    const { threadId } = await import('node:worker_threads');
    const { default: cruncher } = await import('./fixtures/worker-plugin.js');
    const host = await createTestHost(cruncher, { moduleUrl: new URL('./fixtures/worker-plugin.ts', import.meta.url) });
    const call = await host.call('crunch', {});
    expect(call.error).toBeUndefined();
    const data = call.result?.data as { thread: number; stored: number };
    expect(data.thread).not.toBe(threadId);
    expect(data.stored).toBe(3);
    expect(await host.storage('g1').get('last')).toBe(3);
    expect(call.progress).toEqual([{ fraction: 0.5, message: 'crunching' }]);
    const denied = await host.call('chat', {});
    expect(denied.error?.code).toBe('permission_denied');
    expect(denied.error?.message).toContain('does not declare the "models:chat" permission');
  }, 60_000);
});
