/**
 * bin/hearth.mjs, the launcher MCP client configs point at: started from an unrelated folder with
 * no pnpm or corepack on PATH (the documented `corepack pnpm --dir ...` config fetched "the latest
 * pnpm" there and crashed offline), it serves the real CLI's `hearth mcp` over stdio to the SDK client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './client.js';

describe('bin/hearth.mjs mcp, started from os.tmpdir() without pnpm', () => {
  const client = new Client({ name: 'launcher-test', version: '1.0.0' });
  let stderr = '';

  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(REPO, 'bin', 'hearth.mjs'), 'mcp'],
      cwd: tmpdir(),
      env: {
        // an empty PATH: neither pnpm nor corepack can be found, and the launcher needs neither
        PATH: mkdtempSync(join(tmpdir(), 'hearth-empty-path-')),
        HOME: tmpdir(),
        HEARTH_DATA_DIR: mkdtempSync(join(tmpdir(), 'hearth-launcher-')),
        HEARTH_LOG_LEVEL: 'warn',
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await client.connect(transport);
  }, 120_000);
  afterAll(() => client.close());

  it('initializes and lists the registry, plugins included', async () => {
    expect(client.getServerVersion()?.name).toBe('hearth');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names, stderr).toEqual(expect.arrayContaining(['ask', 'search_knowledge', 'list_plugins']));
    expect(names).toContain('diffusion_imagine');
  });

  it('calls a tool', async () => {
    const r = await client.callTool({ name: 'list_plugins', arguments: {} });
    expect(r.isError, stderr).toBeFalsy();
    expect(JSON.stringify(r.content)).toContain('diffusion');
  });
});
