/**
 * Discord surface throughput: 1,000 MESSAGE_CREATE events at 200/s from the emulator to the real
 * discord.js client, answered by a real Hearth (retrieval, history, a fast OpenAI-protocol model).
 * Baseline in the same process: a bare discord.js bot that replies at once, on the same emulator.
 * Reports dropped events, per-channel order, and p50/p95 from event to reply.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, createHearth, createLogger, Redactor } from '@hearth/core';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { startDiscord } from '../../packages/bot/src/discord/index.js';
import { startOpenAiServer } from '../servers/openai-hf.js';
import { type Emulator, startEmulator } from './emulator/server.js';
import type { StoredMessage } from './emulator/state.js';

const EVENTS = Number(process.env.DISCORD_BENCH_EVENTS ?? 1000);
const RATE = 200;
const CHANNELS = 10;

interface Run {
  sent: number;
  answered: number;
  orderKept: boolean;
  latencies: number[];
  finals: number[];
  wallS: number;
}

async function fire(
  emu: Emulator,
  channels: string[],
  users: ReturnType<Emulator['world']['addUser']>[],
): Promise<Run> {
  const questions: StoredMessage[] = [];
  const firstReply = new Map<string, { id: string; at: number }>();
  const lastChange = new Map<string, number>();
  const onMessage = (m: StoredMessage) => {
    const ref = m.message_reference?.message_id;
    if (ref && !firstReply.has(ref)) firstReply.set(ref, { id: m.id, at: performance.now() });
    lastChange.set(m.id, performance.now());
  };
  const onEdit = (m: StoredMessage) => lastChange.set(m.id, performance.now());
  emu.on('message', onMessage);
  emu.on('edit', onEdit);
  const sentAt = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const q = emu.say(`question ${i}: what does the guide say?`, {
      channelId: channels[i % channels.length],
      author: users[i % users.length],
    });
    sentAt.set(q.id, performance.now());
    questions.push(q);
  }
  const deadline = Date.now() + 120_000;
  while (firstReply.size < questions.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1500)); // let final edits land
  emu.off('message', onMessage);
  emu.off('edit', onEdit);
  const latencies = questions
    .filter((q) => firstReply.has(q.id))
    .map((q) => firstReply.get(q.id)!.at - sentAt.get(q.id)!);
  const finals = questions
    .filter((q) => firstReply.has(q.id))
    .map((q) => lastChange.get(firstReply.get(q.id)!.id)! - sentAt.get(q.id)!);
  let orderKept = true;
  for (const channel of channels) {
    const replies = questions
      .filter((q) => q.channel_id === channel && firstReply.has(q.id))
      .map((q) => BigInt(firstReply.get(q.id)!.id));
    for (let i = 1; i < replies.length; i++) if (replies[i]! < replies[i - 1]!) orderKept = false;
  }
  return {
    sent: questions.length,
    answered: firstReply.size,
    orderKept,
    latencies,
    finals,
    wallS: (performance.now() - start) / 1000,
  };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function baseline(): Promise<Run> {
  const emu = await startEmulator();
  const channels = Array.from({ length: CHANNELS }, (_, i) => emu.world.addChannel(`bench-${i}`));
  const users = Array.from({ length: 50 }, (_, i) => emu.world.addUser(`user${i}`));
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: emu.apiUrl },
  });
  client.on(Events.MessageCreate, (m) => {
    if (!m.author.bot) void m.reply('ok');
  });
  const ready = new Promise((r) => client.once(Events.ClientReady, r));
  await client.login(emu.token);
  await ready;
  try {
    return await fire(emu, channels, users);
  } finally {
    await client.destroy();
    await emu.close();
  }
}

async function hearthRun(): Promise<Run> {
  const emu = await startEmulator();
  const channels = Array.from({ length: CHANNELS }, (_, i) => emu.world.addChannel(`bench-${i}`));
  const users = Array.from({ length: 50 }, (_, i) => emu.world.addUser(`user${i}`));
  const model = await startOpenAiServer({ script: () => ({ chunks: ['The guide ', 'says so.'] }) });
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-discord-bench-'));
  const config = {
    ...configSchema.parse({
      dataDir,
      logLevel: 'warn',
      models: { chat: `openai:fast@${model.url}/v1`, retries: 0 },
      plugins: { firstParty: false },
      knowledge: { ingestDocsOnStart: false },
      discord: { apiUrl: emu.apiUrl, rateLimits: { user: { max: 0 }, guild: { max: 0 } }, maxQueue: 5000 },
    }),
    secrets: { discordToken: emu.token },
  };
  const logger = createLogger({ level: 'warn', redactor: new Redactor(), destination: { write: () => true } as never });
  const hearth = await createHearth({ config, logger, importPlugin: (s) => import(s) });
  await hearth.knowledge.addText({
    title: 'Guide',
    text: 'The guide explains how Hearth answers questions in Discord channels.',
  });
  const bot = await startDiscord(hearth);
  try {
    return await fire(emu, channels, users);
  } finally {
    await bot.stop();
    await hearth.close();
    await model.close();
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<string> {
  const base = await baseline();
  const full = await hearthRun();
  const row = (name: string, r: Run, final: boolean) =>
    `| ${name} | ${r.sent} | ${r.sent - r.answered} | ${r.orderKept ? 'yes' : 'NO'} | ${pct(r.latencies, 50).toFixed(0)} | ${pct(r.latencies, 95).toFixed(0)} | ${final ? `${pct(r.finals, 50).toFixed(0)} / ${pct(r.finals, 95).toFixed(0)}` : '—'} | ${r.wallS.toFixed(1)} |`;
  return [
    '## discord',
    '',
    `${EVENTS} MESSAGE_CREATE events at ${RATE}/s over ${CHANNELS} channels and 50 users, emulator -> real discord.js client -> reply (REST) on 127.0.0.1.`,
    'Hearth: real createHearth (LanceDB retrieval, SQLite history) with a streaming OpenAI-protocol test model, default concurrency cap (4) and per-channel ordering.',
    '',
    '| bot | events | dropped | order kept per channel | p50 event->reply ms | p95 event->reply ms | final edit p50 / p95 ms | wall s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('bare discord.js echo (baseline)', base, false),
    row('Hearth', full, true),
    '',
    `p50 ratio Hearth / baseline: ${(pct(full.latencies, 50) / pct(base.latencies, 50)).toFixed(1)}x.`,
    '',
  ].join('\n');
}
