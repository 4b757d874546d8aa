import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** SSE comment sent on idle extra streams so proxies keep them open. */
const KEEPALIVE_MS = 15_000;

/**
 * Several GET streams per session. The SDK's transport holds one standalone GET stream and answers
 * a second with 409, although the spec lets a client keep several. Further GET streams are held
 * here; each server message still goes on exactly one stream (the spec forbids broadcasting): the
 * SDK's stream while it is open, else the newest extra one.
 */
export class SseFanout {
  private primary = 0;
  private readonly extras: ServerResponse[] = [];

  /** True while a GET stream handed to the SDK transport is open. */
  primaryOpen(): boolean {
    return this.primary > 0;
  }

  /** Counts a GET request handed to the SDK until its response closes. */
  trackPrimary(res: ServerResponse): void {
    this.primary++;
    res.once('close', () => this.primary--);
  }

  /** Serves a further GET stream of session `sessionId`. */
  openExtra(req: IncomingMessage, res: ServerResponse, sessionId: string): void {
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
      res.writeHead(406, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Not Acceptable: Client must accept text/event-stream' },
          id: null,
        }),
      );
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'mcp-session-id': sessionId,
    });
    res.flushHeaders();
    this.extras.push(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    res.once('close', () => {
      clearInterval(keepalive);
      const i = this.extras.indexOf(res);
      if (i !== -1) this.extras.splice(i, 1);
    });
  }

  /** Routes the transport's unsolicited messages to an extra stream when the SDK's own is closed. */
  attach(transport: StreamableHTTPServerTransport): void {
    const send = transport.send.bind(transport);
    transport.send = async (message: JSONRPCMessage, options) => {
      const unsolicited = options?.relatedRequestId === undefined && 'method' in message;
      const extra = this.extras.at(-1);
      if (unsolicited && !this.primaryOpen() && extra) {
        extra.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
        return;
      }
      return send(message, options);
    };
  }

  /** Ends every extra stream (the session is closing). */
  closeAll(): void {
    for (const res of this.extras.splice(0)) res.end();
  }
}
