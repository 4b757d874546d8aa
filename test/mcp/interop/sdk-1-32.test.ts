/** The official SDK 1.32 client (protocol 2025-11-25) through the shared interop suite. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { fromContent, type InteropSession, interopSuite, promptText, type Target } from './suite.js';

async function open(target: Target): Promise<InteropSession> {
  const client = new Client({ name: 'interop-sdk-1-32', version: '1.0.0' });
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
    prompt: async (name, args) => promptText((await client.getPrompt({ name, arguments: args })).messages),
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

interopSuite('MCP SDK 1.32', open, { cancellation: true });
