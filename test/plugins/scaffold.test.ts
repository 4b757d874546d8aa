import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHearth, createLogger, type Hearth, Redactor } from '@hearth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldPlugin } from '../../packages/bot/src/cli/commands/plugins.js';

const root = join(import.meta.dirname, '../..');
const member = { surface: 'discord' as const, userId: 'u1', guildId: 'g1', channelId: 'c1', roles: [], isAdmin: false };

/** What `npm install` would give the scaffolded package: its declared dependencies, linked. */
function install(dir: string, deps: Record<string, string>): void {
  const link = (name: string, target: string) => {
    mkdirSync(join(dir, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(target, join(dir, 'node_modules', name), 'dir');
  };
  link('@hearth/sdk', join(root, 'packages/sdk'));
  if (deps.zod) link('zod', realpathSync(join(root, 'packages/sdk/node_modules/zod')));
  link('vitest', realpathSync(join(root, 'node_modules/vitest')));
}

describe('a plugin scaffolded as its own package, end to end', () => {
  let pkgDir: string;
  let deps: Record<string, string>;
  let hearth: Hearth | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hearth-scaffold-'));
    pkgDir = scaffoldPlugin('hello', { dir: parent, sdk: '^0.1.0' }).dir;
    deps = (await import(join(pkgDir, 'package.json'), { with: { type: 'json' } })).default.dependencies;
    install(pkgDir, deps);
  });
  afterAll(async () => {
    await hearth?.close();
  });

  it('depends on @hearth/sdk (plus zod only while the SDK does not re-export it)', () => {
    expect(Object.keys(deps).filter((d) => d !== 'zod')).toEqual(['@hearth/sdk']);
    expect(deps['@hearth/sdk']).toBe('^0.1.0');
  });

  it('uses workspace:^ when a pnpm workspace lists the folder, and refuses a bad id or a non-empty folder', () => {
    const ws = mkdtempSync(join(tmpdir(), 'hearth-ws-'));
    writeFileSync(join(ws, 'pnpm-workspace.yaml'), "packages:\n  - packages/*\n  - 'plugins/*'\n");
    const { dir } = scaffoldPlugin('inside', { cwd: ws });
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies['@hearth/sdk']).toBe('workspace:^');
    expect(() => scaffoldPlugin('inside', { cwd: ws })).toThrow(/already exists and is not empty/);
    expect(() => scaffoldPlugin('Bad_Name', { cwd: ws })).toThrow(/not a valid plugin id/);
  });

  it('passes its own test out of the box', async () => {
    const vitest = join(root, 'node_modules/vitest/vitest.mjs');
    const config = join(import.meta.dirname, 'scaffold.vitest.config.ts');
    const run = await promisify(execFile)(process.execPath, [vitest, 'run', '--root', pkgDir, '--config', config], {
      cwd: pkgDir,
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
    }).catch((err: { stdout: string; stderr: string }) => {
      throw new Error(`the scaffolded test failed:\n${err.stdout}\n${err.stderr}`);
    });
    expect(run.stdout).toMatch(/Tests\s+2 passed/);
  });

  it('loads into a real Hearth, is called like any tool, unloads and loads again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-data-'));
    const redactor = new Redactor();
    const logger = createLogger({
      level: 'info',
      redactor,
      destination: { write: (l: string) => void lines.push(l) } as never,
    });
    hearth = await createHearth({
      cwd: dataDir,
      env: {},
      overrides: { dataDir, plugins: { load: [pkgDir], firstParty: false }, knowledge: { ingestDocsOnStart: false } },
      logger,
      importPlugin: (s) => import(s),
    });
    const tool = hearth.registry.get('hello_greet');
    expect(tool?.origin).toEqual({ kind: 'plugin', pluginId: 'hello', version: '0.1.0' });
    expect(hearth.registry.commandName(tool!)).toBe('/hello greet');
    expect(hearth.registry.resolveCommand('/hello greet name=Ada')).toEqual({ tool, rest: 'name=Ada' });
    expect(tool?.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['name', 'string', true],
      ['times', 'integer', false],
    ]);
    const result = await hearth.registry.call('hello_greet', { name: 'Ada' }, { caller: member });
    expect(result.data).toEqual({ greeting: 'Hello, Ada!' });
    const listed = await hearth.registry.call('list_plugins', {}, { caller: member });
    expect((listed.data as { plugins: { id: string }[] }).plugins.map((p) => p.id)).toEqual(['hello']);
    expect(lines.join('')).toContain('plugin \\"hello\\" 0.1.0 loaded: hello_greet');

    expect(await hearth.plugins.unload('hello')).toBe(true);
    expect(hearth.registry.get('hello_greet')).toBeUndefined();
    await expect(hearth.registry.call('hello_greet', { name: 'Ada' }, { caller: member })).rejects.toThrow(
      /Unknown tool "hello_greet"/,
    );

    await hearth.plugins.load(pkgDir);
    expect((await hearth.registry.call('greet', { name: 'Bo', times: 2 }, { caller: member })).data).toEqual({
      greeting: 'Hello, Bo! Hello, Bo!',
    });
    expect(existsSync(join(dataDir, 'hearth.sqlite'))).toBe(true);
  });
});
