/**
 * The official SDK 1.12.1 client, a 2025-03-26 client: it rejects a whole result that carries a
 * `resource_link`, and its Ajv (draft-07) cannot compile schemas declaring draft 2020-12.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client as ModernClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as ModernHttp } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client } from 'mcp-sdk-1-12/client/index.js';
import { StdioClientTransport } from 'mcp-sdk-1-12/client/stdio.js';
import { StreamableHTTPClientTransport } from 'mcp-sdk-1-12/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { startMcpHttp } from '../../../packages/bot/src/mcp/index.js';
import { addConformanceFixtures } from '../fixtures/conformance.js';
import { PRINCIPALS, testHearth } from '../fixtures/hearth.js';
import { fromContent, type InteropSession, interopSuite, promptText, type Target, TOKENS } from './suite.js';

async function open(target: Target): Promise<InteropSession> {
  const client = new Client({ name: 'interop-sdk-1-12', version: '1.0.0' });
  await client.connect(
    target.kind === 'stdio'
      ? new StdioClientTransport({ ...target, stderr: 'inherit' })
      : new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers: target.headers } }),
  );
  return {
    tools: async () => (await client.listTools()).tools,
    call: async (name, args) => fromContent(await client.callTool({ name, arguments: args })),
    resources: async () => (await client.listResources()).resources.map((r) => r.uri),
    read: async (uri) => (await client.readResource({ uri })).contents[0] as { text?: string; blob?: string },
    prompts: async () => (await client.listPrompts()).prompts.map((p) => p.name),
    prompt: async (name, args) => promptText((await client.getPrompt({ name, arguments: args })).messages as never),
    async cancel(started) {
      const controller = new AbortController();
      const call = client.callTool({ name: 'demo_slow', arguments: {} }, undefined, { signal: controller.signal });
      await started();
      controller.abort('stop');
      await call.catch(() => {});
    },
    close: () => client.close(),
  };
}

interopSuite('MCP SDK 1.12.1 (2025-03-26)', open, { protocolVersion: '2025-03-26', cancellation: true });

/**
 * The schemas a 2025-06-18+ session gets, compiled the way SDK 1.12 (and any default Ajv 6, draft-07)
 * compiles them: a `"$schema": ".../draft/2020-12/schema"` declaration made every compile throw.
 */
describe('every published input and output schema compiles with Ajv 6 (draft-07)', () => {
  it('compiles all of them', async () => {
    const sdkDir = realpathSync(fileURLToPath(new URL('../../node_modules/mcp-sdk-1-12/', import.meta.url)));
    const Ajv = createRequire(join(sdkDir, 'package.json'))('ajv') as new () => { compile(s: unknown): unknown };
    const hearth = testHearth(PRINCIPALS);
    addConformanceFixtures(hearth);
    const http = await startMcpHttp(hearth, { port: 0, env: TOKENS });
    const client = new ModernClient({ name: 'schema-check', version: '1' });
    try {
      await client.connect(
        new ModernHttp(new URL(http.url), {
          requestInit: { headers: { Authorization: `Bearer ${TOKENS.TEST_AGENT_TOKEN}` } },
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.filter((t) => t.outputSchema).length).toBeGreaterThan(3);
      const ajv = new Ajv();
      for (const t of tools) {
        expect(() => ajv.compile(t.inputSchema), `${t.name} input`).not.toThrow();
        if (t.outputSchema) expect(() => ajv.compile(t.outputSchema), `${t.name} output`).not.toThrow();
      }
    } finally {
      await client.close();
      await http.close();
    }
  });
});
