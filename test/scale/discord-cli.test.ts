/**
 * `hearth discord` flags as an operator meets them: wrong shard flags fail at once naming the
 * flag (before anything connects), and one process started with HEARTH_OPS_LISTEN serves
 * /healthz, /readyz (gateway and database) and /metrics, then closes them on SIGTERM.
 */
import { rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runHearth } from '../cli/hearth.js';
import { type Emulator, startEmulator } from '../discord/emulator/server.js';
import { runDiscord, sample, scrape, writeBotConfig } from '../discord/processes.js';
import { type OpenAiServer, startOpenAiServer } from '../servers/openai-hf.js';
import { freePort, type HearthProcess, stopAll, waitUntil, workDir } from './lib/index.js';

describe('hearth discord: shard flags and the ops endpoint', () => {
  let emu: Emulator;
  let model: OpenAiServer;
  const procs: HearthProcess[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await stopAll(procs);
    await model?.close();
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses shard flags that cannot run, naming the flag', { timeout: 120_000 }, async () => {
    const dir = workDir();
    dirs.push(dir);
    writeBotConfig(dir);
    // (every rule is unit-tested in packages/bot/test/discord/shard-plan.test.ts; these prove the CLI wiring)
    const cases: [string[], string][] = [
      [['--shards', '0-8', '--shard-count', '8'], '--shards 0-8: shard ids run from 0 to 7 with --shard-count 8'],
      [['--ops', 'nowhere'], '--ops wants HOST:PORT'],
    ];
    for (const [args, message] of cases) {
      // a token is set: the flags are what fails, not the missing DISCORD_TOKEN
      const r = await runHearth(['discord', ...args], { cwd: dir, env: { DISCORD_TOKEN: 'unused-token' } });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('unused-token');
    }
  });

  it('serves /healthz, /readyz and /metrics at HEARTH_OPS_LISTEN and closes them on SIGTERM', {
    timeout: 120_000,
  }, async () => {
    emu = await startEmulator();
    model = await startOpenAiServer({ script: () => ({ text: 'Served.' }) });
    const dir = workDir();
    dirs.push(dir);
    writeBotConfig(dir, { models: { chat: `openai:test@${model.url}/v1`, retries: 0 } });
    const port = await freePort();
    const bot = runDiscord(emu, dir, [], { HEARTH_OPS_LISTEN: `127.0.0.1:${port}` });
    procs.push(bot);
    await bot.waitFor(new RegExp(`ops at http://127\\.0\\.0\\.1:${port}`));
    const ops = `http://127.0.0.1:${port}`;
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { gateway: { ok: true }, database: { ok: true } } });
    const q = emu.say('count me');
    await emu.waitFor(() => emu.repliesTo(q.id)[0], 20_000, 'reply');
    // the reply is counted when its HTTP response reaches the bot, just after the emulator stored it
    await waitUntil(
      'reply counted',
      async () => sample(await scrape(ops), 'hearth_discord_events_total{event="reply_sent"}') >= 1,
      10_000,
    );
    expect(sample(await scrape(ops), 'hearth_discord_events_total{event="message_create"}')).toBe(1);
    // a gateway that goes away makes the process not ready
    emu.gateway.closeWith = 4004;
    emu.gateway.disconnectAll(4000);
    await emu.waitFor(
      async () => (await fetch(`${ops}/readyz`)).status === 503,
      15_000,
      'not ready without the gateway',
    );
    const stopped = await bot.stop(20_000);
    expect(stopped).toMatchObject({ killed: false });
    await expect(fetch(`${ops}/healthz`)).rejects.toThrow();
  });
  it('a shard whose ops port is taken fails the start (exit 1, the port named) instead of respawning for ever', {
    timeout: 120_000,
  }, async () => {
    const gate = await startEmulator();
    const dir = workDir();
    dirs.push(dir);
    writeBotConfig(dir);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      const bot = runDiscord(gate, dir, ['--shards', '1', '--shard-count', '2', '--ops', `127.0.0.1:${port}`]);
      procs.push(bot);
      const r = await Promise.race([
        bot.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`still running:\n${bot.output()}`)), 90_000),
        ),
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`--ops 127.0.0.1:${port}: the port is in use`);
      expect(r.stderr).toContain('a shard did not start');
      // the shard never reached the gateway, and nothing is left connected
      expect(gate.gateway.stats.identifies).toBe(0);
      expect(gate.gateway.connected).toBe(0);
    } finally {
      taken.close();
      await gate.close();
    }
  });
});
