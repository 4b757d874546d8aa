/**
 * Fuzz target: MCP JSON-RPC over Streamable HTTP against a real `startMcpHttp` (the server behind
 * `hearth mcp --http`) with the real built-in tools over a real LanceDB knowledge store: malformed
 * frames, wrong types, huge values, batches, wrong headers and methods.
 */
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { configSchema, createLogger, type HearthConfig, Redactor, ToolRegistry } from '@hearth/core';
import fc from 'fast-check';
import { type McpHttpServer, startMcpHttp } from '../../../packages/bot/src/mcp/index.js';
import { registerBuiltinTools } from '../../../packages/core/src/builtins/index.js';
import { scriptedEngine } from '../../mcp/fixtures/hearth.js';
import { type FuzzOptions, type FuzzReport, fuzz, invariant } from '../lib.js';
import { fingerprint, seededStore } from '../stores.js';

const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'sampling/createMessage',
  'nope/unknown',
  '',
  '__proto__',
];
const TOOLS = ['search_knowledge', 'ask', 'add_knowledge', 'remove_knowledge', 'list_plugins', 'missing_tool', ''];
const huge = fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'x'.repeat(n));
const value = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: huge, weight: 1 },
  {
    arbitrary: fc.constantFrom(
      -1,
      0,
      1e308,
      -1e308,
      '',
      'hearth://knowledge/x',
      'hearth://artifacts/..%2f..%2fetc%2fpasswd',
      '../../etc/passwd',
      null,
    ),
    weight: 2,
  },
);
const params = fc.oneof(
  fc.record(
    {
      name: fc.constantFrom(...TOOLS),
      arguments: fc.oneof(
        fc.dictionary(
          fc.constantFrom('query', 'k', 'question', 'title', 'text', 'source_id', 'file', 'conversation'),
          value,
          { maxKeys: 4 },
        ),
        value,
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      uri: value,
      name: value,
      level: value,
      ref: value,
      argument: value,
      protocolVersion: value,
      capabilities: value,
      clientInfo: value,
    },
    { requiredKeys: [] },
  ),
  value,
);
const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 10 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.double(),
  fc.jsonValue({ maxDepth: 1 }),
);
const frame = fc.record(
  {
    jsonrpc: fc.oneof({ arbitrary: fc.constant('2.0'), weight: 5 }, { arbitrary: value, weight: 1 }),
    id,
    method: fc.oneof({ arbitrary: fc.constantFrom(...METHODS), weight: 5 }, { arbitrary: value, weight: 1 }),
    params,
  },
  { requiredKeys: ['jsonrpc', 'method'] },
);
const body = fc.oneof(
  { arbitrary: frame.map((f) => JSON.stringify(f)), weight: 6 },
  { arbitrary: fc.array(frame, { maxLength: 5 }).map((f) => JSON.stringify(f)), weight: 2 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 300 }), weight: 1 },
  { arbitrary: frame.map((f) => JSON.stringify(f).slice(0, -3)), weight: 1 },
  { arbitrary: fc.constant(`{"jsonrpc":"2.0","id":1,"method":"ping","params":${'['.repeat(5000)}`), weight: 1 },
);

/** One HTTP request: method, headers and body. */
export const mcpRequest = fc.record({
  method: fc.oneof(
    { arbitrary: fc.constant('POST'), weight: 12 },
    { arbitrary: fc.constantFrom('GET', 'DELETE', 'PUT', 'OPTIONS'), weight: 1 },
  ),
  contentType: fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 8 },
    {
      arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', '', 'multipart/form-data'),
      weight: 1,
    },
  ),
  accept: fc.oneof(
    { arbitrary: fc.constant('application/json, text/event-stream'), weight: 8 },
    { arbitrary: fc.constantFrom('application/json', 'text/event-stream', '*/*', ''), weight: 1 },
  ),
  session: fc.oneof(
    { arbitrary: fc.constant('valid'), weight: 8 },
    { arbitrary: fc.constantFrom('none', 'random', 'huge'), weight: 1 },
  ),
  protocol: fc.oneof(
    { arbitrary: fc.constant('2025-06-18'), weight: 8 },
    { arbitrary: fc.constantFrom('1999-01-01', 'x', ''), weight: 1 },
  ),
  body,
});
type McpCase = typeof mcpRequest extends fc.Arbitrary<infer T> ? T : never;

