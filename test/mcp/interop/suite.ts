/**
 * One interoperability suite, run by each MCP client library against Hearth over stdio and
 * Streamable HTTP (one HTTP server per file, one stdio child per client). Each library gets a small
 * adapter to this {@link InteropSession} shape; what a library cannot do (e.g. send cancellations)
 * it leaves out, and docs/mcp.md's table says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../../packages/bot/src/mcp/index.js';
import { REPO, STDIO_FIXTURE } from '../client.js';
import { PNG, PRINCIPALS, testHearth } from '../fixtures/hearth.js';

/** A tool call's result as the library hands it to its user. */
export interface Called {
  text: string;
  images: Buffer[];
  /** What a client that reads only structured results sees (Mastra returns nothing else). */
  structured?: Record<string, unknown>;
  isError?: boolean;
}

/** What the suite needs from a client library. */
export interface InteropSession {
  tools(): Promise<{ name: string; inputSchema?: unknown; outputSchema?: unknown }[]>;
  call(name: string, args: Record<string, unknown>): Promise<Called>;
  resources(): Promise<string[]>;
  read(uri: string): Promise<{ text?: string; blob?: string }>;
  prompts(): Promise<string[]>;
  prompt(name: string, args: Record<string, string>): Promise<string>;
  /** Starts `demo_slow`, aborts it once `started` resolves; resolves when the call has rejected. Absent: not supported. */
  cancel?(started: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** How to reach Hearth: a stdio child (command line, cwd) or an HTTP URL with a bearer token. */
export type Target =
  | { kind: 'stdio'; command: string; args: string[]; cwd: string }
  | { kind: 'http'; url: string; headers: Record<string, string> };

export const TOKENS = { TEST_AGENT_TOKEN: 'agent-token-123456' };

/** Runs the suite for one library over both transports. */
export function interopSuite(
  library: string,
  open: (target: Target) => Promise<InteropSession>,
  expectations: { protocolVersion?: string; cancellation: boolean },
): void {
  describe.each(['stdio', 'http'] as const)(`${library} against Hearth over %s`, (kind) => {
    let http: McpHttpServer | undefined;
    let s: InteropSession;

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
      s = await open(
        kind === 'stdio'
          ? {
              kind,
              command: process.execPath,
              args: ['--conditions=hearth-source', '--import', 'tsx', STDIO_FIXTURE, 'agent'],
              cwd: REPO,
            }
          : { kind, url: http!.url, headers: { Authorization: `Bearer ${TOKENS.TEST_AGENT_TOKEN}` } },
      );
    });
    afterAll(async () => {
      await s?.close();
      await http?.close();
    });

    it('connects and lists the tools (the library accepted every schema)', async () => {
      const tools = await s.tools();
      const names = tools.map((t) => t.name);
      for (const n of ['ask', 'search_knowledge', 'demo_echo', 'demo_draw', 'demo_picture']) expect(names).toContain(n);
      for (const t of tools) expect(JSON.stringify(t)).not.toContain('$schema');
    });

    it('calls a text tool', async () => {
      const r = await s.call('demo_echo', { message: 'hi', times: 2 });
      expect(r.isError, r.text).toBeFalsy();
      // a structured-only reader gets the data; the others get the text
      if (r.structured) expect(r.structured).toMatchObject({ echoed: 'hi hi', length: 5 });
      else expect(r.text).toContain('hi hi');
    });

    it('receives an image, and the artifact link (URI and alt text) even from structured output', async () => {
      const drawn = await s.call('demo_draw', { label: 'dot' });
      expect(drawn.images.some((img) => img.equals(PNG))).toBe(true);
      const pic = await s.call('demo_picture', { subject: 'a red dot' });
      const uri = pic.structured
        ? (pic.structured.artifacts as { uri: string; alt?: string }[] | undefined)?.[0]?.uri
        : /hearth:\/\/artifacts\/[^\s")]+/.exec(pic.text)?.[0];
      if (pic.structured) {
        expect(pic.structured).toMatchObject({
          subject: 'a red dot',
          artifacts: [{ mimeType: 'image/png', alt: 'a red dot, 1x1 pixels' }],
        });
      } else {
        expect(pic.images.some((img) => img.equals(PNG))).toBe(true);
      }
      expect(uri, 'the artifact URI').toMatch(/^hearth:\/\/artifacts\//);
      const read = await s.read(uri!);
      expect(Buffer.from(read.blob!, 'base64').equals(PNG)).toBe(true);
    });

    it('lists and reads resources', async () => {
      const uris = await s.resources();
      const knowledge = uris.find((u) => u.startsWith('hearth://knowledge/'))!;
      expect(knowledge).toBeDefined();
      expect((await s.read(knowledge)).text).toContain('opens at 9');
    });

    it('lists and gets prompts', async () => {
      expect(await s.prompts()).toEqual(expect.arrayContaining(['grounded_answer', 'summarize_source']));
      expect(await s.prompt('grounded_answer', { question: 'When does it open?' })).toContain('When does it open?');
    });

    it.runIf(expectations.cancellation)('cancels a running call', async () => {
      const count = async () => {
        const r = await s.call('demo_status', {});
        // the tool's first text line is its compact JSON
        return (r.structured ?? JSON.parse(r.text.split('\n')[0]!)) as { started: number; cancelled: number };
      };
      const before = await count();
      await s.cancel!(async () => {
        for (let i = 0; i < 100 && (await count()).started <= before.started; i++)
          await new Promise((r) => setTimeout(r, 30));
      });
      for (let i = 0; i < 100 && (await count()).cancelled <= before.cancelled; i++)
        await new Promise((r) => setTimeout(r, 30));
      expect((await count()).cancelled).toBeGreaterThan(before.cancelled);
    });
  });
}

/** Text of a prompt's messages. */
export function promptText(messages: { content: { type: string; text?: string } }[]): string {
  return messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
}

/** A CallToolResult's text and images. */
export function fromContent(value: unknown): Called {
  const result = value as { content?: unknown; structuredContent?: unknown; isError?: unknown };
  const content = (result.content ?? []) as { type: string; text?: string; data?: string }[];
  return {
    text: content
      .filter((c) => c.type === 'text')
      .map((c) => c.text)
      .join('\n'),
    images: content.filter((c) => c.type === 'image').map((c) => Buffer.from(c.data!, 'base64')),
    structured: result.structuredContent as Record<string, unknown> | undefined,
    isError: Boolean(result.isError),
  };
}
