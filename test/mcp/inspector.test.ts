import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeUri, type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { REPO, STDIO_FIXTURE } from './client.js';
import { testHearth } from './fixtures/hearth.js';

const BIN = fileURLToPath(new URL('../node_modules/.bin/mcp-inspector', import.meta.url));

/** Runs the Inspector CLI; resolves with its exit code and parsed JSON output. */
function inspect(
  target: string[],
  args: string[],
): Promise<{ code: number; json: Record<string, unknown> | undefined; text: string }> {
  return new Promise((resolve) => {
    execFile(BIN, ['--cli', ...target, ...args], { timeout: 60_000, cwd: REPO }, (err, stdout, stderr) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(stdout);
      } catch {}
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, json, text: stdout + stderr });
    });
  });
}

describe.skipIf(!existsSync(BIN))(
  'MCP Inspector CLI 2.12.0 against Hearth (skipped: test/node_modules lacks @modelcontextprotocol/inspector)',
  () => {
    let server: McpHttpServer;
    const runs: Record<string, Awaited<ReturnType<typeof inspect>>> = {};
    // The Inspector takes seconds to start; its runs go in parallel, then each test reads one.
    beforeAll(async () => {
      const hearth = testHearth({ principals: [{ name: 'local', permissions: ['knowledge:read'] }] });
      const { sourceId } = await hearth.store.addText({
        title: 'Opening hours',
        text: 'The makerspace opens at 9.',
        uri: 'docs/hours.md',
      });
      server = await startMcpHttp(hearth, { port: 0 });
      const http = [server.url, '--transport', 'http'];
      const stdio = [process.execPath, '--conditions=hearth-source', '--import', 'tsx', STDIO_FIXTURE];
      const jobs: Record<string, [string[], string[]]> = {
        list: [http, ['--method', 'tools/list']],
        call: [http, ['--method', 'tools/call', '--tool-name', 'demo_echo', '--tool-arg', 'message=hello', 'times=2']],
        unknown: [http, ['--method', 'tools/call', '--tool-name', 'nope']],
        read: [http, ['--method', 'resources/read', '--uri', knowledgeUri(sourceId)]],
        prompt: [
          http,
          [
            '--method',
            'prompts/get',
            '--prompt-name',
            'grounded_answer',
            '--prompt-args',
            'question=When does it open?',
            'persona=teacher',
          ],
        ],
        stdio: [stdio, ['--method', 'tools/list']],
      };
      await Promise.all(
        Object.entries(jobs).map(async ([k, [target, args]]) => {
          runs[k] = await inspect(target, args);
        }),
      );
    }, 120_000);
    afterAll(() => server?.close());

    it('lists tools over HTTP', () => {
      const r = runs.list!;
      expect(r.code, r.text).toBe(0);
      const names = ((r.json?.tools ?? []) as { name: string }[]).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['ask', 'search_knowledge', 'demo_echo']));
    });

    it('calls a tool with arguments and gets structured content', () => {
      const r = runs.call!;
      expect(r.code, r.text).toBe(0);
      expect(r.json?.structuredContent).toEqual({ echoed: 'hello hello', length: 11 });
    });

    it('fails on an unknown tool', () => {
      expect(runs.unknown!.code).not.toBe(0);
      expect(runs.unknown!.text).toContain('nope');
    });

    it('reads a knowledge resource and gets a prompt with arguments', () => {
      expect(runs.read!.code, runs.read!.text).toBe(0);
      expect(JSON.stringify(runs.read!.json)).toContain('opens at 9');
      expect(runs.prompt!.code, runs.prompt!.text).toBe(0);
      expect(JSON.stringify(runs.prompt!.json)).toContain('persona: teacher');
    });

    it('lists tools over stdio, launching the server as a command', () => {
      const r = runs.stdio!;
      expect(r.code, r.text).toBe(0);
      expect(((r.json?.tools ?? []) as { name: string }[]).map((t) => t.name)).toContain('list_plugins');
    });
  },
);
