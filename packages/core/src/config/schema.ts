import { z } from 'zod';
import { discordSchema } from './discord.js';
import { mcpSchema } from './mcp.js';
import { databaseUrlSchema, jobsSchema, opsSchema, redisUrlSchema } from './scale.js';
import { engineSchema, knowledgeSchema, modelsSchema, pluginsSchema, webSchema } from './sections.js';

/** Secrets come only from the environment (or `.env`), never from the config file. */
export const secretsSchema = z.object({
  hfToken: z.string().optional(),
  openaiApiKey: z.string().optional(),
  discordToken: z.string().optional(),
  mcpToken: z.string().optional(),
  /** Other secret variables by name (see config/secrets.ts); never shown, only redacted. */
  named: z.record(z.string(), z.string()).optional(),
});

/** The whole Hearth configuration, after defaults. */
export const configSchema = z
  .object({
    dataDir: z.string().default('.hearth').describe('folder for all run-time data'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
    models: modelsSchema,
    plugins: pluginsSchema,
    engine: engineSchema,
    knowledge: knowledgeSchema,
    discord: discordSchema,
    mcp: mcpSchema,
    web: webSchema,
    databaseUrl: databaseUrlSchema,
    redisUrl: redisUrlSchema,
    ops: opsSchema,
    jobs: jobsSchema,
    logFile: z
      .string()
      .min(1)
      .optional()
      .describe('log file (size-capped, rotated once); default <dataDir>/logs/hearth.log'),
  })
  .strict();

export type HearthConfig = z.infer<typeof configSchema> & { secrets: z.infer<typeof secretsSchema> };
export type ConfigInput = z.input<typeof configSchema>;
