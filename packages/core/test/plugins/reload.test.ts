import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HearthError } from '@hearth/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { requestReload } from '../../src/plugins/watch.js';
import { createHarness, type Harness, member } from './harness.js';

let hosts: Harness[] = [];
afterEach(async () => {
  for (const h of hosts) await h.close();
  hosts = [];
});

/** A temp folder outside the repo that resolves @hearth/sdk and zod as core does. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-live-'));
  const sdk = join(import.meta.dirname, '../../../sdk');
  mkdirSync(join(dir, 'node_modules/@hearth'), { recursive: true });
  symlinkSync(sdk, join(dir, 'node_modules/@hearth/sdk'), 'dir');
  symlinkSync(realpathSync(join(sdk, 'node_modules/zod')), join(dir, 'node_modules/zod'), 'dir');
  return dir;
}

/** A plugin module in a temp folder whose tool answers `answer`; rewritten to change it. */
function writePlugin(dir: string, answer: string): string {
  const file = join(dir, 'index.ts');
  writeFileSync(
    file,
    `import { definePlugin, defineTool } from '@hearth/sdk';
import { z } from 'zod';
export default definePlugin({
  id: 'live', version: '1.0.0', hearth: '^0.1.0', description: 'reloads', permissions: [],
  tools: [
    defineTool({ name: 'answer', description: 'says', input: z.object({}), run: async () => ${JSON.stringify(answer)} }),
    defineTool({ name: 'hang', description: 'waits', input: z.object({}), run: () => new Promise(() => {}) }),
  ],
});
`,
  );
  return file;
}

const text = async (h: Harness) =>
  ((await h.registry.call('live_answer', {}, { caller: member })).content[0] as { text: string }).text;

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('live reload', () => {
  it('ends in-flight calls with "plugin was reloaded" and serves the new code', async () => {
    const dir = tempDir();
    const h = await createHarness();
    hosts.push(h);
    await h.host.load(writePlugin(dir, 'one'));
    const hanging = h.registry.call('live_hang', {}, { caller: member }).catch((e: unknown) => e);
    writePlugin(dir, 'two');
    await h.host.reload('live');
    const err = (await hanging) as HearthError;
    expect(err).toBeInstanceOf(HearthError);
    expect(err.message).toBe('Tool "live_hang" was cancelled: plugin "live" was reloaded.');
    expect(await text(h)).toBe('two');
  });

  it('--watch mode: a saved file reloads the plugin', async () => {
    const dir = tempDir();
    const h = await createHarness();
    hosts.push(h);
    await h.host.load(writePlugin(dir, 'one'));
    const reloads: string[] = [];
    h.host.watch('live', (r) => reloads.push(r.info ? r.file : `failed: ${r.error}`));
    await new Promise((r) => setTimeout(r, 100));
    writePlugin(dir, 'three');
    await until(async () => (await text(h)) === 'three');
    expect(reloads).toContain('index.ts');
  }, 20_000);

  it('hearth plugins reload in another process reaches a running host through the data folder', async () => {
    const dir = tempDir();
    const h = await createHarness();
    hosts.push(h);
    await h.host.load(writePlugin(dir, 'one'));
    writePlugin(dir, 'four');
    // what another process's `hearth plugins reload live` writes (the pid differs from ours)
    const file = requestReload(h.dataDir, 'live');
    writeFileSync(file, JSON.stringify({ pid: process.pid + 1, at: Date.now() }));
    await until(async () => (await text(h)) === 'four');
  }, 20_000);
});
