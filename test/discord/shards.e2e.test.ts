import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type OpenAiServer, startOpenAiServer } from '../servers/openai-hf.js';
import { type Emulator, startEmulator } from './emulator/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('sharding as `hearth discord --shards auto` runs it (ShardingManager, one process per shard)', () => {
  let emu: Emulator;
  let model: OpenAiServer;
  let child: ChildProcess | undefined;
  let dir: string;
  let stderr = '';
  const stderrText = () => (child?.exitCode !== 0 ? stderr.slice(-3000) : '');
  afterAll(async () => {
    if (stderrText()) process.stderr.write(stderrText());
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await model?.close();
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks the configured API for the shard count, runs each shard in its own process, answers, and stops on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    emu = await startEmulator();
    emu.recommendedShards = 2;
    model = await startOpenAiServer({ script: () => ({ text: 'Answered by a shard.' }) });
    dir = mkdtempSync(join(tmpdir(), 'hearth-shards-'));
    const configPath = join(dir, 'hearth.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        models: { chat: `openai:test@${model.url}/v1`, retries: 0 },
        plugins: { firstParty: false },
        knowledge: { ingestDocsOnStart: false },
        logLevel: 'warn',
        discord: { shardSpawnDelayMs: 0 },
      }),
    );
    child = spawn(
      process.execPath,
      [
        '--conditions=hearth-source',
        '--import',
        'tsx',
        'test/discord/fixtures/sharded-main.ts',
        configPath,
        join(dir, 'data'),
        'auto',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.apiUrl },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr!.on('data', (d) => {
      stderr += String(d);
    });
    await emu.waitFor(() => stderr.includes('ready 2') || child!.exitCode !== null, 60_000, 'shards ready');
    expect(stderr).toContain('ready 2');
    expect(emu.gateway.stats.identifies).toBe(2);
    expect(emu.requests.some((r) => r.path === '/api/v10/gateway/bot' && r.authorized)).toBe(true);
    const q = emu.say('hello shards');
    const reply = await emu.waitFor(() => emu.repliesTo(q.id)[0], 20_000, 'reply from the guild shard');
    expect(reply.content).toBe('Answered by a shard.');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await emu.waitFor(() => emu.gateway.connected === 0, 10_000, 'shards disconnected');
  });
});
