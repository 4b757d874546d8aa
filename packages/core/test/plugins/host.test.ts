import { defineTool, HearthError, PERMISSIONS } from '@hearth/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registeredTool } from '../../src/plugins/adapt.js';
import { createHarness, fixture, type Harness, member } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function errorOf(p: Promise<unknown>): Promise<HearthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HearthError) return err;
    throw new Error(`expected a HearthError, got ${String(err)}`);
  }
  throw new Error('expected the call to fail');
}

describe('PluginHost: load', () => {
  it('loads a package folder, namespaces its tools and logs what was granted', async () => {
    h = await createHarness();
    const info = await h.host.load(fixture('echo-pkg'));
    expect(info.id).toBe('echo');
    expect(info.tools).toContain('echo_say');
    expect(h.registry.get('echo_say')?.origin).toEqual({ kind: 'plugin', pluginId: 'echo', version: '1.2.0' });
    expect(h.registry.get('say')?.name).toBe('echo_say');
    const result = await h.registry.call('echo_say', { text: 'hi' }, { caller: member });
    expect(result.content[0]).toEqual({ type: 'text', text: 'hi' });
    const loaded = h.lines.find((l) => l.msg.startsWith('plugin "echo" 1.2.0 loaded'));
    expect(loaded?.granted).toEqual(['storage', 'models:chat', 'knowledge:read']);
    expect(h.host.list().map((p) => p.id)).toEqual(['echo']);
  });

  it('gives each guild its own storage', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const count = (guildId: string) => h!.registry.call('echo_count', {}, { caller: { ...member, guildId } });
    await count('g1');
    expect((await count('g1')).content[0]).toEqual({ type: 'text', text: '2' });
    expect((await count('g2')).content[0]).toEqual({ type: 'text', text: '1' });
  });

  it('rejects a bad manifest, naming the field', async () => {
    h = await createHarness();
    const err = await errorOf(h.host.load(fixture('bad-manifest.ts')));
    expect(err.code).toBe('invalid_plugin');
    expect(err.message).toMatch(/Invalid plugin "Bad Id!": id must be 1-24 characters/);
    expect(h.registry.list()).toEqual([]);
    expect(h.host.failures()[0]?.error).toMatch(/id must be/);
  });

  it('rejects an incompatible hearth range, naming both versions', async () => {
    h = await createHarness();
    const err = await errorOf(h.host.load(fixture('future.ts')));
    expect(err.message).toContain('supports Hearth ^9.0.0, but this is Hearth 0.1.0');
    expect(h.registry.get('future_x')).toBeUndefined();
  });

  it('moves a plugin whose id clashes with a built-in to <id>-plugin on every surface, and says so', async () => {
    h = await createHarness();
    const builtin = defineTool({
      name: 'search_knowledge',
      description: 'b',
      input: z.object({}),
      run: async () => 'builtin',
    });
    h.registry.add([
      registeredTool({
        tool: builtin,
        name: 'search_knowledge',
        origin: { kind: 'builtin' },
        ownerId: 'core',
        granted: new Set(PERMISSIONS),
        defaultTimeoutMs: 1000,
        services: () => ({}) as never,
        log: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
      }),
    ]);
    const info = await h.host.load(fixture('clash.ts'));
    expect(info.tools).toEqual(['search-plugin_knowledge']);
    const moved = h.registry.get('search-plugin_knowledge')!;
    expect(h.registry.commandName(moved)).toBe('/search-plugin knowledge');
    expect(h.registry.names(moved).cli).toEqual(['search-plugin', 'knowledge']);
    expect(
      h.lines.some((l) => l.msg.includes('"search" is a built-in command, so its tools are under "search-plugin"')),
    ).toBe(true);
    expect((await h.registry.call('search_knowledge', {}, { caller: member })).content[0]).toEqual({
      type: 'text',
      text: 'builtin',
    });
  });

  it('refuses a tool name another owner already holds, before setup runs', async () => {
    h = await createHarness();
    const taken = defineTool({ name: 'knowledge', description: 'b', input: z.object({}), run: async () => 'mcp' });
    h.registry.add([
      registeredTool({
        tool: taken,
        name: 'search-plugin_knowledge',
        origin: { kind: 'mcp', server: 'search-plugin' },
        ownerId: 'search-plugin',
        granted: new Set(),
        defaultTimeoutMs: 1000,
        services: () => ({}) as never,
        log: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
      }),
    ]);
    const err = await errorOf(h.host.load(fixture('clash.ts')));
    expect(err.code).toBe('name_collision');
    expect(err.message).toBe(
      'Tool name "search-plugin_knowledge" of plugin "search" is already taken by MCP server "search-plugin"; rename the tool or the plugin id.',
    );
    const { setupCount } = await import('./fixtures/clash.js');
    expect(setupCount()).toBe(1); // only the load of the test above ran setup
  });

  it('refuses to load the same plugin id twice', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const err = await errorOf(h.host.load(fixture('echo-pkg/index.ts')));
    expect(err.message).toMatch(/Plugin "echo" from .* is already loaded from/);
  });

  it('fails a setup that hangs, after plugins.setupTimeoutMs', async () => {
    h = await createHarness({ setupTimeoutMs: 100 });
    const err = await errorOf(h.host.load(fixture('slow-setup.ts')));
    expect(err.message).toBe(
      'Plugin "slow" setup did not finish within 100 ms; make it faster or raise plugins.setupTimeoutMs.',
    );
    expect(h.registry.list()).toEqual([]);
  });

  it('reports a missing package with the fix', async () => {
    h = await createHarness();
    const err = await errorOf(h.host.load('hearth-plugin-does-not-exist'));
    expect(err.code).toBe('plugin_import_failed');
    expect(err.message).toContain(
      'install the package "hearth-plugin-does-not-exist" next to Hearth, or fix plugins.load',
    );
  });
});

