import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type Hearth, type HearthConfig, loadConfig, Redactor } from '@hearth/core';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../packages/bot/src/cli/commands/doctor.js';
import type { CliContext } from '../../packages/bot/src/cli/context.js';

function context(config: () => Promise<HearthConfig>, hearth?: Partial<Hearth>): CliContext {
  return {
    config,
    hearth: async () => {
      if (!hearth) throw new Error('runtime not available');
      return hearth as Hearth;
    },
  } as CliContext;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'hearth-doctor-'));

describe('hearth doctor', () => {
  it('stops at an invalid config and says to fix the named key', async () => {
    const checks = await runDoctor(
      context(() => Promise.reject(new ConfigError('Config key "logLevel": Invalid option'))),
    );
    expect(checks).toEqual([
      {
        status: 'fail',
        area: 'config',
        detail: 'Config key "logLevel": Invalid option',
        fix: 'correct the key named above in hearth.config.json, .env or the environment',
      },
    ]);
  });

  it('fails a data folder it cannot write', async () => {
    const file = join(tmp(), 'not-a-folder');
    writeFileSync(file, '');
    const config = await loadConfig({ cwd: tmp(), env: {}, overrides: { dataDir: join(file, 'data') } });
    const checks = await runDoctor(context(async () => config));
    expect(checks.at(-1)).toMatchObject({ status: 'fail', area: 'data folder' });
    expect(checks.at(-1)?.fix).toContain('HEARTH_DATA_DIR');
  });

  it('reports plugins, providers and the knowledge store, failing only what is broken', async () => {
    const config = await loadConfig({
      cwd: tmp(),
      env: { HF_TOKEN: 'hf_secretsecretsecret123' },
      overrides: { dataDir: tmp() },
    });
    const hearth: Partial<Hearth> = {
      config,
      redactor: new Redactor(),
      plugins: {
        list: () => [
          {
            id: 'echo',
            version: '1.0.0',
            description: '',
            tools: ['echo_say'],
            granted: ['storage'],
            withheld: ['network'],
            workerTools: [],
            source: './echo',
            origin: 'config',
          },
        ],
        failures: () => [
          { source: './broken', origin: 'config', error: 'Invalid plugin: id must be ...' },
          { source: '@hearth/plugin-gan', origin: 'first-party', error: 'Cannot import plugin' },
        ],
      } as never,
      models: {
        describe: () => ({ chat: 'local', embed: 'local', image: 'hf:org/image-model' }),
        has: () => true,
        chat: async () => ({ ref: 'local' }),
        embedder: async () => ({ embed: async () => [new Float32Array(2)] }),
        image: async () => {
          throw new Error('HTTP 401 from the endpoint');
        },
      } as never,
      knowledge: { listSources: async () => [] } as never,
    };
    const checks = await runDoctor(context(async () => config, hearth));
    const by = (area: string) => checks.find((c) => c.area === area);
    expect(by('plugin echo')).toMatchObject({
      status: 'warn',
      fix: 'add network to plugins.grants.echo if its tools need them',
    });
    expect(by('plugin ./broken')?.status).toBe('fail');
    expect(by('plugin @hearth/plugin-gan')?.status).toBe('warn');
    expect(by('models.chat')?.status).toBe('ok');
    expect(by('models.embed')?.status).toBe('ok');
    expect(by('models.image')).toMatchObject({
      status: 'fail',
      detail: 'hf:org/image-model failed: HTTP 401 from the endpoint',
    });
    expect(by('knowledge')).toMatchObject({ status: 'ok', detail: 'store opens; 0 sources' });
    expect(by('secrets')?.detail).toBe('set: HF_TOKEN (values never shown)');
    expect(JSON.stringify(checks)).not.toContain('hf_secretsecretsecret123');
  });
});
