import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registeredTool } from '@hearth/core';
import { defineTool, type Logger, PERMISSIONS } from '@hearth/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkDiscord } from '../../packages/bot/src/discord/doctor.js';
import { startDiscord } from '../../packages/bot/src/discord/index.js';
import {
  type OpenAiServer,
  type RecordedRequest,
  type ScriptedReply,
  startOpenAiServer,
} from '../servers/openai-hf.js';
import { type Emulator, startEmulator } from './emulator/server.js';
import { type Rig, rigHearth, startRig } from './harness.js';

/** The model: remembers a name only when the conversation it is sent contains it. */
function model(request: RecordedRequest): ScriptedReply {
  const messages = (request.body.messages ?? []) as { role: string; content: string }[];
  const last = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
  const all = messages.map((m) => m.content).join('\n');
  if (/what is my name/i.test(last))
    return { text: /my name is Zed/i.test(all) ? 'Your name is Zed.' : "I don't know your name yet." };
  if (/my name is/i.test(last)) return { text: 'Nice to meet you!' };
  return { text: 'A short answer.' };
}

/** Every message the model was sent in its last request, joined. */
const lastPrompt = (server: OpenAiServer) =>
  ((server.requests.at(-1)?.body.messages ?? []) as { content: string }[]).map((m) => m.content).join('\n');

describe('conversations that survive a restart (real discord.js, real Hearth, SQLite on disk)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ script: model });
  });
  afterAll(async () => rig?.close());

  it('continues a reply chain after the bot restarts: the first turn is in the model prompt', async () => {
    const zed = rig.emu.world.addUser('zed');
    const first = rig.emu.say('Hello, my name is Zed.', { author: zed });
    const hello = await rig.emu.waitFor(() => rig.emu.repliesTo(first.id)[0], 10_000, 'first answer');
    await rig.restart();
    const second = rig.emu.say('What is my name?', { author: zed, replyTo: hello.id });
    const answer = await rig.emu.waitFor(() => rig.emu.repliesTo(second.id)[0], 10_000, 'answer after restart');
    expect(lastPrompt(rig.model)).toContain('Hello, my name is Zed.');
    expect(answer.content).toBe('Your name is Zed.');
    // and a reply to the user's own first message joins the same chain too
    const third = rig.emu.say('What is my name?', { author: zed, replyTo: second.id, mention: true });
    await rig.emu.waitFor(() => rig.emu.repliesTo(third.id)[0], 10_000, 'third answer');
    expect(lastPrompt(rig.model)).toContain('Hello, my name is Zed.');
  });

  it('rebuilds a chain whose links are gone by following message references through the API', async () => {
    const zed = rig.emu.world.addUser('zia');
    const first = rig.emu.say('Hi there, my name is Zed.', { author: zed });
    const hello = await rig.emu.waitFor(() => rig.emu.repliesTo(first.id)[0], 10_000, 'first answer');
    const second = rig.emu.say('Nice weather today', { author: zed, replyTo: hello.id });
    const reply2 = await rig.emu.waitFor(() => rig.emu.repliesTo(second.id)[0], 10_000, 'second answer');
    // the bot stores a chain's links just after sending its answer: let that land before removing them
    await rig.emu.waitFor(
      () => rig.hearth.db.prepare('SELECT 1 FROM discord_message_links WHERE message_id = ?').get(reply2.id),
      10_000,
      'links of the second answer stored',
    );
    const since = Date.now(); // before the restart: every API read after the links are gone counts
    rig.hearth.db.prepare('DELETE FROM discord_message_links').run(); // links pruned, or a new data folder
    await rig.restart();
    const third = rig.emu.say('What is my name?', { author: zed, replyTo: reply2.id });
    const answer = await rig.emu.waitFor(() => rig.emu.repliesTo(third.id)[0], 10_000, 'answer after rebuild');
    expect(lastPrompt(rig.model)).toContain('Hi there, my name is Zed.');
    expect(answer.content).toBe('Your name is Zed.');
    const fetched = rig.emu.requests.filter(
      (r) => r.method === 'GET' && /\/messages\/\d+$/.test(r.path) && r.at >= since,
    );
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    const rows = rig.hearth.db.prepare('SELECT chain_id FROM discord_message_links WHERE message_id = ?').get(hello.id);
    expect(rows).toEqual({ chain_id: first.id });
  });

  it('continues a thread it opened and a DM after a restart', async () => {
    const user = rig.emu.world.addUser('tia');
    rig.hearth.config.discord.replyInThread = true;
    const q = rig.emu.say('Hi, my name is Zed.', { author: user });
    const thread = await rig.emu.waitFor(() => rig.emu.world.channels.get(q.id), 10_000, 'thread');
    await rig.emu.waitFor(() => rig.emu.messagesIn(thread.id).find((m) => m.content === 'Nice to meet you!'), 10_000);
    const dm = rig.emu.world.dmChannel(user.id);
    const inDm = rig.emu.say('my name is Zed', { author: user, channelId: dm.id, mention: false });
    await rig.emu.waitFor(() => rig.emu.repliesTo(inDm.id)[0], 10_000, 'DM answer');
    await rig.restart();
    const follow = rig.emu.say('What is my name?', { author: user, channelId: thread.id, mention: false });
    const inThread = await rig.emu.waitFor(() => rig.emu.repliesTo(follow.id)[0], 10_000, 'thread answer');
    expect(inThread.content).toBe('Your name is Zed.');
    const again = rig.emu.say('What is my name?', { author: user, channelId: dm.id, mention: false });
    const dmAnswer = await rig.emu.waitFor(() => rig.emu.repliesTo(again.id)[0], 10_000, 'DM after restart');
    expect(dmAnswer.content).toBe('Your name is Zed.');
  });

  it('handles a duplicated INTERACTION_CREATE and MESSAGE_CREATE once', async () => {
    const user = rig.emu.world.addUser('dup');
    const run = rig.emu.command('help', [], { user });
    rig.emu.duplicate(run);
    await rig.emu.waitFor(() => run.callbacks[0], 10_000, '/help reply');
    const q = rig.emu.say('just once please', { author: user });
    rig.emu.redeliver(q);
    await rig.emu.waitFor(() => rig.emu.repliesTo(q.id)[0], 10_000, 'answer');
    await new Promise((r) => setTimeout(r, 500)); // room for a second run to show up
    const callbacks = rig.emu.requests.filter(
      (r) => r.path === `/api/v10/interactions/${run.id}/${run.token}/callback`,
    );
    expect(callbacks).toHaveLength(1);
    expect(rig.emu.repliesTo(q.id)).toHaveLength(1);
    expect(rig.logs.some((l) => l.includes('duplicate interaction ignored'))).toBe(true);
  });
});

