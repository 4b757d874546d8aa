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

describe('array inputs', () => {
  it('become fields every surface can express, parsed from repeated or comma-separated text', async () => {
    const { fieldsFromJsonSchema, parseFieldText, toJsonSchema } = await import('@hearth/sdk');
    const schema = z.object({
      tags: z
        .array(z.enum(['a', 'b']))
        .min(1)
        .max(3)
        .describe('labels'),
      sizes: z.array(z.number().int().min(1)).default([1]).describe('sizes'),
    });
    const [tags, sizes] = fieldsFromJsonSchema(toJsonSchema(schema));
    expect(tags).toMatchObject({
      name: 'tags',
      type: 'string',
      choices: ['a', 'b'],
      required: true,
      array: { minItems: 1, maxItems: 3 },
    });
    expect(sizes).toMatchObject({ name: 'sizes', type: 'integer', min: 1, required: false, default: [1], array: {} });
    expect(parseFieldText(sizes!, '1, 2,3')).toEqual([1, 2, 3]);
    expect(parseFieldText(sizes!, ['4', '5'])).toEqual([4, 5]);
    expect(() => parseFieldText(sizes!, 'x')).toThrow('sizes must be an integer, not "x"');
    expect(() => fieldsFromJsonSchema(toJsonSchema(z.object({ deep: z.array(z.object({ a: z.string() })) })))).toThrow(
      /field "deep" is an array of objects/,
    );
  });
});

describe('rendering hints', () => {
  it('are part of the manifest and checked at load', () => {
    const tool = defineTool({
      name: 'x',
      description: 'x',
      input: z.object({}),
      render: { discord: { data: 'hidden', ephemeral: true }, cli: { data: 'table' }, mcp: { dataAsText: false } },
      run: async () => 'ok',
    });
    const base = { id: 'r', version: '1.0.0', hearth: '^0.1.0', description: 'r', permissions: [] };
    expect(() => definePlugin({ ...base, tools: [tool] })).not.toThrow();
    expect(() =>
      definePlugin({ ...base, tools: [{ ...tool, render: { discord: { data: 'fancy' } } } as never] }),
    ).toThrow(/tools\.0\.render\.discord\.data/);
  });
});
