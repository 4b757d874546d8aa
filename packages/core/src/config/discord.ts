import { z } from 'zod';

const windowLimit = (max: number, windowMs: number) =>
  z
    .object({
      max: z.number().int().min(0).default(max).describe('requests allowed per window; 0 disables the limit'),
      windowMs: z.number().int().positive().default(windowMs),
    })
    .prefault({});

/** Discord surface settings (owned by the Discord surface). */
export const discordSchema = z
  .object({
    apiUrl: z.string().url().optional().describe('Discord-compatible API base, e.g. http://127.0.0.1:PORT/api'),
    devGuildId: z.string().optional().describe('register slash commands in this guild only (development)'),
    production: z
      .boolean()
      .default(false)
      .describe('register slash commands globally; otherwise per guild (the dev guild, or every guild the bot is in)'),
    allowDMs: z.boolean().default(true),
    adminRoles: z.array(z.string()).default([]).describe('role ids or names treated as admins besides Manage Guild'),
    channels: z
      .object({ allow: z.array(z.string()).default([]), deny: z.array(z.string()).default([]) })
      .default({ allow: [], deny: [] })
      .describe('channel ids; an empty allow list allows every channel not denied'),
    replyInThread: z
      .union([z.boolean(), z.array(z.string())])
      .default(false)
      .describe('answer mentions in a new thread: true for every guild, or a list of guild ids'),
    rateLimits: z
      .object({
        user: windowLimit(6, 60_000).describe('per user, across guilds'),
        guild: windowLimit(60, 60_000).describe('per guild'),
      })
      .prefault({}),
    cooldowns: z
      .record(z.string(), z.number().int().min(0))
      .default({})
      .describe('slash command name -> per-user cooldown in ms (e.g. {"imagine": 30000}; the name shown in Discord)'),
    maxConcurrent: z.number().int().positive().default(4).describe('answers and jobs running at once, process-wide'),
    maxQueue: z.number().int().min(0).default(200).describe('waiting work beyond which the bot says it is busy'),
    jobTimeoutMs: z
      .number()
      .int()
      .positive()
      .max(14 * 60_000)
      .default(10 * 60_000)
      .describe('upper limit of one answer or tool job (interaction tokens expire after 15 minutes)'),
    editIntervalMs: z.number().int().min(200).default(1000).describe('minimum time between streamed or progress edits'),
    attachments: z
      .object({
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(8 * 1024 * 1024)
          .describe('largest accepted upload'),
        types: z
          .array(z.string())
          .default(['text/', 'application/pdf', 'application/json', 'image/png', 'image/jpeg', 'text/csv'])
          .describe('accepted MIME types or prefixes ending in "/"'),
      })
      .prefault({}),
    shardSpawnDelayMs: z
      .number()
      .int()
      .min(0)
      .default(5_500)
      .describe('pause between starting shards (Discord allows one IDENTIFY per 5 s per bucket)'),
    shutdownGraceMs: z.number().int().min(0).default(10_000).describe('time in-flight work gets to finish on shutdown'),
    readyTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('fail with the gateway close codes seen when the bot is not ready within this time'),
    threadAfter: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('move a reply chain into a thread after this many exchanges (0: never)'),
    localizations: z
      .record(
        z.string(),
        z.record(z.string(), z.object({ name: z.string().optional(), description: z.string().optional() })),
      )
      .default({})
      .describe('command name -> Discord locale -> { name, description } (name_localizations)'),
  })
  .passthrough()
  .prefault({});

/** The Discord section after defaults. */
export type DiscordConfig = z.infer<typeof discordSchema>;