describe('PluginHost: calls are contained', () => {
  it('turns a throw into a clear tool error', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const err = await errorOf(h.registry.call('echo_boom', {}, { caller: member }));
    expect(err.code).toBe('tool_failed');
    expect(err.message).toBe('Tool "echo_boom" failed: kaboom from the plugin');
  });

  it('ends a hang with a timeout error', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const err = await errorOf(h.registry.call('echo_hang', {}, { caller: member }));
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('Tool "echo_hang" did not finish within 150 ms and was stopped.');
  });

  it('survives a rejection the plugin leaves unhandled, and logs it against plugin and tool', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    // Vitest reports unhandled rejections itself; take its listeners away so only the host's guard sees this one.
    const others = process.listeners('unhandledRejection').filter((l) => l.name !== 'onRejection');
    for (const l of others) process.off('unhandledRejection', l);
    try {
      const result = await h.registry.call('echo_leak', {}, { caller: member });
      expect(result.content[0]).toEqual({ type: 'text', text: 'returned fine' });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      for (const l of others) process.on('unhandledRejection', l);
    }
    const line = h.lines.find((l) => l.kind === 'unhandled-rejection');
    expect(line?.plugin).toBe('echo');
    expect(line?.tool).toBe('leak');
    expect(line?.msg).toContain(
      'Plugin "echo" (tool "echo_leak") left a promise rejection unhandled: late rejection from leak',
    );
    expect((await h.registry.call('echo_say', { text: 'still here' }, { caller: member })).content[0]).toMatchObject({
      text: 'still here',
    });
  });

  it('survives an exception thrown from a plugin timer, and logs it against plugin and tool', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const others = process.listeners('uncaughtException').filter((l) => l.name !== 'onException');
    for (const l of others) process.off('uncaughtException', l);
    try {
      await h.registry.call('echo_throw-later', {}, { caller: member });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      for (const l of others) process.on('uncaughtException', l);
    }
    const line = h.lines.find((l) => l.kind === 'uncaught-exception');
    expect(line?.msg).toBe(
      'Plugin "echo" (tool "echo_throw-later") left an exception uncaught: thrown from a timer. Hearth keeps running; the plugin should await or catch it.',
    );
  });

  it('denies a service the operator did not grant, with a clear permission error', async () => {
    h = await createHarness({ grants: { echo: ['storage'] } });
    await h.host.load(fixture('echo-pkg'));
    const err = await errorOf(h.registry.call('echo_chat', { q: 'hi' }, { caller: member }));
    expect(err.code).toBe('permission_denied');
    expect(err.message).toBe(
      'Plugin "echo" may not use chat models: it needs the "models:chat" permission, which the operator has not granted (plugins.grants.echo).',
    );
    expect(h.host.list()[0]?.withheld).toEqual(['models:chat', 'knowledge:read']);
    expect(h.lines.some((l) => l.msg.includes('plugins.grants.echo does not allow'))).toBe(true);
  });

  it('grants what the plugin declares by default, through the real services', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    expect((await h.registry.call('echo_chat', { q: 'ping' }, { caller: member })).content[0]).toEqual({
      type: 'text',
      text: 'echo: ping',
    });
  });

  it('throttles a tool that floods progress', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const seen: number[] = [];
    await h.registry.call('echo_flood', {}, { caller: member, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeLessThan(10);
    expect(seen.at(-1)).toBe(1);
  });

  it('rejects invalid input before the plugin runs', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const err = await errorOf(h.registry.call('echo_say', { text: 42 }, { caller: member }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/^Invalid input for "echo_say": text: /);
  });
});

describe('PluginHost: unload and reload', () => {
  it('removes the tools from the registry, cancels running calls, and brings them back on reload', async () => {
    h = await createHarness();
    await h.host.load(fixture('echo-pkg'));
    const events: { added: string[]; removed: string[] }[] = [];
    h.registry.onChange((e) => events.push(e));
    const running = errorOf(h.registry.call('echo_wait', {}, { caller: member }));
    await new Promise((r) => setTimeout(r, 10));
    expect(await h.host.unload('echo')).toBe(true);
    expect((await running).message).toBe('Tool "echo_wait" was cancelled: plugin "echo" was unloaded.');
    expect(h.registry.get('echo_say')).toBeUndefined();
    expect(events[0]?.removed).toContain('echo_say');
    expect(h.host.list()).toEqual([]);
    expect(await h.host.unload('echo')).toBe(false);

    await h.host.load(fixture('echo-pkg'));
    const info = await h.host.reload('echo');
    expect(info.tools).toContain('echo_say');
    const data = (await h.registry.call('echo_say', { text: 'back' }, { caller: member })).data as { setups: number };
    // a path-loaded entry module is imported fresh on reload: a new module instance ran its own setup once
    expect(data.setups).toBe(1);
    expect(events.some((e) => e.added.includes('echo_say'))).toBe(true);
  });

  it('reload of an unknown plugin says which are loaded', async () => {
    h = await createHarness();
    await expect(h.host.reload('nope')).rejects.toThrow('No plugin "nope" is loaded; loaded: none.');
  });
});
