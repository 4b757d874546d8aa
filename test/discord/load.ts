/**
 * The Discord half of the load run: `hearth discord --shards 2` (two shard processes, the real
 * CLI) against the emulator, with HEARTH_DATABASE_URL (a database of this run on the shared
 * PostgreSQL) and HEARTH_REDIS_URL (a private Redis) set. Message events go to many channels: half
 * to guild channels (the guild is on shard 1), half to DMs (shard 0), so both processes work.
 * Counts lost events, checks reply order per channel, and measures event -> reply latency.
 * The messages are small talk ("hello …"): the engine answers those itself, with no model call
 * and no retrieval, but still loads and stores the conversation in PostgreSQL, checks the shared
 * rate limits in Redis and replies over REST; the cheapest real path on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { freePort, type HearthProcess, startPrivateRedis, workDir } from '../scale/lib/index.js';
import { type Emulator, startEmulator } from './emulator/server.js';
import { guildIdOnShard, type StoredMessage } from './emulator/state.js';
import { runDiscord, sample, scrape, writeBotConfig } from './processes.js';

/** Options of {@link discordLoad}. */
export interface LoadOptions {
  events: number;
  /** Events per second sent by the emulator. */
  rate: number;
  /** Guild channels; as many DM channels again. */
  channels: number;
  /** How long to wait for the last replies. */
  drainMs?: number;
}

/** What a load run measured. */
export interface LoadResult {
  sent: number;
  answered: number;
  /** Events without a reply. */
  lost: number;
  /** Replies that are not the small-talk answer (refusals, errors). */
  wrongReplies: number;
  /** Channels whose replies came out of the order of their questions. */
  outOfOrder: string[];
  p50: number;
  p95: number;
  max: number;
  wallS: number;
  /** `message_create` events each shard process counted (from its /metrics), by shard, warm-up included. */
  counted: number[];
  /** Replies each shard process counted. */
  replies: number[];
  /** Each shard process's share of the answered events (guild vs DM). */
  perShard: [number, number];
  startS: number;
  /** The first answer of each shard process (guild, DM), sent before the run: model and database warm-up. */
  warmupMs: [number, number];
  /** REST requests the bots made while the events were handled, by method and route (ids as :id). */
  rest: Record<string, number>;
}

const PG_ADMIN = process.env.HEARTH_TEST_PG_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function psql(sql: string): void {
  execFileSync('psql', [PG_ADMIN, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: 'pipe' });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs the load and tears everything down (processes, database, Redis, folders). */
export async function discordLoad(options: LoadOptions): Promise<LoadResult> {
  const database = `hearth_discord_load_${randomUUID().slice(0, 8)}`;
  psql(`CREATE DATABASE ${database}`);
  const redis = await startPrivateRedis();
  const emu = await startEmulator(undefined, { guildId: guildIdOnShard(1, 2) });
  const guildChannels = Array.from({ length: options.channels }, (_, i) => emu.world.addChannel(`load-${i}`));
  const users = Array.from({ length: options.channels }, (_, i) => emu.world.addUser(`user${i}`));
  const dms = users.map((u) => emu.world.dmChannel(u.id).id);
  const dir = workDir();
  // limits high enough never to refuse, low enough to be checked (in Redis) on every event
  writeBotConfig(dir, {
    discord: {
      rateLimits: { user: { max: 100_000, windowMs: 60_000 }, guild: { max: 1_000_000, windowMs: 60_000 } },
      maxQueue: 100_000,
    },
  });
  const port = await freePort();
  let bot: HearthProcess | undefined;
  try {
    const started = performance.now();
    bot = runDiscord(emu, dir, ['--shards', '2', '--ops', `127.0.0.1:${port}`], {
      HEARTH_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      HEARTH_REDIS_URL: redis.url,
    });
    await bot.waitFor(/Hearth is on Discord with 2 shard\(s\)/, 180_000);
    const startS = (performance.now() - started) / 1000;
    // one answer per shard process first: its first turn creates the chat model and opens the
    // database connections, seconds that are start-up, not load (reported apart)
    const warmupMs = (await Promise.all(
      [dms[0]!, guildChannels[0]!].map(async (channelId) => {
        const t = performance.now();
        const q = emu.say('hello, warming up', { channelId, author: users[0] });
        await emu.waitFor(() => emu.repliesTo(q.id)[0], 120_000, 'warm-up reply');
        return performance.now() - t;
      }),
    )) as [number, number];
    const firstRequest = emu.requests.length;
    const run = await fire(emu, options, guildChannels, dms, users);
    const rest: Record<string, number> = {};
    for (const r of emu.requests.slice(firstRequest)) {
      const route = `${r.method} ${r.path.replace(/\/\d{5,}/g, '/:id')}`;
      rest[route] = (rest[route] ?? 0) + 1;
    }
    const counted: number[] = [];
    const replies: number[] = [];
    for (const shard of [0, 1]) {
      // a reply is counted when its HTTP response reaches the bot, just after the emulator stored it
      const expected = run.perShard[shard]! + 1;
      let m = '';
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        m = await scrape(`http://127.0.0.1:${port + shard}`);
        if (sample(m, 'hearth_discord_events_total{event="reply_sent"}') >= expected) break;
      }
      counted.push(sample(m, 'hearth_discord_events_total{event="message_create"}'));
      replies.push(sample(m, 'hearth_discord_events_total{event="reply_sent"}'));
    }
    const stopped = await bot.stop(30_000);
    if (stopped.code !== 0) throw new Error(`hearth discord exited ${stopped.code}:\n${bot.output().slice(-3000)}`);
    return { ...run, counted, replies, startS, rest, warmupMs };
  } catch (err) {
    if (bot) (err as Error).message += `\n--- hearth discord output ---\n${bot.output().slice(-4000)}`;
    throw err;
  } finally {
    await bot?.stop(5_000);
    await emu.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    try {
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } catch {
      // a leftover database is harmless; its name says which run made it
    }
  }
}

