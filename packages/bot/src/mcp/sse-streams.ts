import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** SSE comment sent on idle streams so proxies keep them open. */
export const KEEPALIVE_MS = 15_000;
/** Server messages kept per session for replay after a reconnect (Last-Event-ID). */
const KEEP_EVENTS = 500;

interface Sent {
  id: number;
  data: string;
  /** The stream it went out on; undefined while no stream was open. */
  stream?: number;
}

/**
 * A session's GET streams, which carry the server's unsolicited messages (list changes, resource
 * updates, log messages outside a request). The SDK's transport holds one such stream, answers a
 * second with 409 and writes no event ids; here a client may hold several, and each message:
 * - goes on exactly one open stream (the oldest), as the spec requires (no broadcast);
 * - carries an event id, and is kept (the last 500) so a client that reconnects with `Last-Event-ID`
 *   gets what it missed on that stream, and what was sent while no stream was open.
 */
export class GetStreams {
  private readonly open: { no: number; res: ServerResponse }[] = [];
  private readonly log: Sent[] = [];
  private nextStream = 1;
  private nextEvent = 1;

  /** Serves a GET stream of session `sessionId`, replaying after its `Last-Event-ID` when given. */
  serve(req: IncomingMessage, res: ServerResponse, sessionId: string): void {
    if (!openEventStream(req, res, sessionId)) return;
    const stream = { no: this.nextStream++, res };
    const last = Number(req.headers['last-event-id']);
    if (Number.isInteger(last)) this.replay(last, stream);
    this.open.push(stream);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    res.once('close', () => {
      clearInterval(keepalive);
      const i = this.open.indexOf(stream);
      if (i !== -1) this.open.splice(i, 1);
    });
  }

  /** Takes the transport's unsolicited messages (those not tied to a request) onto these streams. */
  attach(transport: StreamableHTTPServerTransport): void {
    const send = transport.send.bind(transport);
    transport.send = async (message: JSONRPCMessage, options) => {
      if (options?.relatedRequestId !== undefined || !('method' in message)) return send(message, options);
      const sent: Sent = { id: this.nextEvent++, data: JSON.stringify(message) };
      this.log.push(sent);
      if (this.log.length > KEEP_EVENTS) this.log.shift();
      const stream = this.open[0];
      if (stream) this.write(sent, stream);
    };
  }

  /** Ends every stream (the session is closing). */
  closeAll(): void {
    for (const { res } of this.open.splice(0)) res.end();
  }

  /**
   * What a stream that saw event `last` missed: later events of that same stream, and events sent
   * while no stream was open. Events of other streams were delivered there and are not repeated.
   */
  private replay(last: number, to: { no: number; res: ServerResponse }): void {
    const from = this.log.find((e) => e.id === last)?.stream;
    for (const e of this.log) if (e.id > last && (e.stream === undefined || e.stream === from)) this.write(e, to);
  }

  private write(e: Sent, to: { no: number; res: ServerResponse }): void {
    e.stream = to.no;
    to.res.write(`id: ${e.id}\nevent: message\ndata: ${e.data}\n\n`);
  }
}

/** Answers a GET stream request whose client does not accept text/event-stream. */
/**
 * Starts a session's GET event stream (200 with SSE headers), or answers 406 and returns false when
 * the client does not accept `text/event-stream`. Shared by the in-process and the Redis-backed streams.
 */
export function openEventStream(req: IncomingMessage, res: ServerResponse, sessionId: string): boolean {
  if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
    notAcceptable(res);
    return false;
  }
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'mcp-session-id': sessionId,
  });
  res.flushHeaders();
  return true;
}

function notAcceptable(res: ServerResponse): void {
  res.writeHead(406, { 'Content-Type': 'application/json' }).end(
    JSON.stringify({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Not Acceptable: Client must accept text/event-stream' },
      id: null,
    }),
  );
}
