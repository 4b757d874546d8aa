import { z } from 'zod';

/** Discord surface settings (owned by the Discord surface; extend here). */
export const discordSchema = z
  .object({
    apiUrl: z.string().url().optional().describe('Discord-compatible API base, e.g. http://127.0.0.1:PORT/api'),
    devGuildId: z.string().optional().describe('register slash commands in this guild only (development)'),
    allowDMs: z.boolean().default(true),
    adminRoles: z.array(z.string()).default([]).describe('role ids or names treated as admins besides Manage Guild'),
    channels: z
      .object({ allow: z.array(z.string()).default([]), deny: z.array(z.string()).default([]) })
      .default({ allow: [], deny: [] }),
  })
  .passthrough()
  .default({ allowDMs: true, adminRoles: [], channels: { allow: [], deny: [] } });
