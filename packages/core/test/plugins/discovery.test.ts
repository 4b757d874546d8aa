import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, fixture, type Harness, member } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const firstPartyMissing = async (s: string) => {
  if (s.startsWith('@hearth/plugin-')) throw new Error(`Cannot find package '${s}'`);
  return import(s);
};

describe('PluginHost.loadConfigured', () => {
  it('loads config paths and the plugins folder, skips denied ids, and keeps going past failures', async () => {
    h = await createHarness(
      {
        load: [fixture('future.ts'), fixture('clash.ts')],
        dir: join(import.meta.dirname, 'fixtures'),
        deny: ['search'],
        firstParty: true,
      },
      { importPlugin: firstPartyMissing },
    );
    const { loaded, failed } = await h.host.loadConfigured();
    expect(loaded.map((p) => p.id)).toEqual(['echo']);
    expect(loaded[0]?.origin).toBe('folder');
    expect(failed.map((f) => f.source)).toEqual([
      fixture('future.ts'),
      '@hearth/plugin-diffusion',
      '@hearth/plugin-gan',
    ]);
    expect(h.registry.get('search_knowledge')).toBeUndefined();
    const warning = h.lines.find((l) => l.source === '@hearth/plugin-gan');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('First-party plugin @hearth/plugin-gan could not be loaded');
    expect(warning?.msg).toContain('Hearth runs without it; set plugins.firstParty to false');
    expect(h.host.failures()).toHaveLength(3);
  });

  it('skips folders without package.json in the plugins folder (plugins keep their data there too)', async () => {
    h = await createHarness();
    mkdirSync(join(h.dataDir, 'plugins', 'echo', '_global'), { recursive: true });
    writeFileSync(join(h.dataDir, 'plugins', 'notes.txt'), 'not a plugin');
    const { loaded, failed } = await h.host.loadConfigured();
    expect({ loaded, failed }).toEqual({ loaded: [], failed: [] });
  });
});

describe('secrets never reach callers or logs', () => {
  it('redacts a secret a plugin quotes in its error and its log line', async () => {
    const canary = 'hf_CanaryCanaryCanary0123456789';
    h = await createHarness({}, { secrets: [canary] });
    await h.host.load(fixture('echo-pkg'));
    const err = await h.registry
      .call('echo_fail', { text: `token ${canary}` }, { caller: member })
      .catch((e: Error) => e);
    expect((err as Error).message).toBe('Tool "echo_fail" failed: failed with token [redacted]');
    expect(h.logText()).toContain('about to fail with token [redacted]');
    expect(h.logText()).not.toContain(canary);
  });
});
