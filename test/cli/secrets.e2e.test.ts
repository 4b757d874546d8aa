import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { outcome, runHearth, startHearth, waitForOutput, workDir } from './hearth.js';

/**
 * Issue 14, item 7: one source of secrets. Canary tokens set in the environment, in `.env` and for
 * an external MCP server (`envFrom`) never reach the log file, stderr or crash output, even when
 * the server prints them and when a crash message quotes them.
 */
describe('secrets never reach logs, stderr or crash output', () => {
  const envCanary = 'canary-env-7Hq2xL9w'; // OPENAI_API_KEY in the environment
  const dotenvCanary = 'canary-dotenv-Jm4pR8s'; // HF_TOKEN in .env
  const serverCanary = 'canary-server-Wz6tN3v'; // SERVER_PASS in .env, given to an external MCP server
  const looseCanary = 'canary-loose-Kd5yB1c'; // LEAKY_VALUE in the environment, given to the server
  const canaries = [envCanary, dotenvCanary, serverCanary, looseCanary];

  /** A folder with .env and a config naming an external stdio server that prints what it gets. */
  function setup(): string {
    const cwd = workDir();
    writeFileSync(join(cwd, '.env'), `HF_TOKEN=${dotenvCanary}\nSERVER_PASS=${serverCanary}\n`);
    writeFileSync(
      join(cwd, 'hearth.config.json'),
      JSON.stringify({
        plugins: { firstParty: false },
        mcp: {
          servers: [
            {
              name: 'leaky',
              command: process.execPath,
              args: [fileURLToPath(new URL('./fixtures/leaky-server.mjs', import.meta.url))],
              envFrom: { A: 'OPENAI_API_KEY', B: 'HF_TOKEN', C: 'SERVER_PASS', D: 'LEAKY_VALUE' },
              timeoutMs: 5000,
            },
          ],
        },
      }),
    );
    return cwd;
  }
  const env = { OPENAI_API_KEY: envCanary, LEAKY_VALUE: looseCanary };

  it("redacts an external server's stderr and errors in the log file and on stderr", async () => {
    const cwd = setup();
    // stdio MCP with stdin closed: starts (connecting the external server), then ends
    const run = await runHearth(['--verbose', 'mcp'], { cwd, env });
    const log = join(cwd, '.hearth', 'logs', 'hearth.log');
    expect(existsSync(log)).toBe(true);
    const file = readFileSync(log, 'utf8');
    // the server got every value (including those from .env) and printed it: lengths prove it
    for (const [v, c] of [
      ['A', envCanary],
      ['B', dotenvCanary],
      ['C', serverCanary],
      ['D', looseCanary],
    ] as const)
      expect(file).toContain(`${v}=[redacted] len=${c.length}`);
    for (const c of canaries) {
      expect(file).not.toContain(c);
      expect(run.stderr).not.toContain(c);
      expect(run.stdout).not.toContain(c);
    }
    expect(run.stderr).toContain('[redacted]');
  }, 120_000);

  it('redacts a crash and a failed command, with secrets from the environment and from .env', async () => {
    const cwd = setup();
    // a config module whose promise rejection nobody handles: the crash path
    writeFileSync(
      join(cwd, 'hearth.config.ts'),
      `Promise.reject(new Error('crash quoting ${envCanary} and ${dotenvCanary}'));\nexport default {};\n`,
    );
    const crash = await runHearth(['--verbose', '--config', 'hearth.config.ts', 'sources', 'list'], { cwd, env });
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain('crash quoting [redacted] and [redacted]');
    // a config file that does not parse: the error quotes the file, which quotes a token
    writeFileSync(join(cwd, 'broken.json'), `{ "dataDir": ${dotenvCanary} }`);
    const failed = await runHearth(['--config', 'broken.json', 'search', 'x'], { cwd, env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^hearth: Cannot read .*broken\.json/);
    for (const c of [envCanary, dotenvCanary]) {
      expect(crash.stderr).not.toContain(c);
      expect(failed.stderr).not.toContain(c);
    }
  }, 120_000);

  it("an MCP principal's token set in .env authenticates, and never shows in logs", async () => {
    const cwd = workDir();
    const token = 'canary-principal-Qe8vT2m';
    writeFileSync(join(cwd, '.env'), `AGENT_BEARER=${token}\n`);
    writeFileSync(
      join(cwd, 'hearth.config.json'),
      JSON.stringify({
        plugins: { firstParty: false },
        mcp: { principals: [{ name: 'agent', tokenEnv: 'AGENT_BEARER', permissions: ['knowledge:read'] }] },
      }),
    );
    const child = startHearth(['--verbose', 'mcp', '--http', '127.0.0.1:0'], { cwd });
    const out = outcome(child);
    try {
      const [, url] = await waitForOutput(out.stderr, /Hearth MCP server at (\S+)/);
      const connect = async (bearer?: string) => {
        const client = new Client({ name: 'token-test', version: '1.0.0' });
        const headers: Record<string, string> = bearer ? { Authorization: `Bearer ${bearer}` } : {};
        await client.connect(new StreamableHTTPClientTransport(new URL(url as string), { requestInit: { headers } }));
        return client;
      };
      await expect(connect()).rejects.toThrow(/401|Unauthorized/);
      const client = await connect(token);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('search_knowledge');
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
    const run = await out;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain(token);
    expect(readFileSync(join(cwd, '.hearth', 'logs', 'hearth.log'), 'utf8')).not.toContain(token);
  }, 120_000);
});
