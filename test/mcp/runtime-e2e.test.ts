import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHearth, type Hearth, loadConfig } from '@hearth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { connectMcpServers, type McpServers } from '../../packages/core/src/mcp-client/index.js';
import { type OpenAiServer, startOpenAiServer } from '../servers/openai-hf.js';
import { type Connected, connect, REPO, STDIO_FIXTURE } from './client.js';

const EXTERNAL = STDIO_FIXTURE.replace('stdio-server.ts', 'external-server.mjs');
const text = (r: unknown) =>
  ((r as { content: { type: string; text?: string }[] }).content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

/**
 * The real runtime behind the MCP server: config, SQLite, the LanceDB knowledge store, the engine
 * talking to the OpenAI-protocol test server, the built-in tools, and an external MCP server whose
 * tools join the registry; an agent reaches all of it over Streamable HTTP with the SDK's Client.
 */
describe('hearth MCP over the real runtime (createHearth)', () => {
  let dir: string;
  let openai: OpenAiServer;
  let hearth: Hearth;
  let external: McpServers;
  let http: McpHttpServer;
  let c: Connected;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-mcp-e2e-'));
    openai = await startOpenAiServer({ script: [{ text: 'Meetups start at 19:00 UTC [1].' }] });
    const config = await loadConfig({
      cwd: dir,
      env: { AGENT_TOKEN: 'agent-token-abcdef' },
      overrides: {
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        models: { chat: `openai:e2e-model@${openai.url}/v1`, timeoutMs: 10_000, retries: 0 },
        plugins: { firstParty: false },
        knowledge: { ingestDocsOnStart: false },
        mcp: {
          principals: [
            { name: 'agent', tokenEnv: 'AGENT_TOKEN', permissions: ['knowledge:read', 'knowledge:write', 'network'] },
          ],
          servers: [{ name: 'ext', command: process.execPath, args: [EXTERNAL], cwd: REPO, access: 'everyone' }],
        },
      },
    });
    hearth = await createHearth({ config, skipPlugins: true });
    await hearth.knowledge.addText({
      title: 'Events',
      text: 'The weekly meetup starts at 19:00 UTC every Thursday.',
      uri: 'docs/events.md',
    });
    external = await connectMcpServers(hearth);
    http = await startMcpHttp(hearth, { port: 0, env: { AGENT_TOKEN: 'agent-token-abcdef' } });
    c = await connect('http', { url: http.url, token: 'agent-token-abcdef' });
  }, 120_000);

  afterAll(async () => {
    await c?.close();
    await http?.close();
    await external?.close();
    await hearth?.close();
    await openai?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers `ask` through the engine and the chat model, citing the knowledge base', async () => {
    const r = await c.client.callTool({ name: 'ask', arguments: { question: 'When is the weekly meetup?' } });
    expect(r.isError, text(r)).toBeFalsy();
    const data = r.structuredContent as { answer: string; sources: { title: string }[] };
    expect(data.answer).toBe('Meetups start at 19:00 UTC [1].');
    expect(data.sources[0]?.title).toBe('Events');
    expect(JSON.stringify(openai.requests[0]?.body.messages)).toContain('The weekly meetup starts at 19:00 UTC');
  });

  it('adds knowledge to LanceDB, announces it, and serves it as a resource and in a prompt', async () => {
    const added = await c.client.callTool({
      name: 'add_knowledge',
      arguments: { title: 'Rules', text: 'Be kind. No spam in #general.' },
    });
    expect(added.isError, text(added)).toBeFalsy();
    await c.waitFor('notifications/resources/list_changed');
    const { resources } = await c.client.listResources();
    const rules = resources.find((x) => x.name === 'Rules')!;
    expect((await c.client.readResource({ uri: rules.uri })).contents[0]).toMatchObject({
      text: expect.stringContaining('No spam'),
    });
    const personas = await c.client.complete({
      ref: { type: 'ref/prompt', name: 'grounded_answer' },
      argument: { name: 'persona', value: '' },
    });
    expect(personas.completion.values.length).toBeGreaterThan(0);
    const prompt = await c.client.getPrompt({
      name: 'grounded_answer',
      arguments: { question: 'Is spam allowed in general?' },
    });
    expect(JSON.stringify(prompt.messages)).toContain('No spam');
  });

  it("offers an external MCP server's tools as Hearth tools", async () => {
    const names = (await c.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('ext_add');
    const r = await c.client.callTool({ name: 'ext_add', arguments: { a: 2, b: 40 } });
    expect(r.structuredContent).toEqual({ sum: 42 });
  });
});

describe('`hearth mcp` command over stdio', () => {
  it('serves the runtime on stdout, logs on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-mcp-cli-'));
    writeFileSync(
      join(dir, 'hearth.config.json'),
      JSON.stringify({
        dataDir: join(dir, 'data'),
        plugins: { firstParty: false },
        knowledge: { ingestDocsOnStart: false },
      }),
    );
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const client = new Client({ name: 'cli-test', version: '1' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        '--conditions=hearth-source',
        '--import',
        // absolute: the child runs in a temp folder, where the bare specifier 'tsx' does not resolve
        pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href,
        join(REPO, 'packages/bot/src/cli/main.ts'),
        '-c',
        join(dir, 'hearth.config.json'),
        'mcp',
      ],
      cwd: dir,
      stderr: 'pipe',
    });
    try {
      await client.connect(transport, { timeout: 60_000 });
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(
        expect.arrayContaining(['ask', 'search_knowledge', 'add_knowledge', 'remove_knowledge', 'list_plugins']),
      );
      // the default principal only reads: writing is refused with the reason
      const r = await client.callTool({ name: 'add_knowledge', arguments: { title: 't', text: 'x' } });
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('has not granted "knowledge:write" to local');
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
