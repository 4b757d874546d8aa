import { z } from 'zod';
import { PERMISSIONS } from '@hearth/sdk';

/** MCP surface settings (owned by the MCP surface; extend here). */
export const mcpSchema = z
  .object({
    principals: z
      .array(
        z.object({
          name: z.string().min(1),
          /** Env var holding this principal's bearer token; the token itself never sits in the config file. */
          tokenEnv: z.string().optional(),
          admin: z.boolean().default(false),
          roles: z.array(z.string()).default([]),
          permissions: z.array(z.enum(PERMISSIONS)).default(['knowledge:read']),
        }),
      )
      .default([]),
    servers: z
      .array(
        z.object({
          name: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'must be 1-24 characters of a-z, 0-9 and "-"'),
          command: z.string().optional(),
          args: z.array(z.string()).default([]),
          url: z.string().url().optional(),
          access: z.enum(['everyone', 'admin']).default('admin'),
        }),
      )
      .default([])
      .describe('external MCP servers whose tools join the registry'),
  })
  .passthrough()
  .default({ principals: [], servers: [] });
