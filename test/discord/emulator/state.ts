/** Discord-shaped objects the emulator keeps: users, a guild with roles and channels, messages. */

let counter = 0n;
/** A snowflake-like id: a timestamp in the high bits, so ids sort by creation. */
export function snowflake(): string {
  counter++;
  return String(((BigInt(Date.now()) - 1420070400000n) << 22n) | (counter & 0x3fffffn));
}

/** A snowflake of a guild that Discord's shard formula ((id >> 22) % count) puts on `shard`. */
export function guildIdOnShard(shard: number, count: number): string {
  const id = BigInt(snowflake());
  const ts = id >> 22n;
  // move the timestamp up by at most count - 1 ms so (ts % count) is the shard
  const step = (BigInt(shard) - (ts % BigInt(count)) + BigInt(count)) % BigInt(count);
  return String(((ts + step) << 22n) | (id & 0x3fffffn));
}

export const PERMISSIONS = {
  ManageGuild: 1n << 5n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
};
const MEMBER_PERMISSIONS =
  PERMISSIONS.ViewChannel |
  PERMISSIONS.SendMessages |
  PERMISSIONS.ReadMessageHistory |
  PERMISSIONS.UseApplicationCommands;

export interface ApiUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

export interface ApiAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  description?: string;
}

/** A stored message plus the emulator's own history of its contents. */
export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: ApiUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: false;
  mention_everyone: false;
  mentions: ApiUser[];
  mention_roles: string[];
  attachments: ApiAttachment[];
  embeds: unknown[];
  components: unknown[];
  pinned: false;
  type: number;
  flags: number;
  message_reference?: { message_id: string; channel_id: string; guild_id?: string };
  referenced_message?: StoredMessage | null;
  webhook_id?: string;
  /** Emulator-only: every content the message had, in order (first = as created). */
  history: string[];
  /** Emulator-only: when it was created and last changed (ms since epoch). */
  createdMs: number;
  /** Emulator-only: the interaction token it answers, for interaction replies. */
  interactionToken?: string;
}

export interface ApiChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  parent_id?: string | null;
  owner_id?: string;
  position?: number;
  permission_overwrites?: unknown[];
  recipients?: ApiUser[];
  thread_metadata?: Record<string, unknown>;
}

export function user(id: string, name: string, bot = false): ApiUser {
  return { id, username: name, discriminator: '0', global_name: name, avatar: null, ...(bot ? { bot: true } : {}) };
}

/** The world the emulator serves: one application, one guild with a text channel, users and roles. */
export class World {
  readonly applicationId = snowflake();
  readonly bot = user(this.applicationId, 'hearth', true);
  readonly guildId: string;
  readonly channelId = snowflake();
  readonly otherChannelId = snowflake();
  readonly adminRoleId = snowflake();
  readonly owner = user(snowflake(), 'owner');
  readonly alice = user(snowflake(), 'alice');
  readonly admin = user(snowflake(), 'admin');
  readonly users = new Map<string, ApiUser>();
  readonly channels = new Map<string, ApiChannel>();
  readonly messages = new Map<string, StoredMessage>();
  /** Role ids per member. */
  readonly memberRoles = new Map<string, string[]>();

  /** `guildId`: the guild's id (default a new one), e.g. {@link guildIdOnShard} to place it on a shard. */
  constructor(options: { guildId?: string } = {}) {
    this.guildId = options.guildId ?? snowflake();
    for (const u of [this.bot, this.owner, this.alice, this.admin]) this.users.set(u.id, u);
    this.memberRoles.set(this.admin.id, [this.adminRoleId]);
    for (const [id, name] of [
      [this.channelId, 'general'],
      [this.otherChannelId, 'random'],
    ] as const) {
      this.channels.set(id, {
        id,
        type: 0,
        guild_id: this.guildId,
        name,
        parent_id: null,
        position: 0,
        permission_overwrites: [],
      });
    }
  }

  /** A new text channel in the guild (add before the bot connects: GUILD_CREATE lists the channels). */
  addChannel(name: string): string {
    const id = snowflake();
    this.channels.set(id, {
      id,
      type: 0,
      guild_id: this.guildId,
      name,
      parent_id: null,
      position: this.channels.size,
      permission_overwrites: [],
    });
    return id;
  }

