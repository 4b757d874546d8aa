/**
 * Fuzz target: Discord interaction payloads (slash commands and autocomplete) dispatched by the
 * Discord API emulator to the real discord.js client and Hearth's Discord surface: wrong option
 * types, missing and unknown options and subcommands, huge values, lying attachments, DMs.
 * Callers are members without Manage Guild, so no case may change the knowledge store.
 */
import fc from 'fast-check';
import type { InteractionRecord } from '../../discord/emulator/server.js';
import { snowflake } from '../../discord/emulator/state.js';
import { type Rig, startRig } from '../../discord/harness.js';
import { type FuzzOptions, type FuzzReport, fuzz, invariant } from '../lib.js';
import { fingerprint } from '../stores.js';

const COMMANDS = ['ask', 'knowledge', 'persona', 'plugins', 'help', 'reset', 'echo', 'count_bytes', 'nope', ''];
const NAMES = ['question', 'query', 'k', 'source_id', 'title', 'text', 'file', 'name', 'times', 'private', 'x'];
const SUBS = ['add', 'search', 'remove', 'list', 'bogus'];
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.integer({ min: 2000, max: 7000 }).map((n) => 'y'.repeat(n)),
  fc.constantFrom('', 'global', '../../etc/passwd', '<@everyone>', '@here', '\u0000'),
);
/**
 * Discord checks each value against its option type before dispatching, so a value always has the
 * type its option declares (a string for string, user, channel, role and mentionable options).
 * Mismatched types (a boolean for a string option) reach Hearth's engine as a TypeError: reported,
 * kept out of this generator since Discord never sends them.
 */
const typed = fc.oneof(
  fc.tuple(
    fc.constantFrom(3, 6, 7, 8, 9),
    fc.oneof(
      fc.string({ maxLength: 30 }),
      value.filter((v) => typeof v === 'string'),
    ),
  ),
  fc.tuple(fc.constant(4), fc.integer()),
  fc.tuple(fc.constant(10), fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))),
  fc.tuple(fc.constant(5), fc.boolean()),
);
const option = fc
  .record({ name: fc.constantFrom(...NAMES), typed, focused: fc.boolean() }, { requiredKeys: ['name', 'typed'] })
  .map(({ typed, ...rest }) => {
    const [type, v] = typed as [number, string | number | boolean];
    return { ...rest, type, value: v };
  });
const attachmentCase = fc.record({
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
  ),
  declared: fc.oneof(fc.constant(undefined), fc.nat({ max: 100_000_000 })),
  name: fc.constantFrom('notes.md', 'a.pdf', 'x.exe', 'data.json', ''),
  type: fc.constantFrom('text/markdown', 'application/pdf', 'application/x-msdownload', undefined),
  url: fc.constantFrom('cdn', 'missing', 'refused'),
});

/** One interaction as a user (or a broken client) might send it. */
export const interactionCase = fc.record({
  type: fc.oneof({ arbitrary: fc.constant(2), weight: 3 }, { arbitrary: fc.constant(4), weight: 1 }),
  command: fc.constantFrom(...COMMANDS),
  sub: fc.option(fc.constantFrom(...SUBS), { nil: undefined }),
  options: fc.oneof(fc.array(option, { maxLength: 4 }), fc.constant(undefined)),
  attachment: fc.option(attachmentCase, { nil: undefined }),
  dm: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  locale: fc.oneof(fc.constant('en-US'), fc.string({ maxLength: 12 })),
});
type Case = typeof interactionCase extends fc.Arbitrary<infer T> ? T : never;