describe('registration that reports', () => {
  let emu: Emulator;
  let server: OpenAiServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    emu = await startEmulator();
    server = await startOpenAiServer({ script: model });
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a refused registration names the command and field, and the ready line says so instead of claiming success', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-reg-'));
    dirs.push(dir);
    const logs: string[] = [];
    const hearth = await rigHearth(emu, server, dir, logs);
    const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const tool = defineTool({
      name: 'shout',
      description: 'A choice value Discord refuses (over 100 characters)',
      input: z.object({ word: z.enum(['a'.repeat(120), 'b']).describe('what to shout') }),
      run: async () => 'ok',
    });
    hearth.registry.add([
      registeredTool({
        tool,
        name: 'badplug_shout',
        origin: { kind: 'plugin', pluginId: 'badplug', version: '1.0.0' },
        ownerId: 'badplug',
        granted: new Set(PERMISSIONS),
        defaultTimeoutMs: 5000,
        services: () => ({}) as never,
        log: () => silent,
      }),
    ]);
    const bot = await startDiscord(hearth);
    try {
      expect(bot.registration).toEqual([
        expect.objectContaining({ ok: false, commands: 0, target: emu.world.guildId }),
      ]);
      // the tool is `/shout` or `/badplug shout` (a subcommand), depending on the registry's naming rule
      const refused = bot.registration[0]!.refused!;
      expect(refused).toEqual([
        expect.objectContaining({
          command: expect.stringMatching(/^(shout|badplug)$/),
          field: expect.stringMatching(/^options\[0\]\.(options\[0\]\.)?choices\[0\]\.value$/),
          code: 'BASE_TYPE_MAX_LENGTH',
        }),
      ]);
      const where = `command "${refused[0]!.command}" field ${refused[0]!.field}`;
      expect(bot.readyLine()).toContain('registration failed');
      expect(bot.readyLine()).toContain(where);
      expect(bot.readyLine()).not.toMatch(/commands registered/);
      expect(logs.some((l) => l.includes(where.replaceAll('"', '\\"')))).toBe(true);
    } finally {
      await bot.stop();
      await hearth.close();
    }
  });

  it('the ready line says how many commands were registered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-reg-'));
    dirs.push(dir);
    const hearth = await rigHearth(emu, server, dir, []);
    const bot = await startDiscord(hearth);
    try {
      const sent = emu.commands.get(emu.world.guildId)!;
      expect(bot.readyLine()).toBe(
        `Hearth is on Discord as hearth with ${sent.length} commands registered per guild (${sent.length - 1} slash, 1 message)`,
      );
    } finally {
      await bot.stop();
      await hearth.close();
    }
  });
});

