/**
 * Mastra's @mastra/mcp 0.14: wraps the official SDK but converts JSON Schema to zod itself, and a
 * tool call returns only `structuredContent` when there is one, so images must be reachable from
 * it. It offers no way to cancel a call.
 */
import { register } from 'node:module';
import type { MCPClient as MastraClient } from '@mastra/mcp';
import { fromContent, type InteropSession, interopSuite, type Target } from './suite.js';

// Vitest runs test files under `node --conditions module` (vitest.config.ts), which makes Mastra's
// @opentelemetry/api resolve to its bundler-only ESM build (extensionless imports Node cannot load).
// A resolve hook drops that condition for @opentelemetry packages only, then Mastra is imported.
register(
  `data:text/javascript,${encodeURIComponent(`export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@opentelemetry/'))
    return next(specifier, { ...context, conditions: context.conditions.filter((c) => c !== 'module') });
  return next(specifier, context);
}`)}`,
);
const { MCPClient } = (await import('@mastra/mcp')) as { MCPClient: typeof MastraClient };

async function open(target: Target): Promise<InteropSession> {
  const mcp = new MCPClient({
    id: `interop-${target.kind}`,
    servers: {
      // Mastra's server type is a union whose excess-property check rejects a conditional of both arms
      hearth: (target.kind === 'stdio'
        ? { command: target.command, args: target.args, cwd: target.cwd }
        : { url: new URL(target.url), requestInit: { headers: target.headers } }) as never,
    },
  });
  let tools: Record<string, { execute?: (input: unknown) => Promise<unknown> }> | undefined;
  const load = async () => (tools ??= (await mcp.getTools()) as never);
  return {
    async tools() {
      // Mastra prefixes the server name; its zod conversion of each schema ran in getTools()
      return Object.keys(await load()).map((name) => ({ name: name.replace(/^hearth_/, '') }));
    },
    async call(name, args) {
      const out = (await (await load())[`hearth_${name}`]!.execute!({ context: args })) as Record<string, unknown>;
      return Array.isArray(out.content) ? fromContent(out) : { text: '', images: [], structured: out };
    },
    resources: async () => ((await mcp.resources.list()).hearth ?? []).map((r) => r.uri),
    read: async (uri) => (await mcp.resources.read('hearth', uri)).contents[0] as { text?: string; blob?: string },
    prompts: async () => ((await mcp.prompts.list()).hearth ?? []).map((p) => p.name),
    async prompt(name, args) {
      const r = await mcp.prompts.get({ serverName: 'hearth', name, args });
      return (r.messages as { content: { type: string; text?: string } }[])
        .map((m) => (m.content.type === 'text' ? m.content.text : ''))
        .join('\n');
    },
    close: () => mcp.disconnect(),
  };
}

interopSuite('@mastra/mcp 0.14', open, { cancellation: false });
