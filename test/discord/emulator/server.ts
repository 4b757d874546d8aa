import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gateway } from './gateway.js';
import { type Fault, handleRest, type LoggedRequest } from './rest.js';
import { type ApiAttachment, type ApiUser, type StoredMessage, snowflake, World, wire } from './state.js';

/** An interaction the emulator sent, and what the bot answered. */
export interface InteractionRecord {
  id: string;
  /** Interaction type: 2 command, 3 component, 4 autocomplete. */
  type: number;
  /** For a component interaction: the message the component is on. */
  messageId?: string;
  token: string;
  channelId: string;
  acknowledged: boolean;
  callbacks: { type: number; data: Record<string, any> }[];
  originalId?: string;
  choices?: { name: string; value: string | number }[];
  /** The INTERACTION_CREATE payload as dispatched (to deliver it again). */
  payload?: Record<string, unknown>;
}

/** A slash command option as a user fills it in. */
export interface OptionValue {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: OptionValue[];
}

/**
 * A local Discord API emulator (REST v10 under /api and the gateway on /gateway) that the real
 * discord.js client connects to. Tests drive it as users would: messages, slash commands,
 * uploads; and as Discord would: disconnects, 429s, 403s.
 */
export class Emulator extends EventEmitter {
  readonly world: World;
  readonly requests: LoggedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly files = new Map<string, { name: string; type: string; data: Buffer }>();
  readonly commands = new Map<string, Record<string, unknown>[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly typing: { channelId: string; at: number }[] = [];
  readonly deniedChannels = new Set<string>();
  readonly gateway: Gateway;
  recommendedShards = 1;
  /**
   * The application's flags (GET /applications/@me); default GATEWAY_MESSAGE_CONTENT_LIMITED, as for
   * a bot in under 100 servers with "Message Content Intent" turned on. 0: the intent is off (4014).
   */
  applicationFlags = 1 << 18;
  private server!: Server;
  private port = 0;

  constructor(
    readonly token = 'emulator-bot-token',
    options: { guildId?: string } = {},
  ) {
    super();
    this.world = new World(options);
    this.setMaxListeners(0);
    this.gateway = new Gateway({
      token,
      resumeUrl: () => this.gatewayUrl,
      ready: (session) => ({
        v: 10,
        user: { ...this.world.bot, verified: true, mfa_enabled: false, flags: 0 },
        guilds: [{ id: this.world.guildId, unavailable: true }].filter((g) => this.ownsGuild(g.id, session.shard)),
        session_id: session.id,
        resume_gateway_url: this.gatewayUrl,
        shard: session.shard,
        application: { id: this.world.applicationId, flags: this.applicationFlags },
        private_channels: [],
        relationships: [],
        user_settings: {},
        presences: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        auth: {},
      }),
      allowedPrivilegedIntents: () => {
        const f = this.applicationFlags;
        const on = (full: number, limited: number) => (f & ((1 << full) | (1 << limited))) !== 0;
        return (on(14, 15) ? 1 << 1 : 0) | (on(12, 13) ? 1 << 8 : 0) | (on(19, 18) ? 1 << 15 : 0);
      },
      guildCreates: (shard) => (this.ownsGuild(this.world.guildId, shard) ? [this.world.guildCreate()] : []),
    });
  }

  /** Listens on 127.0.0.1 (a free port unless given). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void handleRest(this, req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').startsWith('/gateway')) this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** What `DISCORD_API_URL` should be. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  async close(): Promise<void> {
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private ownsGuild(guildId: string, shard: [number, number]): boolean {
    return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
  }

  // ---- as users ----

  /** Stores a file on the emulator's CDN and returns Discord's attachment object for it. */
  storeFile(name: string, data: Buffer, type: string, description?: string): ApiAttachment {
    const id = snowflake();
    this.files.set(id, { name, type, data });
    const url = `http://127.0.0.1:${this.port}/cdn/attachments/${id}/${encodeURIComponent(name)}`;
    return {
      id,
      filename: name,
      size: data.byteLength,
      url,
      proxy_url: url,
      content_type: type,
      ...(description ? { description } : {}),
    };
  }

  /** A user posts a message (mentioning the bot unless `mention: false`); returns it once dispatched. */
  say(
    content: string,
    options: {
      author?: ApiUser;
      channelId?: string;
      mention?: boolean;
      replyTo?: string;
      attachments?: ApiAttachment[];
    } = {},
  ): StoredMessage {
    const author = options.author ?? this.world.alice;
    const channelId = options.channelId ?? this.world.channelId;
    const channel = this.world.channels.get(channelId);
    const replyToBot = options.replyTo
      ? this.world.messages.get(options.replyTo)?.author.id === this.world.bot.id
      : false;
    const mention = options.mention ?? !options.replyTo;
    const message = this.world.newMessage({
      channelId,
      author,
      content: mention ? `<@${this.world.bot.id}> ${content}` : content,
      replyTo: options.replyTo,
      attachments: options.attachments,
      mentions: mention || replyToBot ? [this.world.bot] : [],
    });
    // Discord adds channel_type to MESSAGE_CREATE; discord.js needs it to build an uncached DM channel.
    const payload = {
      ...wire(message),
      channel_type: channel?.type ?? 0,
      ...(channel?.guild_id ? { member: this.world.member(author.id) } : {}),
    };
    this.gateway.dispatch('MESSAGE_CREATE', payload, channel?.guild_id);
    return message;
  }

  /** A user runs a slash command; returns the interaction record (filled in as the bot answers). */
  command(
    name: string,
    options: OptionValue[] = [],
    opts: { user?: ApiUser; channelId?: string; type?: 2 | 4; attachments?: ApiAttachment[]; locale?: string } = {},
  ): InteractionRecord {
    const resolved = opts.attachments?.length
      ? { attachments: Object.fromEntries(opts.attachments.map((a) => [a.id, a])) }
      : undefined;
    return this.interact(opts.type ?? 2, opts, {
      id: this.registeredCommand(name, 1)?.id ?? snowflake(),
      name,
      type: 1,
      options,
      ...(resolved ? { resolved } : {}),
    });
  }

  /**
   * The registered slash command, or subcommand, for a tool: `/paint` when tools are top-level
   * commands, the `paint` subcommand of `/testkit` when they are grouped by plugin. Undefined if none.
   */
  toolSpec(tool: string): { command: string; sub?: string; spec: Record<string, any> } | undefined {
    const chat = [...(this.commands.get(this.world.guildId) ?? []), ...(this.commands.get('global') ?? [])].filter(
      (c) => ((c.type as number | undefined) ?? 1) === 1,
    ) as Record<string, any>[];
    const top = chat.find((c) => c.name === tool && !(c.options ?? []).some((o: any) => o.type === 1));
    if (top) return { command: tool, spec: top };
    for (const c of chat) {
      const sub = (c.options ?? []).find((o: any) => o.type === 1 && o.name === tool);
      if (sub && !['knowledge'].includes(c.name)) return { command: c.name, sub: tool, spec: sub };
    }
    return undefined;
  }

  /** A user runs a tool's command, whichever way tools are registered (see {@link toolSpec}). */
  tool(tool: string, options: OptionValue[] = [], opts: Parameters<Emulator['command']>[2] = {}): InteractionRecord {
    const found = this.toolSpec(tool);
    if (!found?.sub) return this.command(tool, options, opts);
    return this.command(found.command, [{ name: found.sub, type: 1, options }], opts);
  }

  /** A user picks a message context-menu command (Apps > `name`) on `target`. */
  contextMenu(name: string, target: StoredMessage, opts: { user?: ApiUser; locale?: string } = {}): InteractionRecord {
    return this.interact(
      2,
      { ...opts, channelId: target.channel_id },
      {
        id: this.registeredCommand(name, 3)?.id ?? snowflake(),
        name,
        type: 3,
        target_id: target.id,
        resolved: { messages: { [target.id]: wire(target) } },
      },
    );
  }

  /** A user clicks a button (by its custom_id) on a message; 404s like Discord when the button is not there. */
  click(message: StoredMessage, customId: string, opts: { user?: ApiUser; locale?: string } = {}): InteractionRecord {
    const current = this.world.messages.get(message.id) ?? message;
    const buttons = (current.components as { components?: { custom_id?: string; disabled?: boolean }[] }[]).flatMap(
      (row) => row.components ?? [],
    );
    const button = buttons.find((b) => b.custom_id === customId);
    if (!button) throw new Error(`emulator: message ${message.id} has no button "${customId}"`);
    if (button.disabled) throw new Error(`emulator: button "${customId}" is disabled`);
    return this.interact(
      3,
      { ...opts, channelId: current.channel_id },
      { custom_id: customId, component_type: 2 },
      current,
    );
  }

  private registeredCommand(name: string, type: number): Record<string, unknown> | undefined {
    return [...(this.commands.get(this.world.guildId) ?? []), ...(this.commands.get('global') ?? [])].find(
      (c) => c.name === name && ((c.type as number | undefined) ?? 1) === type,
    );
  }

  /** Dispatches an INTERACTION_CREATE the way Discord shapes it, and records what the bot answers. */
  private interact(
    type: number,
    opts: { user?: ApiUser; channelId?: string; locale?: string },
    data: Record<string, unknown>,
    message?: StoredMessage,
  ): InteractionRecord {
    const user = opts.user ?? this.world.alice;
    const channelId = opts.channelId ?? this.world.channelId;
    const channel = this.world.channels.get(channelId)!;
    const record: InteractionRecord = {
      id: snowflake(),
      type,
      token: `itoken-${snowflake()}`,
      channelId,
      acknowledged: false,
      callbacks: [],
      ...(message ? { messageId: message.id } : {}),
    };
    this.interactions.set(record.token, record);
    const inGuild = Boolean(channel.guild_id);
    const payload = {
      id: record.id,
      application_id: this.world.applicationId,
      type,
      token: record.token,
      version: 1,
      data,
      ...(message ? { message: wire(message) } : {}),
      channel_id: channelId,
      channel,
      ...(inGuild
        ? {
            guild_id: channel.guild_id,
            guild: { id: channel.guild_id, locale: 'en-US', features: [] },
            member: { ...this.world.member(user.id), permissions: this.world.permissionsOf(user.id) },
          }
        : { user }),
      app_permissions: '2147483647',
      locale: opts.locale ?? 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { 0: channel.guild_id ?? '0' },
      context: inGuild ? 0 : 1,
    };
    record.payload = payload;
    this.gateway.dispatch('INTERACTION_CREATE', payload, channel.guild_id);
    return record;
  }

  /** Delivers an interaction's INTERACTION_CREATE again (same id), as Discord occasionally does. */
  duplicate(record: InteractionRecord): void {
    const channel = this.world.channels.get(record.channelId);
    this.gateway.dispatch('INTERACTION_CREATE', record.payload, channel?.guild_id);
  }

  /** Delivers a user's MESSAGE_CREATE again (same id). */
  redeliver(message: StoredMessage): void {
    const channel = this.world.channels.get(message.channel_id);
    this.gateway.dispatch(
      'MESSAGE_CREATE',
      {
        ...wire(message),
        channel_type: channel?.type ?? 0,
        ...(channel?.guild_id ? { member: this.world.member(message.author.id) } : {}),
      },
      channel?.guild_id,
    );
  }

  // ---- as Discord ----

  /** Answers the next `count` matching requests with `status` (429 carries `retryAfter` seconds). */
  fail(method: string, path: RegExp, status: number, options: { retryAfter?: number; count?: number } = {}): void {
    this.faults.push({ method, path, status, retryAfter: options.retryAfter, count: options.count ?? 1 });
  }

  // ---- observations ----

  /** Every message of a channel, oldest first. */
  messagesIn(channelId = this.world.channelId): StoredMessage[] {
    return [...this.world.messages.values()].filter((m) => m.channel_id === channelId);
  }

  /** The bot's replies to a message (reply references), oldest first. */
  repliesTo(messageId: string): StoredMessage[] {
    return [...this.world.messages.values()].filter(
      (m) => m.author.id === this.world.bot.id && m.message_reference?.message_id === messageId,
    );
  }

  /** Messages the bot sent for an interaction: the original reply first, then follow-ups. */
  interactionMessages(record: InteractionRecord): StoredMessage[] {
    return [...this.world.messages.values()].filter((m) => m.interactionToken === record.token);
  }

  /** Polls `check` until it returns a value (not undefined/false) or `timeoutMs` passes. */
  async waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false && value !== null) return value;
      if (Date.now() > deadline) throw new Error(`emulator: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Starts an emulator on a free port (`guildId`: the test guild's id, e.g. one on a chosen shard). */
export function startEmulator(token?: string, options: { guildId?: string } = {}): Promise<Emulator> {
  return new Emulator(token, options).start();
}
