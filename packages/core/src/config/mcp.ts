import { PERMISSIONS } from '@hearth/sdk';
import { z } from 'zod';

/** A token bucket: `perMinute` sustained, `burst` at once. */
const rateLimitSchema = z
  .object({
    perMinute: z.number().int().positive().default(120).describe('sustained requests per minute'),
    burst: z.number().int().positive().default(30).describe('requests allowed at once'),
  })
  .strict();

/** An MCP client identity: what an agent holding this principal's token may do. */
const principalSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, "_", "." and "-"'),
    /** Env var holding this principal's bearer token; the token itself never sits in the config file. */
    tokenEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable (A-Z, 0-9, _)')
      .optional(),
    admin: z.boolean().default(false).describe('may call admin-only tools'),
    roles: z.array(z.string()).default([]),
    permissions: z
      .array(z.enum(PERMISSIONS))
      .default(['knowledge:read'])
      .describe('what the operator grants this agent'),
    rateLimit: rateLimitSchema.optional().describe('overrides mcp.rateLimit for this principal'),
  })
  .strict();

/** An external MCP server whose tools join the registry. */
const serverSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, 'must be 1-24 characters of a-z, 0-9 and "-"'),
    command: z.string().min(1).optional().describe('stdio: the command to start'),
    args: z.array(z.string()).default([]),
    /** Extra environment for a stdio server: name -> name of a variable in Hearth's environment. */
    envFrom: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    url: z.string().url().optional().describe('Streamable HTTP endpoint'),
    /** Env var holding a bearer token sent to an HTTP server. */
    tokenEnv: z.string().optional(),
    access: z.enum(['everyone', 'admin']).default('admin'),
    timeoutMs: z.number().int().positive().default(60_000).describe('per tool call'),
  })
  .strict()
  .refine((s) => Boolean(s.command) !== Boolean(s.url), {
    message: 'give exactly one of "command" (stdio) or "url" (HTTP)',
  });

/** Streamable HTTP transport limits and DNS-rebinding protection. */
const httpSchema = z
  .object({
    allowedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Host header names accepted besides the bound address (and localhost on loopback), e.g. "mcp.example.org"',
      ),
    allowedOrigins: z
      .array(z.string().url())
      .default([])
      .describe('browser Origins accepted besides those of the allowed hosts'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024)
      .describe('largest request body'),
    maxSessions: z.number().int().positive().default(1000),
    maxSessionsPerPrincipal: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('sessions one principal may hold; default: maxSessions shared fairly among the principals'),
    sessionIdleMs: z
      .number()
      .int()
      .positive()
      .default(30 * 60_000)
      .describe('idle sessions are closed after this'),
  })
  .strict();

/** MCP surface settings. */
export const mcpSchema = z
  .object({
    principals: z.array(principalSchema).default([]),
    /** Principal used by stdio and by unauthenticated loopback HTTP clients; default `local`. */
    defaultPrincipal: z.string().default('local'),
    rateLimit: rateLimitSchema.prefault({}),
    http: httpSchema.prefault({}),
    oauth: z
      .object({
        issuer: z.string().url().describe("the authorization server's issuer (iss)"),
        jwksUri: z.string().url().optional().describe("its signing keys; default from the issuer's metadata"),
        audience: z.string().optional().describe("the aud a token must carry; default this server's MCP URL"),
        principalClaim: z.string().optional().describe('claim naming the principal; default sub'),
        requiredScopes: z.array(z.string()).optional(),
        clockSkewSeconds: z.number().int().min(0).optional(),
      })
      .strict()
      .optional()
      .describe('validate bearer JWTs as an OAuth resource server (MCP 2025-06-18 authorization)'),
    /** How many generated images/files are kept under <dataDir>/artifacts for resources/read. */
    keepArtifacts: z.number().int().min(0).default(200),
    servers: z.array(serverSchema).default([]).describe('external MCP servers whose tools join the registry'),
    shutdownGraceMs: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('on SIGTERM/Ctrl-C, time in-flight tool calls get to finish before the server closes'),
  })
  .strict()
  .prefault({});

/** The MCP section after defaults. */
export type McpConfig = z.infer<typeof mcpSchema>;
/** One configured principal. */
export type McpPrincipalConfig = McpConfig['principals'][number];
/** One external MCP server. */
export type McpServerConfig = McpConfig['servers'][number];
