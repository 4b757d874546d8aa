/**
 * Streamable HTTP, raw: a cancelled request's SSE stream closes, batches follow the session's
 * protocol version, a session may hold several GET streams, and one principal cannot take every
 * session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type McpHttpServer, startMcpHttp } from '../../packages/bot/src/mcp/index.js';
import { PRINCIPALS, testHearth } from './fixtures/hearth.js';

const TOKENS = { TEST_AGENT_TOKEN: 'agent-token-123456', TEST_READER_TOKEN: 'reader-token-123456' };

/** Resolves with `p`, or 'timeout' after `ms`. */
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

/** The `data:` lines of an SSE response as they arrive. */
function sse(res: Response) {
  const seen: string[] = [];
  const ids: string[] = [];
  const waiting: { match: string; resolve: () => void }[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const lines = decoder.decode(chunk).split('\n');
        for (const line of lines.filter((l) => l.startsWith('id:'))) ids.push(line.slice(3).trim());
        for (const line of lines.filter((l) => l.startsWith('data:'))) {
          seen.push(line);
          for (const w of waiting.filter((x) => line.includes(x.match))) w.resolve();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    seen,
    ids,
    next: (match: string) =>
      new Promise<void>((resolve) => {
        if (seen.some((l) => l.includes(match))) resolve();
        else waiting.push({ match, resolve });
      }),
  };
}

class RawSession {
  id = '';
  constructor(
    readonly url: string,
    readonly token: string,
    readonly version: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${this.token}`,
      ...(this.id ? { 'Mcp-Session-Id': this.id, 'Mcp-Protocol-Version': this.version } : {}),
      ...extra,
    };
  }

  post(body: unknown, signal?: AbortSignal): Promise<Response> {
    return fetch(this.url, { method: 'POST', headers: this.headers(), body: JSON.stringify(body), signal });
  }

  async open(): Promise<Response> {
    const res = await this.post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: this.version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    if (res.status !== 200) return res;
    this.id = res.headers.get('mcp-session-id')!;
    await res.text();
    await (await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' })).text();
    return res;
  }

  get(signal: AbortSignal): Promise<Response> {
    return fetch(this.url, { headers: this.headers({ Accept: 'text/event-stream' }), signal });
  }
}

describe('Streamable HTTP streams, batches and session caps', () => {
  let server: McpHttpServer;
  const stop = new AbortController();
  beforeAll(async () => {
    const hearth = testHearth({ ...PRINCIPALS, http: { maxSessions: 20 } });
    server = await startMcpHttp(hearth, { port: 0, env: TOKENS });
  });
  afterAll(async () => {
    stop.abort();
    await server.close();
  });

  it('closes the SSE stream of a request as soon as it is cancelled', async () => {
    const s = new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-06-18');
    await s.open();
    const call = await s.post({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'demo_slow', arguments: {} },
    });
    expect(call.headers.get('content-type')).toContain('text/event-stream');
    const body = call.text();
    await new Promise((r) => setTimeout(r, 200));
    const cancel = await s.post({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 5, reason: 'user stop' },
    });
    expect(cancel.status).toBe(202);
    const ended = await within(body, 3000);
    expect(ended, 'the stream of the cancelled request is still open').not.toBe('timeout');
    // and no response for the cancelled request was sent (the spec says so)
    expect(ended).not.toContain('"id":5');
  });

  it('keeps a batch stream open for the other requests when one of them is cancelled, then closes it', async () => {
    const s = new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-03-26');
    await s.open();
    const call = await s.post([
      { jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'demo_slow', arguments: {} } },
      { jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'demo_draw', arguments: { label: 'b' } } },
    ]);
    const body = call.text();
    await new Promise((r) => setTimeout(r, 200));
    await (await s.post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 20 } })).text();
    const ended = await within(body, 5000);
    expect(ended, 'the batch stream never closed').not.toBe('timeout');
    expect(ended).toContain('"id":21'); // demo_draw (1.2 s) still answered on it
    expect(ended).not.toContain('"id":20');
  });

  it('answers batches in a 2025-03-26 session and refuses them with -32600 in a 2025-06-18 one', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'demo_echo', arguments: { message: 'b' } } },
    ];
    const old = new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-03-26');
    await old.open();
    const ok = await old.post(batch);
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text).toContain('"id":1');
    expect(text).toContain('"id":2');

    const modern = new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-06-18');
    await modern.open();
    const refused = await modern.post(batch);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: -32600 } });
  });

  it('lets a session hold a second GET stream (no 409), and sends each message on one stream only', async () => {
    const s = new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-06-18');
    await s.open();
    const closeFirst = new AbortController();
    const first = await s.get(AbortSignal.any([stop.signal, closeFirst.signal]));
    const second = await s.get(stop.signal);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get('content-type')).toContain('text/event-stream');
    const [a, b] = [sse(first), sse(second)];
    const register = (name: string) =>
      s.post({
        jsonrpc: '2.0',
        id: name,
        method: 'tools/call',
        params: { name: 'demo_register', arguments: { name } },
      });
    await (await register('alpha')).text();
    expect(await within(a.next('tools/list_changed'), 2000)).not.toBe('timeout');
    closeFirst.abort();
    await new Promise((r) => setTimeout(r, 100));
    await (await register('beta')).text();
    expect(await within(b.next('tools/list_changed'), 2000)).not.toBe('timeout');
    expect(b.seen.filter((m) => m.includes('list_changed'))).toHaveLength(1); // not the first one too
  });

  it('numbers GET stream events and replays what a reconnecting stream missed (Last-Event-ID)', async () => {
    const s = new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-06-18');
    await s.open();
    const register = async (name: string) =>
      (
        await s.post({
          jsonrpc: '2.0',
          id: name,
          method: 'tools/call',
          params: { name: 'demo_register', arguments: { name } },
        })
      ).text();
    const drop = new AbortController();
    const first = sse(await s.get(AbortSignal.any([stop.signal, drop.signal])));
    await register('gamma');
    await within(first.next('tools/list_changed'), 2000);
    const ids = first.ids;
    expect(ids.length).toBeGreaterThan(0);
    drop.abort(); // the connection drops
    await new Promise((r) => setTimeout(r, 100));
    await register('delta'); // sent while no stream is open: kept
    const again = sse(
      await fetch(s.url, {
        headers: s.headers({ Accept: 'text/event-stream', 'Last-Event-ID': ids.at(-1)! }),
        signal: stop.signal,
      }),
    );
    expect(await within(again.next('tools/list_changed'), 2000)).not.toBe('timeout');
    expect(Number(again.ids[0])).toBeGreaterThan(Number(ids.at(-1)));
  });

  it('caps sessions per principal so one principal cannot lock the others out', async () => {
    // maxSessions 20 shared by the 2 principals holding tokens: 10 each
    const opened: Response[] = [];
    for (let i = 0; i < 12; i++)
      opened.push(await new RawSession(server.url, TOKENS.TEST_READER_TOKEN, '2025-06-18').open());
    const statuses = opened.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.at(-1)).toBe(503);
    expect(((await opened.at(-1)!.json()) as { error: { message: string } }).error.message).toMatch(
      /for principal "reader" \(limit 10 per principal\)/,
    );
    const agent = await new RawSession(server.url, TOKENS.TEST_AGENT_TOKEN, '2025-06-18').open();
    expect(agent.status).toBe(200);
  });
});
