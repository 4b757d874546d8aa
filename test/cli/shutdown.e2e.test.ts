import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { outcome, REPO, runHearth, startHearth, waitForOutput, workDir } from './hearth.js';

/**
 * Issue 15, bug 5: once the local model has loaded, node-llama-cpp's proper-lockfile has installed
 * signal-exit@3, whose SIGTERM listener re-sends SIGTERM when it is the last listener. A server
 * that listened with `process.once` died with 143 before finishing in-flight work.
 */
describe('hearth mcp --http stops gracefully on SIGTERM', () => {
  const children: ReturnType<typeof startHearth>[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('finishes the answers in flight, then exits 0, after the chat model has been used', async () => {
    const cwd = workDir();
    const ingest = await runHearth(['ingest', `${REPO}/docs/mcp.md`], { cwd });
    expect(ingest.code, ingest.stderr).toBe(0);

    const child = startHearth(['mcp', '--http', '127.0.0.1:0'], { cwd });
    children.push(child);
    const out = outcome(child);
    const [, url] = await waitForOutput(out.stderr, /Hearth MCP server at (\S+)/);
    const client = new Client({ name: 'shutdown-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url as string)));
    const ask = (question: string) =>
      client.callTool({ name: 'ask', arguments: { question } }, undefined, { timeout: 30_000 }) as Promise<{
        isError?: boolean;
        content: { type: string; text?: string }[];
      }>;

    // loads the local model (and with it signal-exit)
    const first = await ask('How do I connect Claude Desktop to Hearth?');
    expect(first.isError).toBeFalsy();

    // a queue of answers: once the first of them is back, the others are in flight
    const questions = Array.from({ length: 12 }, (_, i) => `What does hearth mcp serve? (${i})`);
    const settled = questions.map((q) =>
      ask(q).then(
        (r) => r,
        (err: Error) => err,
      ),
    );
    await Promise.race(settled);
    child.kill('SIGTERM');
    const answers = await Promise.all(settled);
    const { code, signal, stderr } = await out;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('SIGTERM: finishing in-flight calls');
    for (const a of answers) {
      expect(a).not.toBeInstanceOf(Error);
      const r = a as Awaited<ReturnType<typeof ask>>;
      expect(r.isError).toBeFalsy();
      expect(r.content[0]?.text ?? '').not.toBe('');
    }
  }, 180_000);
});
