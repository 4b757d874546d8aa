import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { type Connected, connect } from './client.js';
import { PNG, PRINCIPALS, testHearth } from './fixtures/hearth.js';

const TOKENS = {
  TEST_AGENT_TOKEN: 'agent-token-123456',
  TEST_READER_TOKEN: 'reader-token-123456',
  TEST_OPS_TOKEN: 'ops-token-1234567',
};
const text = (r: Record<string, unknown>) =>
  (r.content as { type: string; text?: string }[])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

describe.each(['stdio', 'http'] as const)('Hearth MCP server over %s, SDK client', (kind) => {
  let http: McpHttpServer | undefined;
  let c: Connected;
  const open = (principal: 'agent' | 'reader' | 'ops') =>
    connect(kind, {
      principal,
      url: http?.url,
      token: TOKENS[`TEST_${principal.toUpperCase()}_TOKEN` as keyof typeof TOKENS],
    });

  beforeAll(async () => {
    if (kind === 'http') {
      const hearth = testHearth(PRINCIPALS);
      await hearth.store.addText({
        title: 'Opening hours',
        text: 'The makerspace opens at 9 on weekdays. It closes at 18.',
        uri: 'docs/hours.md',
      });
      http = await startMcpHttp(hearth, { port: 0, env: TOKENS });
    }
    c = await open('agent');
  });
  afterAll(async () => {
    await c?.close();
    await http?.close();
  });

  it('initializes with tools, resources (subscribe, list-changed), prompts, logging and completions', () => {
    expect(c.client.getServerVersion()?.name).toBe('hearth');
    const caps = c.client.getServerCapabilities();
    expect(caps?.tools?.listChanged).toBe(true);
    expect(caps?.resources).toMatchObject({ subscribe: true, listChanged: true });
    expect(caps?.prompts).toBeDefined();
    expect(caps?.logging).toBeDefined();
    expect(caps?.completions).toBeDefined();
  });

  it('lists every registry tool with input and output schemas, hiding admin tools from non-admins', async () => {
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of [
      'ask',
      'search_knowledge',
      'add_knowledge',
      'remove_knowledge',
      'list_plugins',
      'demo_echo',
      'demo_draw',
    ])
      expect(names).toContain(n);
    expect(names).not.toContain('demo_secret');
    const echo = tools.find((t) => t.name === 'demo_echo')!;
    expect(echo.inputSchema).toMatchObject({ type: 'object', required: ['message'] });
    expect(echo.outputSchema).toMatchObject({ type: 'object', properties: { echoed: { type: 'string' } } });
  });

  it('returns structuredContent and text', async () => {
    const r = await c.client.callTool({ name: 'demo_echo', arguments: { message: 'hi', times: 2 } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ echoed: 'hi hi', length: 5 });
    // the tool's own text, then the serialized structured result (the spec's SHOULD, see docs/mcp.md)
    expect(text(r)).toBe(`hi hi\n${JSON.stringify({ echoed: 'hi hi', length: 5 }, null, 2)}`);
  });

  it('answers `ask` grounded in the knowledge base with sources', async () => {
    const r = await c.client.callTool({ name: 'ask', arguments: { question: 'When does the makerspace open?' } });
    expect(r.isError).toBeFalsy();
    const data = r.structuredContent as { answer: string; sources: { title: string }[]; notCovered: boolean };
    expect(data.answer).toContain('opens at 9');
    expect(data.sources[0]?.title).toBe('Opening hours');
    expect(text(r)).toContain('[1] Opening hours');
  });

  it('turns tool failures and bad input into isError results with a clear message', async () => {
    const failed = await c.client.callTool({ name: 'demo_fail', arguments: {} });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain('the demo tool broke on purpose');
    const bad = await c.client.callTool({ name: 'demo_echo', arguments: { message: '' } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/Invalid input for "demo_echo": message/);
    await expect(c.client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(
      /Unknown tool "no_such_tool"/,
    );
  });

  it('returns images as image content and files as embedded resources, kept as readable artifacts, with progress', async () => {
    const progress: number[] = [];
    const r = await c.client.callTool({ name: 'demo_draw', arguments: { label: 'dot' } }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
    });
    const content = r.content as {
      type: string;
      data?: string;
      uri?: string;
      resource?: { uri: string; text?: string; mimeType?: string };
    }[];
    const image = content.find((x) => x.type === 'image')!;
    expect(Buffer.from(image.data!, 'base64').equals(PNG)).toBe(true);
    const file = content.find((x) => x.type === 'resource')!;
    expect(file.resource).toMatchObject({ mimeType: 'text/csv', text: 'x,y\n1,2\n' });
    const link = content.find((x) => x.type === 'resource_link')!;
    const read = await c.client.readResource({ uri: link.uri! });
    expect(Buffer.from((read.contents[0] as { blob: string }).blob, 'base64').equals(PNG)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('cancels a running tool when the client sends notifications/cancelled', async () => {
    const controller = new AbortController();
    const call = c.client.callTool({ name: 'demo_slow', arguments: {} }, undefined, { signal: controller.signal });
    await waitUntil(
      async () =>
        ((await c.client.callTool({ name: 'demo_status', arguments: {} })).structuredContent as { started: number })
          .started >= 1,
    );
    controller.abort('user stop');
    await expect(call).rejects.toThrow();
    await waitUntil(
      async () =>
        ((await c.client.callTool({ name: 'demo_status', arguments: {} })).structuredContent as { cancelled: number })
          .cancelled >= 1,
    );
  });

  it('lists, reads and templates knowledge resources; notifies subscribers and list-changed on store changes', async () => {
    const { resources } = await c.client.listResources();
    const hours = resources.find((r) => r.name === 'Opening hours')!;
    expect(hours.uri).toMatch(/^hearth:\/\/knowledge\//);
    const read = await c.client.readResource({ uri: hours.uri });
    expect((read.contents[0] as { text: string }).text).toContain('opens at 9');
    const { resourceTemplates } = await c.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('hearth://knowledge/{id}');

    await c.client.subscribeResource({ uri: hours.uri });
    const changed = await c.client.callTool({
      name: 'add_knowledge',
      arguments: { title: 'Opening hours', text: 'The makerspace opens at 10 on weekdays.' },
    });
    expect(changed.isError).toBeFalsy();
    // add_knowledge stores text under text:<title>, a new source: list changes; then the subscribed one changes
    await c.waitFor('notifications/resources/list_changed');
    const hoursId = decodeURIComponent(hours.uri.split('/').pop()!);
    await c.client.callTool({ name: 'remove_knowledge', arguments: { source_id: hoursId } });
    await c.waitFor('notifications/resources/updated', (p) => p?.uri === hours.uri);
    await c.client.unsubscribeResource({ uri: hours.uri });
    await expect(c.client.readResource({ uri: hours.uri })).rejects.toThrow(/No knowledge source/);
  });

  it('offers prompts with arguments and completes them', async () => {
    const { prompts } = await c.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['grounded_answer', 'summarize_source']);
    const got = await c.client.getPrompt({
      name: 'grounded_answer',
      arguments: { question: 'When does it open?', persona: 'pirate' },
    });
    expect((got.messages[0]!.content as { text: string }).text).toContain('persona: pirate');
    expect(got.messages.at(-1)).toMatchObject({ role: 'user', content: { type: 'text', text: 'When does it open?' } });
    const done = await c.client.complete({
      ref: { type: 'ref/prompt', name: 'grounded_answer' },
      argument: { name: 'persona', value: 'pi' },
    });
    expect(done.completion.values).toEqual(['pirate']);
    const { resources } = await c.client.listResources();
    const src = resources.find((r) => r.uri.startsWith('hearth://knowledge/'))!;
    const id = decodeURIComponent(src.uri.split('/').pop()!);
    const ids = await c.client.complete({
      ref: { type: 'ref/prompt', name: 'summarize_source' },
      argument: { name: 'source_id', value: id.slice(0, 3) },
    });
    expect(ids.completion.values).toContain(id);
    const sum = await c.client.getPrompt({ name: 'summarize_source', arguments: { source_id: id } });
    expect(sum.messages[0]!.content).toMatchObject({ type: 'resource', resource: { uri: src.uri } });
    await expect(
      c.client.getPrompt({ name: 'grounded_answer', arguments: { question: 'x', persona: 'nobody' } }),
    ).rejects.toThrow(/Unknown persona/);
  });

  it('sends log messages at or above the level set with logging/setLevel', async () => {
    await c.client.setLoggingLevel('warning');
    const before = c.seen.length;
    await c.client.callTool({ name: 'demo_echo', arguments: { message: 'quiet' } });
    await c.client.callTool({ name: 'demo_fail', arguments: {} });
    await c.waitFor('notifications/message', (p) => (p?.data as { tool?: string })?.tool === 'demo_fail');
    expect(
      c.seen
        .slice(before)
        .some(
          (n) => n.method === 'notifications/message' && (n.params?.data as { tool?: string })?.tool === 'demo_echo',
        ),
    ).toBe(false);
    await c.client.setLoggingLevel('info');
    await c.client.callTool({ name: 'demo_echo', arguments: { message: 'loud' } });
    await c.waitFor('notifications/message', (p) => (p?.data as { tool?: string })?.tool === 'demo_echo');
  });

  it('sends tools/list_changed when the registry changes', async () => {
    await c.client.callTool({ name: 'demo_register', arguments: { name: kind === 'http' ? 'late' : 'later' } });
    await c.waitFor('notifications/tools/list_changed');
    expect((await c.client.listTools()).tools.map((t) => t.name)).toContain(
      kind === 'http' ? 'demo_late' : 'demo_later',
    );
  });

  it('gives a principal only what the operator granted', async () => {
    const reader = await open('reader');
    try {
      const r = await reader.client.callTool({ name: 'add_knowledge', arguments: { title: 't', text: 'x' } });
      expect(r.isError).toBe(true);
      expect(text(r)).toContain('has not granted "knowledge:write" to reader');
      expect((await reader.client.listTools()).tools.map((t) => t.name)).not.toContain('demo_secret');
    } finally {
      await reader.close();
    }
    if (kind === 'stdio') return; // one more child process adds nothing the HTTP run does not check
    const ops = await open('ops');
    try {
      const r = await ops.client.callTool({ name: 'demo_secret', arguments: {} });
      expect(text(r)).toBe('admin only');
    } finally {
      await ops.close();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}
