/**
 * `hearth discord` across processes and "machines": two CLI processes each run one shard id of a
 * 2-shard bot (--shards N --shard-count 2), the guild's shard process is killed with SIGKILL, the
 * ShardingManager spawns it again, and it reconnects and answers. Its ops endpoint reports the
 * gateway and counts events. Real discord.js clients against the emulator.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../discord/emulator/server.js';
import { guildIdOnShard } from '../discord/emulator/state.js';
import { runDiscord, sample, scrape, shardPids, writeBotConfig } from '../discord/processes.js';
import { type OpenAiServer, startOpenAiServer } from '../servers/openai-hf.js';
import { freePort, type HearthProcess, stopAll, waitUntil, workDir } from './lib/index.js';

describe('hearth discord --shards N --shard-count 2 on two "machines": ranges, kill -9 respawn, ops', () => {
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

  it('each process runs only its shard id; a SIGKILLed shard process is respawned, reconnects and answers', {
    timeout: 180_000,
  }, async () => {
    // the guild lives on shard 1; DMs go to shard 0
    emu = await startEmulator(undefined, { guildId: guildIdOnShard(1, 2) });
    model = await startOpenAiServer({ script: () => ({ text: 'Answered by a shard.' }) });
    const models = { chat: `openai:test@${model.url}/v1`, retries: 0 };
    const [dirA, dirB] = [workDir(), workDir()];
    dirs.push(dirA, dirB);
    writeBotConfig(dirA, { models });
    writeBotConfig(dirB, { models });
    const port = await freePort();
    const ops = `http://127.0.0.1:${port}`;
    const a = runDiscord(emu, dirA, ['--shards', '1', '--shard-count', '2', '--ops', `127.0.0.1:${port}`], {}, 'A');
    const b = runDiscord(emu, dirB, ['--shards', '0', '--shard-count', '2'], {}, 'B');
    procs.push(a, b);
    await Promise.all([
      a.waitFor(/Hearth is on Discord with shard\(s\) 1 of 2/),
      b.waitFor(/Hearth is on Discord with shard\(s\) 0 of 2/),
    ]);
    expect(emu.gateway.stats.identifies).toBe(2);
    const before = shardPids(a.pid);
    expect([...before.keys()]).toEqual([1]);
    expect([...shardPids(b.pid).keys()]).toEqual([0]);

    // machine A answers the guild, machine B the DM
    const q = emu.say('hello shards');
    expect((await emu.waitFor(() => emu.repliesTo(q.id)[0], 30_000, 'guild reply')).content).toBe(
      'Answered by a shard.',
    );
    const dm = emu.say('hello from a DM', { channelId: emu.world.dmChannel(emu.world.alice.id).id });
    await emu.waitFor(() => emu.repliesTo(dm.id)[0], 30_000, 'DM reply from shard 0');

    const ready = await fetch(`${ops}/readyz`);
    const report = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(ready.status).toBe(200);
    expect(report.checks.gateway?.ok).toBe(true);
    expect(report.checks.database?.ok).toBe(true);
    // the reply is counted when its HTTP response reaches the bot, just after the emulator stored it
    await waitUntil(
      'reply counted',
      async () => sample(await scrape(ops), 'hearth_discord_events_total{event="reply_sent"}') >= 1,
      10_000,
    );
    expect(sample(await scrape(ops), 'hearth_discord_events_total{event="message_create"}')).toBe(1);

    // kill -9 the guild's shard process: the manager spawns it again and it identifies anew
    const killedAt = Date.now();
    process.kill(before.get(1)!, 'SIGKILL');
    await a.waitFor(/shard 1 exited \(SIGKILL\); starting it again/, 10_000);
    await waitUntil('shard 1 ready again', () => (a.stderr().match(/shard 1 ready/g) ?? []).length >= 2, 90_000);
    const readyMs = Date.now() - killedAt;
    const again = emu.say('hello again');
    const reply = await emu.waitFor(() => emu.repliesTo(again.id)[0], 30_000, 'reply after respawn');
    const answeredMs = reply.createdMs - killedAt;
    expect(reply.content).toBe('Answered by a shard.');
    expect(emu.gateway.stats.identifies).toBe(3);
    const after = shardPids(a.pid);
    expect(after.get(1)).toBeDefined();
    expect(after.get(1)).not.toBe(before.get(1));
    // the new shard process serves the same ops port, counting from zero again
    await waitUntil('ops ready after respawn', async () => (await fetch(`${ops}/readyz`)).status === 200, 20_000);
    expect(sample(await scrape(ops), 'hearth_discord_events_total{event="message_create"}')).toBe(1);
    process.stderr.write(
      `discord shard kill -9 recovery: respawned shard ready ${readyMs} ms after SIGKILL, first answer ${answeredMs} ms after it\n`,
    );

    const [ra, rb] = await Promise.all([a.stop(20_000), b.stop(20_000)]);
    expect(ra).toMatchObject({ code: 0, killed: false });
    expect(rb).toMatchObject({ code: 0, killed: false });
    await emu.waitFor(() => emu.gateway.connected === 0, 10_000, 'shards disconnected');
  });
});
