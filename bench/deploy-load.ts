/**
 * Issue 18's load run in one piece: ONE deployment, everything at once, sharing only
 * HEARTH_DATABASE_URL (a PostgreSQL database of this run) and HEARTH_REDIS_URL (a private Redis),
 * one working folder and one hearth.config.json:
 * - `hearth discord --shards 2` (the manager and two shard processes) against the Discord emulator,
 * - two `hearth worker` processes on the default `tools` queue,
 * - two `hearth mcp --http` instances behind the round-robin proxy of test/mcp/cluster.ts,
 * all real CLI processes from source. Concurrently, the emulator sends Discord message events
 * (small talk, the load shape of discord-load) while 8 MCP clients make tools/call requests paced
 * over the same window: most of the built-in `list_plugins` (answered in the MCP process), a share
 * of the fixture's `scalefix_whoami`, listed in `jobs.queued`, so it runs as a job on a worker and
 * answers with that worker's pid. Lost events and calls, order per channel, latencies, jobs per
 * worker (their /metrics) and the machine's load average are reported.
 *
 * `corepack pnpm bench deploy-load`; knobs: DEPLOY_LOAD_EVENTS (5,000), DEPLOY_LOAD_RATE (events/s,
 * 20), DEPLOY_LOAD_CALLS (2,000), DEPLOY_LOAD_QUEUED_SHARE (0.1), DEPLOY_LOAD_MCP_SPREAD_S (the MCP
 * calls' window; default the events' window, events / rate). Results: docs/benchmarks/deploy-load.md.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { type Emulator, startEmulator } from '../test/discord/emulator/server.js';
import { guildIdOnShard } from '../test/discord/emulator/state.js';
import { fire } from '../test/discord/load.js';
import { runDiscord, sample, scrape } from '../test/discord/processes.js';
import {
  type McpInstance,
  mcpLoadConfig,
  privateDatabase,
  type RoundRobin,
  startMcpInstances,
  startRoundRobin,
} from '../test/mcp/cluster.js';
import { counterValue, openClients, quantile, runCalls } from '../test/mcp/load.js';
import { type KindResult, pickShare, runPacedCalls } from '../test/mcp/paced-load.js';
import { freePort, type HearthProcess, spawnHearth, startPrivateRedis, workDir } from '../test/scale/lib/index.js';

const EVENTS = Number(process.env.DEPLOY_LOAD_EVENTS ?? 5_000);
const RATE = Number(process.env.DEPLOY_LOAD_RATE ?? 20);
const CALLS = Number(process.env.DEPLOY_LOAD_CALLS ?? 2_000);
const QUEUED_SHARE = Number(process.env.DEPLOY_LOAD_QUEUED_SHARE ?? 0.1);
const SPREAD_S = Number(process.env.DEPLOY_LOAD_MCP_SPREAD_S ?? EVENTS / RATE);
const CLIENTS = 8;
/** Guild channels; as many DM channels (one per user) again. */
const CHANNELS = 50;
const DIRECT_TOOL = 'list_plugins';
const QUEUED_TOOL = 'scalefix_whoami';
const QUEUE = 'tools';

/** A `hearth worker` of the run with its ops endpoint. */
interface Worker {
  proc: HearthProcess;
  ops: string;
}

/** The run's hearth.config.json: one for every process, as docs/deploy.md asks. */
function writeDeploymentConfig(dir: string): void {
  const mcp = mcpLoadConfig();
  writeFileSync(
    join(dir, 'hearth.config.json'),
    JSON.stringify({
      ...mcp,
      logLevel: 'warn',
      // the fixture's whoami runs on a worker: a cheap job, so the workers' share is queue overhead
      jobs: { queued: [QUEUED_TOOL] },
      discord: {
        shardSpawnDelayMs: 0,
        // limits high enough never to refuse, low enough to be checked (in Redis) on every event
        rateLimits: { user: { max: 100_000, windowMs: 60_000 }, guild: { max: 1_000_000, windowMs: 60_000 } },
        maxQueue: 100_000,
      },
    }),
  );
}

async function startWorkers(count: number, cwd: string, env: Record<string, string>): Promise<Worker[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const ops = `127.0.0.1:${await freePort()}`;
      const proc = spawnHearth(['worker', '--queues', QUEUE, '--ops', ops], { cwd, env, name: `hearth worker #${i}` });
      await proc.waitFor(/Hearth worker on tools/, 180_000);
      return { proc, ops: `http://${ops}` };
    }),
  );
}

