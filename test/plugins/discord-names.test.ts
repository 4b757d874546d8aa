import { registeredTool, ToolRegistry } from '@hearth/core';
import { defineTool } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCommands, commandKey } from '../../packages/bot/src/discord/commands/definitions.js';

const noop = { debug() {}, info() {}, warn() {}, error() {} };

function pluginTool(pluginId: string, name: string, extra: Partial<Parameters<typeof defineTool>[0]> = {}) {
  const tool = defineTool({
    name,
    description: `${pluginId} ${name}`,
    input: z.object({ text: z.string().describe('what'), tags: z.array(z.string()).optional().describe('labels') }),
    run: async () => 'ok',
    ...extra,
  } as Parameters<typeof defineTool>[0]);
  return registeredTool({
    tool,
    name: `${pluginId.replace(/^help$/, 'help-plugin')}_${name}`,
    origin: { kind: 'plugin', pluginId, version: '1.0.0' },
    ownerId: pluginId,
    granted: new Set(),
    defaultTimeoutMs: 1000,
    services: () => ({}) as never,
    log: () => noop,
  });
}

const settings = { allowDMs: false, adminRoles: [] } as never;

describe('Discord commands follow the one naming rule', () => {
  it('one command per plugin, a subcommand per tool, the same words as the CLI and MCP', () => {
    const registry = new ToolRegistry();
    registry.add([
      pluginTool('poll', 'create'),
      pluginTool('poll', 'help'),
      pluginTool('help', 'me'),
      pluginTool('vault', 'wipe', { access: 'admin' }),
    ]);
    const set = buildCommands(registry, settings);
    const byName = new Map(set.commands.map((c) => [c.name, c]));
    const poll = byName.get('poll')!;
    expect(poll.options?.map((o) => [o.type, o.name])).toEqual([
      [1, 'create'],
      [1, 'help'],
    ]);
    // the array field is a text option of comma-separated values
    expect((poll.options![0] as { options: { name: string; type: number; description: string }[] }).options).toEqual([
      expect.objectContaining({ name: 'text', type: 3 }),
      expect.objectContaining({ name: 'tags', type: 3, description: 'labels (comma-separated)' }),
    ]);
    expect(set.tools.get(commandKey('poll', 'create'))?.name).toBe('poll_create');
    expect(set.tools.get('poll help')?.name).toBe('poll_help');
    // a plugin named like a built-in command is moved, never shadowing /help
    expect(byName.get('help')?.description).toBe('What Hearth can do here');
    expect(byName.get('help-plugin')?.options?.map((o) => o.name)).toEqual(['me']);
    for (const tool of registry.list()) {
      const n = registry.names(tool);
      expect(set.tools.get(`${n.discord.command} ${n.discord.subcommand}`)).toBe(tool);
      expect(n.mcp).toBe(tool.name);
      expect(`/${n.cli.join(' ')}`).toBe(n.slash);
    }
    expect(byName.get('vault')?.default_member_permissions).toBe('32');
    expect(poll.default_member_permissions).toBeUndefined();
  });
});