const ALLOWED = new Set([200, 202, 400, 404, 405, 406, 413, 415, 429, 503]);

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const type = String(res.headers['content-type'] ?? '');
      // a GET opens the standalone SSE stream, which stays open: the status says enough
      if (method === 'GET' && res.statusCode === 200) {
        res.destroy();
        return resolve({ status: 200, type, body: '' });
      }
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type, body: data }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('no response in 15 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The JSON messages of a response: the JSON body, or each SSE `data:` line. */
function messages(type: string, body: string): unknown[] {
  if (!body.trim()) return [];
  if (type.includes('text/event-stream')) {
    return body
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }
  if (type.includes('json')) return [JSON.parse(body)];
  return [];
}

/** Starts the server, runs the cases and checks the store afterwards. */
export async function fuzzMcp(options: FuzzOptions): Promise<FuzzReport> {
  const { store, dataDir } = await seededStore();
  const config = {
    ...configSchema.parse({
      dataDir,
      mcp: {
        rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
        http: { maxBodyBytes: 256 * 1024, maxSessions: 100_000 },
      },
    }),
    secrets: {},
  } as HearthConfig;
  const redactor = new Redactor();
  const log = createLogger({ level: 'silent', redactor, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const registry = new ToolRegistry();
  const engine = scriptedEngine(store as never);
  registerBuiltinTools({ registry, engine, knowledge: store, plugins: { list: () => [] } });
  const before = await fingerprint(store);
  let server: McpHttpServer | undefined;
  try {
    server = await startMcpHttp(
      { config, log, redactor, registry, knowledge: store, engine },
      { port: 0, maxSessionsPerPrincipal: 100_000 },
    );
    const url = server.url;
    const base = {
      Accept: 'application/json, text/event-stream',
      'Content-Type': 'application/json',
      'MCP-Protocol-Version': '2025-06-18',
    };
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    });
    /** A fresh session that answers tools/list: the server is still healthy. */
    const healthy = async (): Promise<string> => {
      const r = await new Promise<{ status: number; session: string }>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: base }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, session: String(res.headers['mcp-session-id'] ?? '') }),
          );
        });
        req.on('error', reject);
        req.end(init);
      });
      invariant(r.status === 200 && r.session, `initialize failed after fuzzing: HTTP ${r.status}`);
      await send(
        url,
        'POST',
        { ...base, 'Mcp-Session-Id': r.session },
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      );
      const list = await send(
        url,
        'POST',
        { ...base, 'Mcp-Session-Id': r.session },
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      );
      invariant(
        list.status === 200 && list.body.includes('search_knowledge'),
        `tools/list failed: HTTP ${list.status}`,
      );
      return r.session;
    };
    let session = await healthy();
    let n = 0;
    const check = async (c: McpCase): Promise<string> => {
      if (++n % 200 === 0) session = await healthy();
      const headers: Record<string, string> = { 'MCP-Protocol-Version': c.protocol };
      if (c.contentType) headers['Content-Type'] = c.contentType;
      if (c.accept) headers.Accept = c.accept;
      if (c.session === 'valid') headers['Mcp-Session-Id'] = session;
      else if (c.session === 'random') headers['Mcp-Session-Id'] = 'f00dfeed-0000-4000-8000-000000000000';
      else if (c.session === 'huge') headers['Mcp-Session-Id'] = 'a'.repeat(8000);
      const r = await send(url, c.method, headers, c.method === 'GET' || c.method === 'DELETE' ? undefined : c.body);
      invariant(r.status !== 500 && ALLOWED.has(r.status), `HTTP ${r.status}: ${r.body.slice(0, 300)}`);
      invariant(!/\n\s+at .+:\d+:\d+/.test(r.body), `a stack trace in the response: ${r.body.slice(0, 300)}`);
      let parsed: unknown[];
      try {
        parsed = messages(r.type, r.body);
      } catch {
        throw new Error(`HTTP ${r.status} with an unparseable ${r.type} body: ${r.body.slice(0, 200)}`);
      }
      for (const m of parsed.flat()) {
        const msg = m as {
          error?: { code?: unknown; message?: unknown };
          result?: { isError?: boolean; content?: { text?: string }[] };
        };
        if (msg.error) {
          invariant(
            typeof msg.error.code === 'number' && typeof msg.error.message === 'string' && msg.error.message.length > 0,
            `an unclear JSON-RPC error: ${JSON.stringify(msg.error).slice(0, 200)}`,
          );
        }
        if (msg.result?.isError) {
          const text = msg.result.content?.map((x) => x.text ?? '').join(' ') ?? '';
          invariant(
            text.trim() && !/\[object Object\]|Cannot read propert|is not a function/.test(text),
            `an unclear tool error: ${text.slice(0, 200)}`,
          );
        }
      }
      if (c.method === 'DELETE' && r.status === 200) session = await healthy();
      const error = (parsed.flat()[0] as { error?: { code: number; message: string } } | undefined)?.error;
      // params failing the SDK's own schemas come back as -32602 with a sentence (they were -32603
      // with the raw zod issues); any internal error now is a crash
      invariant(error?.code !== -32603, `internal error: ${error?.message.slice(0, 300)}`);
      if (error?.code === -32602)
        invariant(
          error.message.trim() !== '' && !/^\s*\[\s*\{/.test(error.message),
          `invalid params without a sentence: ${error.message.slice(0, 300)}`,
        );
      return error ? `http ${r.status} rpc ${error.code}` : `http ${r.status}`;
    };
    const report = await fuzz('MCP JSON-RPC over HTTP', mcpRequest, check, { timeoutMs: 20_000, ...options });
    await healthy();
    const after = await fingerprint(store);
    report.stores = { before, after, intact: before === after };
    return report;
  } finally {
    await server?.close();
    await store.close();
  }
}