/** hearth_mcp_calls_total{tool,outcome="ok"} of each instance. */
async function mcpCounted(instances: McpInstance[], tool: string): Promise<number[]> {
  return Promise.all(
    instances.map(async (i) => counterValue(await scrape(i.ops), 'hearth_mcp_calls_total', { tool, outcome: 'ok' })),
  );
}

/** Jobs of the queued tool each worker finished, by outcome "ok" and any other. */
async function workerJobs(workers: Worker[]): Promise<{ ok: number; other: number }[]> {
  return Promise.all(
    workers.map(async (w) => {
      const m = await scrape(w.ops);
      const labels = { queue: QUEUE, tool: QUEUED_TOOL };
      const ok = counterValue(m, 'hearth_job_duration_seconds_count', { ...labels, outcome: 'ok' });
      return { ok, other: counterValue(m, 'hearth_job_duration_seconds_count', labels) - ok };
    }),
  );
}

/**
 * The bot's REST requests during the run: per event by route (ids as :id), and the most in one
 * second per shard process, told apart by channel (DMs: shard 0, guild channels: shard 1).
 */
function restLoad(
  requests: Emulator['requests'],
  events: number,
  channelsOfShard: Set<string>[],
): { perEvent: Record<string, number>; peak: number[] } {
  const perEvent: Record<string, number> = {};
  const perSecond = channelsOfShard.map(() => new Map<number, number>());
  for (const r of requests) {
    const route = `${r.method} ${r.path.replace(/\/\d{5,}/g, '/:id')}`;
    perEvent[route] = (perEvent[route] ?? 0) + 1 / events;
    const channel = /\/channels\/(\d+)/.exec(r.path)?.[1];
    const shard = channelsOfShard.findIndex((set) => channel !== undefined && set.has(channel));
    if (shard < 0) continue;
    const second = Math.floor(r.at / 1000);
    perSecond[shard]!.set(second, (perSecond[shard]!.get(second) ?? 0) + 1);
  }
  return { perEvent, peak: perSecond.map((m) => Math.max(0, ...m.values())) };
}

const minus = (a: number[], b: number[]) => a.map((n, i) => n - b[i]!);
const sum = (a: number[]) => a.reduce((s, n) => s + n, 0);
const ms = (n: number) => n.toFixed(0);

