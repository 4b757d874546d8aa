/**
 * Hearth's MCP surface: the registry's tools, knowledge and artifacts as resources, prompts with
 * completions, over stdio or Streamable HTTP.
 * @packageDocumentation
 */

export { ARTIFACT_PREFIX, ArtifactStore } from './artifacts.js';
export type { McpHearth, McpShared } from './context.js';
export type { McpExtensions, McpPromptProvider, McpResourceProvider } from './extensions.js';
export { type McpHttpOptions, type McpHttpServer, startMcpHttp } from './http.js';
export { callerOf, type Principal, RateLimiter, resolvePrincipal, TokenTable } from './identity.js';
export { JwtVerifier, type McpOAuthOptions, TokenRejected } from './oauth.js';
export { PROMPTS } from './prompts.js';
export { KNOWLEDGE_PREFIX, knowledgeUri } from './resources.js';
export { createMcpServer, createMcpShared, type McpSession } from './server.js';
export { serveStdio } from './stdio.js';
