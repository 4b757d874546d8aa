/**
 * Vercel's @ai-sdk/mcp 1.0 (its own protocol implementation). Tools are called the way an AI SDK
 * agent calls them (`tools()[name].execute`). It does not send notifications/cancelled: aborting
 * only stops waiting locally, so the suite does not check cancellation.
 */
import { createMCPClient } from '@ai-sdk/mcp';
import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { fromContent, type InteropSession, interopSuite, promptText, type Target } from './suite.js';

async function open(target: Target): Promise<InteropSession> {
  const client = await createMCPClient({
    transport:
      target.kind === 'stdio'
        ? new Experimental_StdioMCPTransport({ ...target, stderr: 'inherit' })
        : { type: 'http', url: target.url, headers: target.headers },
  });
  let toolSet: Awaited<ReturnType<typeof client.tools>> | undefined;
  return {
    async tools() {
      toolSet = await client.tools(); // builds each tool's schema as the AI SDK would for a model
      return (await client.listTools()).tools;
    },
    async call(name, args) {
      toolSet ??= await client.tools();
      const result = await toolSet[name]!.execute!(args, { toolCallId: name, messages: [] });
      return fromContent(result as never);
    },
    resources: async () => (await client.listResources()).resources.map((r) => r.uri),
    read: async (uri) => (await client.readResource({ uri })).contents[0] as { text?: string; blob?: string },
    prompts: async () => (await client.experimental_listPrompts()).prompts.map((p) => p.name),
    prompt: async (name, args) =>
      promptText((await client.experimental_getPrompt({ name, arguments: args })).messages as never),
    close: () => client.close(),
  };
}

interopSuite('@ai-sdk/mcp 1.0', open, { cancellation: false });