export async function run(): Promise<string> {
  const redis = await startPrivateRedis();
  const db = await privateDatabase();
  const cwd = workDir();
  const emu: Emulator = await startEmulator(undefined, { guildId: guildIdOnShard(1, 2) });
  const guildChannels = Array.from({ length: CHANNELS }, (_, i) => emu.world.addChannel(`load-${i}`));
  const users = Array.from({ length: CHANNELS }, (_, i) => emu.world.addUser(`user${i}`));
  const dms = users.map((u) => emu.world.dmChannel(u.id).id);
  writeDeploymentConfig(cwd);
  const shared = { HEARTH_DATABASE_URL: db.url, HEARTH_REDIS_URL: redis.url };
  const processes: HearthProcess[] = [];
  let workers: Worker[] = [];
  let instances: McpInstance[] = [];
  let proxy: RoundRobin | undefined;
  let clients: Client[] = [];
  let bot: HearthProcess | undefined;
  const loads: number[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    // in turns, not all seven node processes at once: on 2 cores a cold start of everything
    // together takes minutes; the one database is migrated once (an advisory lock) either way
    const started = performance.now();
    workers = await startWorkers(2, cwd, shared);
    processes.push(...workers.map((w) => w.proc));
    instances = await startMcpInstances(2, cwd, shared, { writeConfig: false });
    processes.push(...instances.map((i) => i.proc));
    const discordOps = await freePort(); // shard n serves /metrics on discordOps + n
    bot = runDiscord(emu, cwd, ['--shards', '2', '--ops', `127.0.0.1:${discordOps}`], shared);
    processes.push(bot);
    await bot.waitFor(/Hearth is on Discord with 2 shard\(s\)/, 180_000);
    const startS = (performance.now() - started) / 1000;
    proxy = await startRoundRobin(instances.map((i) => i.mcp));
    clients = await openClients(proxy.url, CLIENTS);

    // warm-up, not counted: each shard process's first turn (chat model, connections), module
    // loading and JIT in the MCP instances, the first jobs of the workers
    const warm = performance.now();
    await Promise.all([
      ...[dms[0]!, guildChannels[0]!].map(async (channelId) => {
        const q = emu.say('hello, warming up', { channelId, author: users[0] });
        await emu.waitFor(() => emu.repliesTo(q.id)[0], 120_000, 'warm-up reply');
      }),
      runCalls(clients, 80, DIRECT_TOOL).then(() => runCalls(clients, 16, QUEUED_TOOL)),
    ]);
    const warmS = (performance.now() - warm) / 1000;
    const before = {
      direct: await mcpCounted(instances, DIRECT_TOOL),
      queued: await mcpCounted(instances, QUEUED_TOOL),
      jobs: await workerJobs(workers),
    };

    // the load: Discord events and MCP calls at the same time
    const loadBefore = loadavg()[0]!;
    sampler = setInterval(() => loads.push(loadavg()[0]!), 5000);
    const workerOfPid = new Map(workers.map((w, i) => [String(w.proc.pid), i]));
    const answeredBy = workers.map(() => 0);
    let answeredByOther = 0;
    const firstRequest = emu.requests.length;
    const queuedCalls = pickShare(CALLS, QUEUED_SHARE);
    const runStarted = performance.now();
    const [discord, mcp] = await Promise.all([
      fire(emu, { events: EVENTS, rate: RATE, channels: CHANNELS, drainMs: 300_000 }, guildChannels, dms, users),
      runPacedCalls({
        clients,
        calls: CALLS,
        spreadMs: SPREAD_S * 1000,
        plan: (i) => (queuedCalls[i] ? { kind: 'queued', tool: QUEUED_TOOL } : { kind: 'direct', tool: DIRECT_TOOL }),
        observe(kind, text) {
          if (kind !== 'queued') return;
          const w = workerOfPid.get(text.trim());
          if (w === undefined) answeredByOther++;
          else answeredBy[w]!++;
        },
      }),
    ]);
    const wallS = (performance.now() - runStarted) / 1000;
    const rest = restLoad(emu.requests.slice(firstRequest), discord.sent, [new Set(dms), new Set(guildChannels)]);
    clearInterval(sampler);
    loads.push(loadavg()[0]!);

    // the servers' counts: Discord shards as discord-load reads them (replies are counted just
    // after the emulator stored them), MCP instances and workers against the warm-up baseline
    const counted: number[] = [];
    for (const shard of [0, 1]) {
      const expected = discord.perShard[shard]! + 1;
      let m = '';
      for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        m = await scrape(`http://127.0.0.1:${discordOps + shard}`);
        if (sample(m, 'hearth_discord_events_total{event="reply_sent"}') >= expected) break;
      }
      counted.push(sample(m, 'hearth_discord_events_total{event="message_create"}'));
    }
    const direct = minus(await mcpCounted(instances, DIRECT_TOOL), before.direct);
    const queued = minus(await mcpCounted(instances, QUEUED_TOOL), before.queued);
    const jobs = (await workerJobs(workers)).map((j, i) => ({
      ok: j.ok - before.jobs[i]!.ok,
      other: j.other - before.jobs[i]!.other,
    }));

    const exits = await Promise.all([...processes].reverse().map((p) => p.stop(30_000)));
    const unclean = processes
      .slice()
      .reverse()
      .filter((_, i) => exits[i]!.code !== 0 || exits[i]!.killed)
      .map((p) => p.name);

    const k = (name: string): KindResult =>
      mcp.byKind[name] ?? { calls: 0, ok: 0, failed: 0, errors: [], latencies: [] };
    const [d, q] = [k('direct'), k('queued')];
    const mcpOk = d.ok + q.ok;
    const servedOk = sum(direct) + sum(queued);
    const all = [...d.latencies, ...q.latencies].sort((a, b) => a - b);
    const load = {
      min: Math.min(...loads),
      mean: sum(loads) / loads.length,
      max: Math.max(...loads),
    };
    const lines = [
      '## deploy-load',
      '',
      `One deployment on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), everything at once, sharing only HEARTH_DATABASE_URL (a PostgreSQL database of this run), HEARTH_REDIS_URL (a private Redis) and one working folder and config: \`hearth discord --shards 2\` against the Discord emulator, 2 \`hearth worker\` (queue \`${QUEUE}\`), 2 \`hearth mcp --http\` behind a round-robin proxy; real CLI processes from source.`,
      `${EVENTS} Discord MESSAGE_CREATE events at ${RATE}/s (small talk over ${CHANNELS} guild channels, shard 1, and ${CHANNELS} DMs, shard 0) while ${CLIENTS} MCP clients made ${CALLS} tools/call requests paced over ${SPREAD_S.toFixed(0)} s: \`${DIRECT_TOOL}\` (direct, answered by the MCP process) and ${(QUEUED_SHARE * 100).toFixed(0)} % \`${QUEUED_TOOL}\` (in \`jobs.queued\`: a job on a worker; the queued calls at seeded shuffled positions).`,
      '',
      '| Discord events | lost | wrong replies | channels out of order | p50 event->reply ms | p95 ms | max ms | answered by shard 0 / 1 | counted by /metrics shard 0 / 1 (warm-up incl.) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${discord.sent} | ${discord.lost} | ${discord.wrongReplies} | ${discord.outOfOrder.length} | ${ms(discord.p50)} | ${ms(discord.p95)} | ${ms(discord.max)} | ${discord.perShard[0]} / ${discord.perShard[1]} | ${counted[0]} / ${counted[1]} |`,
      '',
      '| MCP calls | kind | answered (client) | lost (client) | counted by /metrics (instance 1 / 2) | p50 ms | p95 ms | max ms |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${d.calls} | direct \`${DIRECT_TOOL}\` | ${d.ok} | ${d.calls - d.ok} | ${sum(direct)} (${direct.join(' / ')}) | ${ms(quantile(d.latencies, 0.5))} | ${ms(quantile(d.latencies, 0.95))} | ${ms(d.latencies.at(-1) ?? Number.NaN)} |`,
      `| ${q.calls} | queued \`${QUEUED_TOOL}\` | ${q.ok} | ${q.calls - q.ok} | ${sum(queued)} (${queued.join(' / ')}) | ${ms(quantile(q.latencies, 0.5))} | ${ms(quantile(q.latencies, 0.95))} | ${ms(q.latencies.at(-1) ?? Number.NaN)} |`,
      `| ${d.calls + q.calls} | all | ${mcpOk} | ${CALLS - mcpOk} | ${servedOk} | ${ms(quantile(all, 0.5))} | ${ms(quantile(all, 0.95))} | ${ms(all.at(-1) ?? Number.NaN)} |`,
      '',
      '| jobs per worker (/metrics, ok) | other outcomes | queued calls answered per worker (pid in the answer) | wall s | load average (1 min) before / min / mean / max |',
      '| --- | --- | --- | --- | --- |',
      `| ${jobs.map((j) => j.ok).join(' / ')} | ${jobs.map((j) => j.other).join(' / ')} | ${answeredBy.join(' / ')}${answeredByOther ? ` (+${answeredByOther} by another process)` : ''} | ${wallS.toFixed(1)} | ${loadBefore.toFixed(1)} / ${load.min.toFixed(1)} / ${load.mean.toFixed(1)} / ${load.max.toFixed(1)} |`,
      '',
      `REST requests the bot made per event: ${Object.entries(rest.perEvent)
        .map(([route, n]) => `${route} ${n.toFixed(2)}`)
        .join(
          ', ',
        )}; the busiest second of shard 0 / 1: ${rest.peak.join(' / ')} requests (discord.js allows a client 50 a second, Discord's global limit).`,
      '',
      `Start of all processes (workers, then MCP instances, then the bot): ${startS.toFixed(1)} s; warm-up (one answer per shard process, ${80 + 16} MCP calls): ${warmS.toFixed(1)} s. The Discord events took ${discord.wallS.toFixed(1)} s to send and answer, the MCP calls ${(mcp.wallMs / 1000).toFixed(1)} s (latest call ${(mcp.maxLagMs / 1000).toFixed(1)} s behind its pace). Stopped with SIGTERM: ${unclean.length ? `not cleanly: ${unclean.join(', ')}` : 'every process exited 0 within 30 s'}.`,
      '',
    ];
    const errors = [...d.errors.map((e) => `- direct: ${e}`), ...q.errors.map((e) => `- queued: ${e}`)];
    if (errors.length) lines.push('MCP errors (first few):', '', ...errors, '');
    const failed =
      discord.lost > 0 ||
      discord.wrongReplies > 0 ||
      discord.outOfOrder.length > 0 ||
      mcpOk !== CALLS ||
      servedOk !== CALLS ||
      sum(jobs.map((j) => j.ok)) !== q.calls;
    if (failed) throw new Error(`something was lost, wrong or out of order:\n${lines.join('\n')}`);
    return lines.join('\n');
  } catch (err) {
    for (const p of processes) (err as Error).message += `\n--- ${p.name} output ---\n${p.output().slice(-2000)}`;
    throw err;
  } finally {
    if (sampler) clearInterval(sampler);
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await proxy?.close();
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await emu.close();
    await redis.stop();
    rmSync(cwd, { recursive: true, force: true });
    await db.drop().catch(() => {});
  }
}
