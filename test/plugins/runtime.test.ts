import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHearth, createLogger, type Hearth, Redactor } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = join(import.meta.dirname, '../../packages/core/test/plugins/fixtures');
const member = { surface: 'discord' as const, userId: 'u1', guildId: 'g1', channelId: 'c1', roles: [], isAdmin: false };

async function errorOf(p: Promise<unknown>): Promise<HearthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof HearthError)) throw new Error(`expected a HearthError, got ${String(err)}`);
  return err;
}

/** The same misbehaving plugins as the host's unit tests, loaded by a real createHearth from config. */
describe('plugins in a real Hearth runtime', () => {
  let hearth: Hearth;
  const lines: { level: number; msg: string }[] = [];

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-runtime-plugins-'));
    const logger = createLogger({
      level: 'info',
      redactor: new Redactor(),
      destination: { write: (l: string) => void lines.push(JSON.parse(l)) } as never,
    });
    hearth = await createHearth({
      cwd: dataDir,
      env: {},
      overrides: {
        dataDir,
        knowledge: { ingestDocsOnStart: false },
        plugins: {
          firstParty: false,
          load: ['bad-manifest.ts', 'future.ts', 'clash.ts', 'echo-pkg'].map((f) => join(fixtures, f)),
          grants: { echo: ['storage'] },
        },
      },
      logger,
      importPlugin: (s) => import(s),
    });
  }, 120_000);
  afterAll(async () => {
    await hearth?.close();
  });

  it('starts with the good plugin loaded and each bad one reported with its reason', () => {
    // "search" is a built-in command: its tools move to "search-plugin" on every surface, with a warning
    expect(hearth.plugins.list().map((p) => p.id)).toEqual(['search', 'echo']);
    expect(hearth.registry.get('search-plugin_knowledge')).toBeDefined();
    expect(lines.some((l) => l.level === 40 && l.msg.includes('its tools are under "search-plugin"'))).toBe(true);
    const reasons = hearth.plugins.failures().map((f) => f.error);
    expect(reasons[0]).toMatch(/Invalid plugin "Bad Id!": id must be/);
    expect(reasons[1]).toContain('supports Hearth ^9.0.0, but this is Hearth 0.1.0');
    expect(lines.filter((l) => l.level === 50 && l.msg.startsWith('Plugin ')).length).toBe(2);
  });

  it('contains a throw, a hang, an escaped rejection and a denied permission', async () => {
    expect((await errorOf(hearth.registry.call('echo_boom', {}, { caller: member }))).code).toBe('tool_failed');
    expect((await errorOf(hearth.registry.call('echo_hang', {}, { caller: member }))).code).toBe('timeout');
    const denied = await errorOf(hearth.registry.call('echo_chat', { q: 'hi' }, { caller: member }));
    expect(denied.message).toContain('needs the "models:chat" permission, which the operator has not granted');
    const others = process.listeners('unhandledRejection').filter((l) => l.name !== 'onRejection');
    for (const l of others) process.off('unhandledRejection', l);
    try {
      await hearth.registry.call('echo_leak', {}, { caller: member });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      for (const l of others) process.on('unhandledRejection', l);
    }
    expect(lines.some((l) => l.msg.includes('(tool "echo_leak") left a promise rejection unhandled'))).toBe(true);
    // and the runtime still answers
    expect((await hearth.registry.call('echo_say', { text: 'alive' }, { caller: member })).content[0]).toMatchObject({
      text: 'alive',
    });
  });

  it('shows loaded plugins to every surface through list_plugins, and drops them on unload', async () => {
    const before = await hearth.registry.call('list_plugins', {}, { caller: member });
    expect((before.data as { plugins: { id: string; granted: string[] }[] }).plugins).toMatchObject([
      { id: 'search' },
      { id: 'echo', granted: ['storage'] },
    ]);
    await hearth.plugins.unload('echo');
    expect(hearth.registry.list().some((t) => t.name.startsWith('echo_'))).toBe(false);
    const after = await hearth.registry.call('list_plugins', {}, { caller: member });
    expect((after.data as { plugins: { id: string }[] }).plugins.map((p) => p.id)).toEqual(['search']);
  });
});
