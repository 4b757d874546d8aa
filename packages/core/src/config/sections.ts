import { PERMISSIONS } from '@hearth/sdk';
import { z } from 'zod';
import { modelRefSchema } from './model-refs.js';

/** Model references per task (`hf:<repo>`, `openai:<model>@<base url>`, `gguf:<path>`, `local`). */
export const modelsSchema = z
  .object({
    chat: modelRefSchema('chat').optional().describe('chat model reference; default: the embedded local model'),
    embed: modelRefSchema('embed').default('local').describe('embedding model reference'),
    image: modelRefSchema('image')
      .optional()
      .describe('text-to-image model reference; default: plugins use their local model'),
    vision: z
      .boolean()
      .default(false)
      .describe('the remote chat model accepts images (OpenAI image_url parts); Discord passes attached images to it'),
    trustedEndpoints: z
      .array(z.string().url())
      .default([])
      .describe('extra endpoints (e.g. a distillation teacher) that may receive OPENAI_API_KEY / HF_TOKEN'),
    timeoutMs: z.number().int().positive().default(60_000).describe('per remote call'),
    retries: z.number().int().min(0).max(10).default(2).describe('retries on 429/5xx'),
  })
  .default({ embed: 'local', vision: false, trustedEndpoints: [], timeoutMs: 60_000, retries: 2 });

/** Plugin discovery, grants and limits. */
export const pluginsSchema = z
  .object({
    load: z.array(z.string().min(1)).default([]).describe('package names or paths of plugins to load'),
    dir: z.string().optional().describe('folder whose every package is loaded as a plugin; default <dataDir>/plugins'),
    firstParty: z.boolean().default(true).describe('load the diffusion and GAN plugins'),
    grants: z
      .record(z.string(), z.array(z.enum(PERMISSIONS)))
      .default({})
      .describe('plugin id -> permissions granted; a plugin not listed gets what it declares'),
    deny: z.array(z.string()).default([]).describe('plugin ids never to load'),
    allowedModels: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "model references plugins may use besides the configured ones (their calls carry the operator's tokens)",
      ),
    timeoutMs: z.number().int().positive().default(60_000).describe('default per-tool time limit'),
    setupTimeoutMs: z.number().int().positive().default(15_000),
  })
  .default({
    load: [],
    firstParty: true,
    grants: {},
    deny: [],
    allowedModels: [],
    timeoutMs: 60_000,
    setupTimeoutMs: 15_000,
  });

/** Conversation engine settings. */
export const engineSchema = z
  .object({
    persona: z.string().default('default').describe('persona used when a guild has none'),
    personasDir: z.string().optional().describe('extra persona files (*.md with front matter)'),
    historyTokens: z.number().int().positive().default(1500).describe('token budget for conversation history'),
    maxToolSteps: z.number().int().min(0).max(16).default(4),
    retrieveK: z.number().int().min(0).max(20).default(4),
    grounding: z
      .enum(['auto', 'replace', 'flag'])
      .default('auto')
      .describe(
        'answers whose words are mostly absent from their sources: "replace" them with quotes from the sources, "flag" them (logged, reported), "auto" = replace for local models, flag for remote ones',
      ),
    minSupport: z
      .number()
      .min(0)
      .max(1)
      .default(0.6)
      .describe("share of an answer's content words that must appear in its sources"),
  })
  .default({
    persona: 'default',
    historyTokens: 1500,
    maxToolSteps: 4,
    retrieveK: 4,
    grounding: 'auto',
    minSupport: 0.6,
  });

/** Knowledge store settings. */
export const knowledgeSchema = z
  .object({
    ingestDocsOnStart: z.boolean().default(true).describe("ingest Hearth's own docs on first start"),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024)
      .describe('largest file or URL body `hearth ingest` reads; bigger ones are skipped with the reason'),
    allowPrivateUrls: z
      .boolean()
      .default(false)
      .describe('let URL ingest fetch loopback, private and link-local addresses (refused by default: SSRF)'),
    allowedUrlHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('host names URL ingest may fetch even when they resolve to private addresses'),
    uri: z
      .string()
      .min(1)
      .refine(
        (v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^(s3|s3\+ddb|gs|az|file):\/\/[^/\s]+/i.test(v),
        // never echo the value: it may hold credentials
        'must be a folder path, or an s3://, s3+ddb://, gs:// or az:// URI with a bucket (e.g. s3://my-bucket/hearth)',
      )
      .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(v), {
        message: 'must not contain credentials: put them in knowledge.storageOptions from the environment',
      })
      .optional()
      .describe(
        'where LanceDB keeps the chunk tables; default <dataDir>/knowledge/lancedb (object storage: docs/knowledge.md)',
      ),
    storageOptions: z
      .record(z.string().min(1), z.string())
      .default({})
      .describe(
        'LanceDB storage options for an object-store uri (region, endpoint...); set secrets from the environment',
      ),
    refreshSeconds: z
      .number()
      .min(0)
      .max(3600)
      .default(5)
      .describe(
        'how stale a process may see the store another process writes (LanceDB readConsistencyInterval); 0: every read checks',
      ),
  })
  .prefault({});

/** The web console (`hearth web`, and `hearth start` when enabled). */
export const webSchema = z
  .object({
    enabled: z.boolean().default(false).describe('`hearth start` also serves the web console'),
    listen: z.string().default('127.0.0.1:8787').describe('HOST:PORT to serve on'),
    anonymousLoopback: z
      .boolean()
      .default(false)
      .describe('let loopback visitors in as the operator without a token (your own machine only)'),
    allowedHosts: z.array(z.string().min(1)).default([]).describe('Host names accepted besides loopback names'),
    secureCookie: z.boolean().default(false).describe('mark the session cookie Secure (served over HTTPS by a proxy)'),
  })
  .strict()
  .prefault({});
