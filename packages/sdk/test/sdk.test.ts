import { attachment, definePlugin, defineTool, fieldsFromJsonSchema, pluginDocs, toJsonSchema } from '@hearth/sdk';
import { createTestHost } from '@hearth/sdk/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const echo = defineTool({
  name: 'echo',
  description: 'Repeats text',
  input: z.object({
    text: z.string().min(1).max(50).describe('what to repeat'),
    times: z.number().int().min(1).max(5).default(1).describe('how often'),
    style: z.enum(['plain', 'loud']).optional().describe('how'),
  }),
  output: z.object({ repeated: z.string() }),
  async run(input, ctx) {
    ctx.progress(0.5, 'halfway');
    const word = input.style === 'loud' ? input.text.toUpperCase() : input.text;
    const repeated = Array(input.times).fill(word).join(' ');
    return { content: [{ type: 'text', text: repeated }], data: { repeated } };
  },
});

const plugin = definePlugin({
  id: 'demo',
  version: '1.0.0',
  hearth: '^0.1.0',
  description: 'A demo',
  permissions: ['storage'],
  tools: [
    echo,
    defineTool({ name: 'hang', description: 'Never ends', input: z.object({}), run: () => new Promise(() => {}) }),
    defineTool({
      name: 'boom',
      description: 'Throws',
      input: z.object({}),
      run: async () => {
        throw new Error('kaput');
      },
    }),
    defineTool({
      name: 'ask',
      description: 'Needs chat',
      input: z.object({}),
      run: async (_i, ctx) => (await ctx.models.chat({ messages: [] })).text,
    }),
    defineTool({
      name: 'count',
      description: 'Counts calls per guild',
      input: z.object({}),
      run: async (_i, ctx) => {
        const n = ((await ctx.storage.get<number>('n')) ?? 0) + 1;
        await ctx.storage.set('n', n);
        return String(n);
      },
    }),
    defineTool({
      name: 'admin',
      description: 'Admins only',
      access: 'admin',
      input: z.object({}),
      run: async () => 'ok',
    }),
  ],
});

describe('fields from one zod schema', () => {
  it('derives types, bounds, choices and required flags', () => {
    const fields = fieldsFromJsonSchema(toJsonSchema(echo.input));
    expect(fields).toEqual([
      { name: 'text', type: 'string', description: 'what to repeat', required: true, minLength: 1, maxLength: 50 },
      { name: 'times', type: 'integer', description: 'how often', required: false, default: 1, min: 1, max: 5 },
      { name: 'style', type: 'string', description: 'how', required: false, choices: ['plain', 'loud'] },
    ]);
  });
  it('marks attachments and rejects nested objects by field name', () => {
    const s = z.object({ file: attachment('a CSV file'), deep: z.object({ a: z.string() }) });
    expect(() => fieldsFromJsonSchema(toJsonSchema(s))).toThrow(/field "deep"/);
    const ok = fieldsFromJsonSchema(toJsonSchema(z.object({ file: attachment('a CSV file') })));
    expect(ok[0]).toMatchObject({ name: 'file', type: 'attachment', required: true });
  });
  it('generates docs', () => {
    expect(pluginDocs(plugin)).toContain('| `times` | integer | no | how often; min 1; max 5; default `1` |');
  });
});

describe('manifest validation', () => {
  it('names the plugin and the field', () => {
    expect(() => definePlugin({ ...plugin, id: 'Bad Id' })).toThrow(/Invalid plugin "Bad Id": id must be/);
    expect(() => definePlugin({ ...plugin, version: 'one' })).toThrow(/version must be a semver/);
    expect(() => definePlugin({ ...plugin, permissions: ['root' as never] })).toThrow(/permissions\.0/);
    expect(() => definePlugin({ ...plugin, tools: [echo, echo] })).toThrow(/two tools are named "echo"/);
  });
});

describe('test host', () => {
  it('calls a tool, validates output and reports progress', async () => {
    const host = await createTestHost(plugin);
    const call = await host.call('echo', { text: 'hi', times: 2, style: 'loud' });
    expect(call.error).toBeUndefined();
    expect(call.result?.data).toEqual({ repeated: 'HI HI' });
    expect(call.progress).toEqual([{ fraction: 0.5, message: 'halfway' }]);
  });
  it('rejects bad input with the field path', async () => {
    const host = await createTestHost(plugin);
    const call = await host.call('echo', { text: '', times: 9 });
    expect(call.error?.code).toBe('invalid_input');
    expect(call.error?.message).toMatch(/text: .*\n?.*times/s);
  });
  it('times out a hanging tool and reports a throwing one', async () => {
    const host = await createTestHost(plugin, { timeoutMs: 50 });
    expect((await host.call('hang', {})).error?.message).toBe(
      'Tool "demo_hang" did not finish within 50 ms and was stopped.',
    );
    expect((await host.call('boom', {})).error?.message).toBe('Tool "demo_boom" failed: kaput');
  });
  it('denies undeclared permissions and admin-only tools', async () => {
    const host = await createTestHost(plugin, { models: { chat: () => 'hello' } });
    expect((await host.call('ask', {})).error?.message).toMatch(/it does not declare the "models:chat" permission/);
    expect((await host.call('admin', {})).error?.code).toBe('permission_denied');
    expect((await host.call('admin', {}, { caller: { isAdmin: true } })).result?.content[0]).toEqual({
      type: 'text',
      text: 'ok',
    });
  });
  it('keeps storage between calls', async () => {
    const host = await createTestHost(plugin);
    await host.call('count', {});
    expect((await host.call('count', {})).result?.content[0]).toEqual({ type: 'text', text: '2' });
  });
  it('cancels on the caller signal', async () => {
    const host = await createTestHost(plugin);
    const ac = new AbortController();
    setTimeout(() => ac.abort('user pressed stop'), 20);
    expect((await host.call('hang', {}, { signal: ac.signal })).error?.message).toBe(
      'Tool "demo_hang" was cancelled: user pressed stop.',
    );
  });
});
