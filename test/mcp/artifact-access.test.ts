/** Generated artifacts over MCP belong to the principal that made them (issue 14, item 6). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { type Connected, connect } from './client.js';
import { PRINCIPALS, testHearth } from './fixtures/hearth.js';

const TOKENS = { TEST_AGENT_TOKEN: 'agent-token-123456', TEST_READER_TOKEN: 'reader-token-123456' };

describe('artifacts are listed and readable only by the principal that made them', () => {
  let server: McpHttpServer;
  let agent: Connected;
  let reader: Connected;
  beforeAll(async () => {
    server = await startMcpHttp(testHearth(PRINCIPALS), { port: 0, env: TOKENS });
    agent = await connect('http', { url: server.url, token: TOKENS.TEST_AGENT_TOKEN });
    reader = await connect('http', { url: server.url, token: TOKENS.TEST_READER_TOKEN });
  });
  afterAll(async () => {
    await agent?.close();
    await reader?.close();
    await server?.close();
  });

  it("another principal neither lists, completes nor reads the agent's image", async () => {
    const r = await agent.client.callTool({ name: 'demo_picture', arguments: { subject: 'a private dot' } });
    const uri = (r.structuredContent as { artifacts: { uri: string }[] }).artifacts[0]!.uri;
    expect((await agent.client.listResources()).resources.map((x) => x.uri)).toContain(uri);
    expect((await agent.client.readResource({ uri })).contents).toHaveLength(1);

    expect((await reader.client.listResources()).resources.map((x) => x.uri)).not.toContain(uri);
    await expect(reader.client.readResource({ uri })).rejects.toThrow(/No artifact/);
    const completion = await reader.client.complete({
      ref: { type: 'ref/resource', uri: 'hearth://artifacts/{file}' },
      argument: { name: 'file', value: '' },
    });
    expect(completion.completion.values).toEqual([]);
  });
});