describe('diagnosable connections', () => {
  let emu: Emulator;
  let server: OpenAiServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    emu = await startEmulator();
    server = await startOpenAiServer({ script: model });
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  afterEach(() => {
    emu.gateway.closeWith = undefined;
    emu.applicationFlags = 1 << 18;
  });

  const start = async (code: number | undefined, readyTimeoutMs: number) => {
    emu.gateway.closeWith = code;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-gw-'));
    dirs.push(dir);
    const logs: string[] = [];
    const hearth = await rigHearth(emu, server, dir, logs, { discord: { readyTimeoutMs } as never });
    const began = Date.now();
    const error = await startDiscord(hearth).then(
      () => undefined,
      (err: Error) => err,
    );
    await hearth.close();
    return { error, logs, ms: Date.now() - began };
  };

  it('a gateway that keeps closing with a retried code (4002) ends in a ready timeout naming the code and the fix', {
    timeout: 20_000,
  }, async () => {
    const { error, logs } = await start(4002, 3_000);
    expect(error?.message).toMatch(
      /not ready within 3 s \(discord\.readyTimeoutMs\): the gateway closed the connection \d+ times \(4002 ×\d+\)/,
    );
    expect(error?.message).toMatch(/4002 DecodeError: the gateway could not decode a payload.*Fix: /);
    expect(emu.gateway.closesSent.filter((c) => c === 4002).length).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => /gateway closed with 4002 DecodeError/.test(l))).toBe(true);
    // discord.js debug events reach the debug level (--verbose)
    expect(logs.some((l) => l.includes('discord: gateway debug') && l.includes('"level":20'))).toBe(true);
  });

  it('4004 (bad token) and 4014 (disallowed intents) fail at once with the fix, not after the timeout', {
    timeout: 30_000,
  }, async () => {
    const bad = await start(4004, 15_000);
    expect(bad.error?.message).toMatch(/4004 AuthenticationFailed: the token was rejected\. Fix: reset the token/);
    expect(bad.ms).toBeLessThan(10_000);
    emu.applicationFlags = 0; // "Message Content Intent" off in the Developer Portal: the gateway refuses it
    const intents = await start(undefined, 15_000);
    expect(intents.error?.message).toMatch(/4014 DisallowedIntents.*Message Content Intent/);
    expect(intents.ms).toBeLessThan(10_000);
    expect(intents.logs.some((l) => l.includes('gateway closed for good'))).toBe(true);
  });
});

describe('checkDiscord (for hearth doctor)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => emu?.close());
  const config = (token: string | undefined, apiUrl = emu.apiUrl) =>
    ({ discord: { apiUrl }, secrets: { discordToken: token } }) as Parameters<typeof checkDiscord>[0];

  it('passes a good token, reports the gateway URL, and catches a missing Message Content intent', async () => {
    const good = await checkDiscord(config(emu.token));
    expect(good.map((c) => [c.area, c.status])).toEqual([
      ['discord token', 'ok'],
      ['discord gateway', 'ok'],
      ['discord intents', 'ok'],
    ]);
    expect(good[1]!.detail).toContain(emu.gatewayUrl);
    emu.applicationFlags = 0;
    const off = await checkDiscord(config(emu.token));
    emu.applicationFlags = 1 << 18;
    expect(off[2]).toMatchObject({ status: 'fail', area: 'discord intents' });
    expect(off[2]!.fix).toMatch(/Message Content Intent/);
  });

  it('fails a rejected token without echoing it, an unreachable API, and warns when no token is set', async () => {
    const bad = await checkDiscord(config('not-the-token'));
    expect(bad).toEqual([expect.objectContaining({ status: 'fail', area: 'discord token' })]);
    expect(JSON.stringify(bad)).not.toContain('not-the-token');
    const down = await checkDiscord(config(emu.token, 'http://127.0.0.1:9/api'));
    expect(down[0]).toMatchObject({ status: 'fail', area: 'discord api' });
    expect((await checkDiscord(config(undefined)))[0]).toMatchObject({ status: 'warn', area: 'discord' });
  });
});
