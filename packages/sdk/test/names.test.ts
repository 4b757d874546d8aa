import { definePlugin, defineTool, groupClash, HOST_COMMANDS, pluginDocs, toolNames } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('one name per tool, on every surface', () => {
  it('groups a plugin under one command with a subcommand per tool, as discord.js bots do', () => {
    expect(toolNames('poll', 'create')).toEqual({
      group: 'poll',
      mcp: 'poll_create',
      discord: { command: 'poll', subcommand: 'create' },
      cli: ['poll', 'create'],
      slash: '/poll create',
    });
  });

  it('namespaces a tool called help, so it never shadows chat /help', () => {
    expect(toolNames('poll', 'help').slash).toBe('/poll help');
  });

  it('moves a plugin whose id is a host command, or starts a built-in tool name, to <id>-plugin everywhere', () => {
    for (const id of ['help', 'search', 'tools', 'add', 'list']) {
      const n = toolNames(id, 'x');
      expect(n.group).toBe(`${id}-plugin`);
      expect([n.mcp, n.slash, n.cli.join(' ')]).toEqual([`${id}-plugin_x`, `/${id}-plugin x`, `${id}-plugin x`]);
      expect(n.renamed).toBe(groupClash(id));
    }
    expect(HOST_COMMANDS).toContain('help');
    expect(groupClash('poll')).toBeUndefined();
  });

  it('generated docs state the names the surfaces really use', () => {
    const poll = definePlugin({
      id: 'poll',
      version: '1.0.0',
      hearth: '^0.1.0',
      description: 'Polls',
      permissions: [],
      tools: [defineTool({ name: 'create', description: 'Create a poll', input: z.object({}), run: async () => 'ok' })],
    });
    expect(pluginDocs(poll)).toContain(
      'Discord: `/poll create` · MCP: `poll_create` · CLI: `hearth poll create` · chat: `/poll create`',
    );
    expect(pluginDocs({ ...poll, id: 'help' })).toContain('Note: "help" is a built-in command');
    expect(pluginDocs({ ...poll, id: 'help' })).toContain('Discord: `/help-plugin create`');
  });
});
