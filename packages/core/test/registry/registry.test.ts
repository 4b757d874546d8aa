import { Redactor, registeredTool, ToolRegistry } from '@hearth/core';
import { defineTool, PERMISSIONS } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const caller = { surface: 'test' as const, userId: 'u', roles: [], isAdmin: false };
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function entry(owner: string, name: string, run = async () => 'ok') {
  return registeredTool({
    tool: defineTool({ name, description: 'd', input: z.object({ n: z.number().int().max(3).optional() }), run }),
    name: `${owner}_${name}`,
    origin: { kind: 'plugin', pluginId: owner, version: '1.0.0' },
    ownerId: owner,
    granted: new Set(PERMISSIONS),
    defaultTimeoutMs: 1000,
    services: () => ({}) as never,
    log: () => silent,
  });
}

describe('ToolRegistry', () => {
  it('refuses a taken name and leaves the first owner in place', () => {
    const r = new ToolRegistry();
    r.add([entry('a', 'x')]);
    expect(() => r.add([entry('a', 'x')])).toThrow(/"a_x" \(plugin "a"\) is already taken by plugin "a"/);
    expect(r.list().map((t) => t.name)).toEqual(['a_x']);
  });
  it('adds all or nothing', () => {
    const r = new ToolRegistry();
    r.add([entry('a', 'x')]);
    expect(() => r.add([entry('b', 'y'), entry('a', 'x')])).toThrow();
    expect(r.get('b_y')).toBeUndefined();
  });
  it('resolves short names only when unambiguous and tells surfaces which name to show', () => {
    const r = new ToolRegistry();
    r.add([entry('a', 'x'), entry('b', 'x'), entry('c', 'y')]);
    expect(r.get('y')?.name).toBe('c_y');
    expect(r.get('x')).toBeUndefined();
    expect(r.displayName(r.get('c_y')!)).toBe('y');
    expect(r.displayName(r.get('a_x')!)).toBe('a_x');
  });
  it('notifies listeners of added and removed tools', () => {
    const r = new ToolRegistry();
    const events: unknown[] = [];
    r.onChange((e) => events.push(e));
    r.add([entry('a', 'x')]);
    r.remove((t) => t.origin.kind === 'plugin' && t.origin.pluginId === 'a');
    expect(events).toEqual([
      { added: ['a_x'], removed: [] },
      { added: [], removed: ['a_x'] },
    ]);
  });
  it('calls through the safe wrapper: validation and unknown names are clear errors', async () => {
    const r = new ToolRegistry();
    r.add([entry('a', 'x')]);
    await expect(r.call('a_x', { n: 1 }, { caller })).resolves.toEqual({ content: [{ type: 'text', text: 'ok' }] });
    await expect(r.call('a_x', { n: 9 }, { caller })).rejects.toThrow(/Invalid input for "a_x": n: /);
    await expect(r.call('nope', {}, { caller })).rejects.toThrow(/Unknown tool "nope"\. Known tools: a_x/);
  });
});

describe('Redactor', () => {
  it('removes registered secrets and token-shaped strings', () => {
    const r = new Redactor();
    r.add('canary-secret-123');
    expect(r.redact('token canary-secret-123 and Bearer abcdefghijklmnop and hf_abcdefghijklmnopqrstuvwxyz')).toBe(
      'token [redacted] and Bearer [redacted] and [redacted]',
    );
  });
});