/** Starts the rig and runs the cases; the knowledge store must be unchanged afterwards. */
export async function fuzzDiscord(options: FuzzOptions): Promise<FuzzReport> {
  const rig: Rig = await startRig({
    script: () => ({ text: 'A fuzzed answer.' }),
    discord: { rateLimits: { user: { max: 0 }, guild: { max: 0 } }, maxQueue: 1000 },
  });
  const problems: string[] = [];
  const onRejection = (e: unknown) =>
    problems.push(`unhandled rejection: ${String((e as Error)?.stack ?? e).slice(0, 300)}`);
  const onException = (e: unknown) =>
    problems.push(`uncaught exception: ${String((e as Error)?.stack ?? e).slice(0, 300)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  try {
    const { emu } = rig;
    const world = emu.world;
    await rig.hearth.knowledge.addText({ title: 'Global guide', text: 'Hearth listens on port 8080.' });
    await rig.hearth.knowledge.addText(
      { title: 'Guild notes', text: 'Guild-only notes.' },
      { scope: { guildId: world.guildId } },
    );
    const store = rig.hearth.knowledge as Parameters<typeof fingerprint>[0];
    const before = await fingerprint(store);
    const registered = new Map((emu.commands.get(world.guildId) ?? []).map((c) => [c.name as string, c.id as string]));
    const wait = async (record: InteractionRecord, ms: number) => {
      const until = Date.now() + ms;
      while (!record.acknowledged && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      return record.acknowledged;
    };
    let n = 0;
    const check = async (c: Case): Promise<string> => {
      if (++n % 100 === 0) {
        const help = emu.command('help');
        invariant(await wait(help, 10_000), 'the bot stopped answering /help');
      }
      const channel = c.dm ? world.dmChannel(world.alice.id) : world.channels.get(world.channelId)!;
      let resolved: Record<string, unknown> | undefined;
      let options: unknown = c.options;
      if (c.attachment) {
        const a = c.attachment;
        const stored = emu.storeFile(a.name || 'file', Buffer.from(a.bytes), a.type ?? 'application/octet-stream');
        const url =
          a.url === 'cdn'
            ? stored.url
            : a.url === 'missing'
              ? stored.url.replace(stored.id, snowflake())
              : 'http://127.0.0.1:1/x';
        const att = {
          ...stored,
          filename: a.name,
          url,
          proxy_url: url,
          size: a.declared ?? stored.size,
          content_type: a.type,
        };
        resolved = { attachments: { [stored.id]: att } };
        options = [...(Array.isArray(options) ? options : []), { name: 'file', type: 11, value: stored.id }];
      }
      if (c.type === 4 && Array.isArray(options) && !JSON.stringify(options).includes('"focused":true')) {
        options = [...options, { name: 'source_id', type: 3, value: 'a', focused: true }];
      }
      if (c.sub) options = [{ name: c.sub, type: 1, options: Array.isArray(options) ? options : [] }];
      const record: InteractionRecord = {
        id: snowflake(),
        type: c.type,
        token: `itoken-${snowflake()}`,
        channelId: channel.id,
        acknowledged: false,
        callbacks: [],
      };
      emu.interactions.set(record.token, record);
      const inGuild = Boolean(channel.guild_id);
      const payload = {
        id: record.id,
        application_id: world.applicationId,
        type: c.type,
        token: record.token,
        version: 1,
        data: {
          id: registered.get(c.command) ?? snowflake(),
          name: c.command,
          type: 1,
          ...(options === undefined ? {} : { options }),
          ...(resolved ? { resolved } : {}),
        },
        channel_id: channel.id,
        channel,
        ...(inGuild
          ? {
              guild_id: channel.guild_id,
              guild: { id: channel.guild_id, locale: 'en-US', features: [] },
              // a member without Manage Guild: nothing may change the knowledge base
              member: { ...world.member(world.alice.id), permissions: world.permissionsOf(world.alice.id) },
            }
          : { user: world.alice }),
        app_permissions: '2147483647',
        locale: c.locale,
        entitlements: [],
        authorizing_integration_owners: { 0: channel.guild_id ?? '0' },
        context: inGuild ? 0 : 1,
      };
      const logStart = rig.logs.length;
      problems.length = 0;
      emu.gateway.dispatch('INTERACTION_CREATE', payload, channel.guild_id);
      const answered = await wait(record, 1000);
      invariant(problems.length === 0, problems.join('\n'));
      const lines = rig.logs.slice(logStart);
      // discord.js's own option checks (a payload Discord itself would never send) are refusals
      const optionCheck = lines.some((l) => /CommandInteractionOption(NotFound|Type|NoSubcommand)/.test(l));
      const crash = lines.find(
        (l) =>
          /TypeError|ReferenceError|Cannot read propert|is not a function/.test(l) &&
          !/CommandInteractionOption/.test(l),
      );
      invariant(!crash, `a crash in the logs: ${crash?.slice(0, 400)}`);
      const text = record.callbacks.map((cb) => String(cb.data.content ?? '')).join(' ');
      invariant(
        !/\[object Object\]|undefined is not|Cannot read propert/.test(text),
        `an unclear reply: ${text.slice(0, 200)}`,
      );
      const label = answered ? `answered (callback ${record.callbacks[0]?.type})` : 'no answer (dropped)';
      return optionCheck ? `${label}, discord.js option check` : label;
    };
    const report = await fuzz('Discord interactions (emulator, discord.js)', interactionCase, check, {
      timeoutMs: 20_000,
      ...options,
    });
    await new Promise((r) => setTimeout(r, 1500)); // let deferred jobs finish before the store is read
    const help = emu.command('help');
    if (!(await wait(help, 10_000))) report.failure ??= 'the bot stopped answering /help after the run';
    const after = await fingerprint(store);
    report.stores = { before, after, intact: before === after };
    return report;
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await rig.close();
  }
}