/**
 * Sends `options.events` small-talk messages at `options.rate` (even events to a guild channel,
 * odd ones to a user's DM), waits up to `options.drainMs` for the replies, and measures lost events,
 * wrong replies, per-channel order and event -> reply latency.
 */
export async function fire(
  emu: Emulator,
  options: LoadOptions,
  guildChannels: string[],
  dms: string[],
  users: ReturnType<Emulator['world']['addUser']>[],
): Promise<Omit<LoadResult, 'counted' | 'replies' | 'startS' | 'rest' | 'warmupMs'>> {
  const firstReply = new Map<string, { id: string; at: number; content: string }>();
  const onMessage = (m: StoredMessage) => {
    const ref = m.message_reference?.message_id;
    if (ref && !firstReply.has(ref)) firstReply.set(ref, { id: m.id, at: performance.now(), content: m.content });
  };
  emu.on('message', onMessage);
  const questions: StoredMessage[] = [];
  const sentAt = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < options.events; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // even events: a guild channel (shard 1); odd: a user's DM (shard 0)
    const slot = Math.floor(i / 2) % guildChannels.length;
    const dm = i % 2 === 1;
    const q = emu.say(`hello there ${i}`, {
      channelId: dm ? dms[slot] : guildChannels[slot],
      author: users[dm ? slot : (i * 7) % users.length],
    });
    sentAt.set(q.id, performance.now());
    questions.push(q);
  }
  const deadline = Date.now() + (options.drainMs ?? 120_000);
  while (firstReply.size < questions.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  emu.off('message', onMessage);
  const answered = questions.filter((q) => firstReply.has(q.id));
  const latencies = answered.map((q) => firstReply.get(q.id)!.at - sentAt.get(q.id)!);
  const outOfOrder: string[] = [];
  for (const channel of [...guildChannels, ...dms]) {
    const ids = questions.filter((q) => q.channel_id === channel && firstReply.has(q.id));
    for (let i = 1; i < ids.length; i++) {
      if (BigInt(firstReply.get(ids[i]!.id)!.id) < BigInt(firstReply.get(ids[i - 1]!.id)!.id)) {
        outOfOrder.push(channel);
        break;
      }
    }
  }
  return {
    sent: questions.length,
    answered: answered.length,
    lost: questions.length - answered.length,
    wrongReplies: answered.filter((q) => !firstReply.get(q.id)!.content.startsWith('Hello!')).length,
    outOfOrder,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: Math.max(...latencies),
    wallS: (performance.now() - start) / 1000,
    perShard: [answered.filter((q) => !q.guild_id).length, answered.filter((q) => q.guild_id).length],
  };
}

/** `pnpm bench discord-load`: the markdown section. `DISCORD_LOAD_EVENTS` / `DISCORD_LOAD_RATE` override. */
export async function run(): Promise<string> {
  const events = Number(process.env.DISCORD_LOAD_EVENTS ?? 5000);
  const rate = Number(process.env.DISCORD_LOAD_RATE ?? 20);
  const channels = 50;
  const r = await discordLoad({ events, rate, channels, drainMs: 300_000 });
  return [
    '## discord-load',
    '',
    `\`hearth discord --shards 2\` (two shard processes, the real CLI from source) against the Discord emulator, HEARTH_DATABASE_URL on PostgreSQL 15 (a database of this run), HEARTH_REDIS_URL on a private Redis 7 (rate limits shared through it).`,
    `${events} MESSAGE_CREATE events at ${rate}/s over ${channels} guild channels (shard 1) and ${channels} DM channels (shard 0); small talk ("hello there N"), which the engine answers without a model call but with the conversation stored in PostgreSQL and a rate-limit check in Redis per event.`,
    '',
    '| events | lost | wrong replies | channels out of order | p50 event->reply ms | p95 ms | max ms | answered by shard 0 / 1 | counted by /metrics shard 0 / 1 | wall s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.sent} | ${r.lost} | ${r.wrongReplies} | ${r.outOfOrder.length} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.max.toFixed(0)} | ${r.perShard[0]} / ${r.perShard[1]} | ${r.counted[0]} / ${r.counted[1]} | ${r.wallS.toFixed(1)} |`,
    '',
    `Start to both shards ready: ${r.startS.toFixed(1)} s; first answer of shard 0 / 1 (chat model created, database connected; sent before the run, not counted above): ${r.warmupMs.map((ms) => ms.toFixed(0)).join(' / ')} ms. REST requests per event: ${Object.entries(
      r.rest,
    )
      .map(([route, n]) => `${route} ${(n / r.sent).toFixed(2)}`)
      .join(', ')}.`,
    '',
  ].join('\n');
}
