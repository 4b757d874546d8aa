/**
 * A Hearth for the permission matrix: the real built-in tools over a real LanceDB store (global,
 * guild and channel sources), a plugin tool that makes an image (an artifact) and an admin-only
 * plugin tool, served over Streamable HTTP to principals with different grants.
 */
import { Writable } from 'node:stream';
import { configSchema, createLogger, type HearthConfig, Redactor, registeredTool, ToolRegistry } from '@hearth/core';
import { defineTool, type Logger, result } from '@hearth/sdk';
import { z } from 'zod';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { registerBuiltinTools } from '../../packages/core/src/builtins/index.js';
import { seededStore } from '../fuzz/stores.js';
import { PNG, scriptedEngine } from '../mcp/fixtures/hearth.js';

/** Bearer tokens of the principals (from their `tokenEnv`). */
export const TOKENS = {
  WRITER_TOKEN: 'writer-token-0123456789',
  READER_TOKEN: 'reader-token-0123456789',
  NOBODY_TOKEN: 'nobody-token-0123456789',
  OPS_TOKEN: 'ops-token-0123456789',
};

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const demo = (tool: ReturnType<typeof defineTool>) =>
  registeredTool({
    tool,
    name: `demo_${tool.name}`,
    origin: { kind: 'plugin', pluginId: 'demo', version: '1.0.0' },
    ownerId: 'demo',
    granted: new Set(),
    defaultTimeoutMs: 10_000,
    services: () => ({}) as never,
    log: () => silent,
  });

/** Starts the server; `close` stops it and closes the store. */
export async function startMatrixHearth(): Promise<{
  server: McpHttpServer;
  store: Awaited<ReturnType<typeof seededStore>>['store'];
  close(): Promise<void>;
}> {
  const { store, dataDir } = await seededStore();
  const config = {
    ...configSchema.parse({
      dataDir,
      mcp: {
        defaultPrincipal: 'reader',
        rateLimit: { perMinute: 100_000, burst: 100_000 },
        principals: [
          { name: 'writer', tokenEnv: 'WRITER_TOKEN', permissions: ['knowledge:read', 'knowledge:write'] },
          { name: 'reader', tokenEnv: 'READER_TOKEN', permissions: ['knowledge:read'] },
          { name: 'nobody', tokenEnv: 'NOBODY_TOKEN', permissions: [] },
          { name: 'ops', tokenEnv: 'OPS_TOKEN', admin: true, permissions: ['knowledge:read'] },
        ],
      },
    }),
    secrets: {},
  } as HearthConfig;
  const redactor = new Redactor();
  const log = createLogger({ level: 'silent', redactor, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const registry = new ToolRegistry();
  const engine = scriptedEngine(store as never);
  registerBuiltinTools({
    registry,
    engine,
    knowledge: store,
    plugins: { list: () => [{ id: 'demo', version: '1.0.0', description: 'demo', tools: ['draw'], granted: [] }] },
  });
  registry.add([
    demo(
      defineTool({
        name: 'draw',
        description: 'Draw a tiny image (an artifact)',
        input: z.object({ label: z.string().default('dot') }),
        async run(input) {
          return { content: [result.text(`Drew ${input.label}.`), result.image(PNG, `${input.label}.png`)] };
        },
      }),
    ),
    demo(
      defineTool({
        name: 'secret',
        description: 'Admin only',
        access: 'admin',
        input: z.object({}),
        async run() {
          return 'admin only';
        },
      }),
    ),
  ]);
  const server = await startMcpHttp(
    { config, log, redactor, registry, knowledge: store, engine },
    { port: 0, env: TOKENS },
  );
  return {
    server,
    store,
    async close() {
      await server.close();
      await store.close();
    },
  };
}
