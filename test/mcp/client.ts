/** Connects the SDK's Client to Hearth over stdio (a child process) or Streamable HTTP, recording notifications. */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const STDIO_FIXTURE = fileURLToPath(new URL('./fixtures/stdio-server.ts', import.meta.url));

/** A connected client and what the server sent it unprompted. */
export interface Connected {
  client: Client;
  seen: { method: string; params?: Record<string, unknown> }[];
  /** Resolves when a notification with `method` has arrived (now or later). */
  waitFor(method: string, match?: (params: Record<string, unknown> | undefined) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Connects over `kind`: stdio spawns the fixture server as `principal`; http uses `url` and `token`. */
export async function connect(
  kind: 'stdio' | 'http',
  target: { principal?: string; url?: string; token?: string },
): Promise<Connected> {
  const client = new Client({ name: 'hearth-test', version: '1.0.0' });
  const seen: Connected['seen'] = [];
  const waiters: {
    method: string;
    match?: (p: Record<string, unknown> | undefined) => boolean;
    resolve: () => void;
  }[] = [];
  const record = (n: { method: string; params?: Record<string, unknown> }) => {
    seen.push(n);
    for (const w of [...waiters]) {
      if (w.method === n.method && (!w.match || w.match(n.params))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  for (const schema of [
    LoggingMessageNotificationSchema,
    ToolListChangedNotificationSchema,
    ResourceListChangedNotificationSchema,
    ResourceUpdatedNotificationSchema,
  ]) {
    client.setNotificationHandler(schema, async (n) => record(n as never));
  }
  const transport =
    kind === 'stdio'
      ? new StdioClientTransport({
          command: process.execPath,
          args: [
            '--conditions=hearth-source',
            '--import',
            'tsx',
            STDIO_FIXTURE,
            ...(target.principal ? [target.principal] : []),
          ],
          cwd: REPO,
          stderr: 'inherit',
        })
      : new StreamableHTTPClientTransport(new URL(target.url!), {
          requestInit: target.token ? { headers: { Authorization: `Bearer ${target.token}` } } : undefined,
        });
  await client.connect(transport);
  return {
    client,
    seen,
    waitFor(method, match) {
      if (seen.some((n) => n.method === method && (!match || match(n.params)))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ method, match, resolve }));
    },
    close: () => client.close(),
  };
}