  /** A new guild member (an admin holds the Admins role, which has Manage Guild). */
  addUser(name: string, options: { admin?: boolean } = {}): ApiUser {
    const u = user(snowflake(), name);
    this.users.set(u.id, u);
    if (options.admin) this.memberRoles.set(u.id, [this.adminRoleId]);
    return u;
  }

  /** A DM channel with a user (created on first use). */
  dmChannel(userId: string): ApiChannel {
    const existing = [...this.channels.values()].find((c) => c.type === 1 && c.recipients?.[0]?.id === userId);
    if (existing) return existing;
    const channel: ApiChannel = { id: snowflake(), type: 1, recipients: [this.users.get(userId)!] };
    this.channels.set(channel.id, channel);
    return channel;
  }

  member(userId: string) {
    return {
      user: this.users.get(userId),
      roles: this.memberRoles.get(userId) ?? [],
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
    };
  }

  /** The member's permissions as Discord computes them for interactions (a decimal string). */
  permissionsOf(userId: string): string {
    if (userId === this.owner.id) return String((1n << 41n) - 1n);
    const roles = this.memberRoles.get(userId) ?? [];
    return String(roles.includes(this.adminRoleId) ? MEMBER_PERMISSIONS | PERMISSIONS.ManageGuild : MEMBER_PERMISSIONS);
  }

  guildCreate() {
    return {
      id: this.guildId,
      name: 'Hearth Test Guild',
      icon: null,
      owner_id: this.owner.id,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      system_channel_flags: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      features: [],
      emojis: [],
      stickers: [],
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: String(MEMBER_PERMISSIONS),
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
        {
          id: this.adminRoleId,
          name: 'Admins',
          permissions: String(MEMBER_PERMISSIONS | PERMISSIONS.ManageGuild),
          position: 1,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [...this.channels.values()].filter((c) => c.guild_id === this.guildId && c.type === 0),
      // Discord lists the guild's active threads, so a restarted bot knows the threads it owns
      threads: [...this.channels.values()].filter(
        (c) => c.guild_id === this.guildId && c.type === 11 && !(c.thread_metadata as { archived?: boolean })?.archived,
      ),
      members: [this.member(this.bot.id)],
      member_count: 4,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
    };
  }

  /** A message to store and to return (the referenced message is embedded one level deep). */
  newMessage(fields: {
    channelId: string;
    author: ApiUser;
    content: string;
    replyTo?: string;
    attachments?: ApiAttachment[];
    embeds?: unknown[];
    components?: unknown[];
    mentions?: ApiUser[];
    flags?: number;
    webhookId?: string;
  }): StoredMessage {
    const channel = this.channels.get(fields.channelId);
    const referenced = fields.replyTo ? this.messages.get(fields.replyTo) : undefined;
    const message: StoredMessage = {
      id: snowflake(),
      channel_id: fields.channelId,
      ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}),
      author: fields.author,
      content: fields.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: fields.mentions ?? [],
      mention_roles: [],
      attachments: fields.attachments ?? [],
      embeds: fields.embeds ?? [],
      components: fields.components ?? [],
      pinned: false,
      type: fields.replyTo ? 19 : 0,
      flags: fields.flags ?? 0,
      ...(fields.replyTo
        ? {
            message_reference: {
              message_id: fields.replyTo,
              channel_id: fields.channelId,
              ...(channel?.guild_id ? { guild_id: channel.guild_id } : {}),
            },
            referenced_message: referenced ? (wire(referenced, false) as unknown as StoredMessage) : null,
          }
        : {}),
      ...(fields.webhookId ? { webhook_id: fields.webhookId } : {}),
      history: [fields.content],
      createdMs: Date.now(),
    };
    this.messages.set(message.id, message);
    return message;
  }
}

/** A stored message as Discord sends it (emulator-only fields dropped). */
export function wire(message: StoredMessage, withReference = true): Record<string, unknown> {
  const { history: _h, createdMs: _c, interactionToken: _t, referenced_message, ...rest } = message;
  return withReference && referenced_message !== undefined ? { ...rest, referenced_message } : rest;
}
