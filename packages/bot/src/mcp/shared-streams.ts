import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { RedisSessionStore, SessionEvent } from './session-store.js';
import { KEEPALIVE_MS, openEventStream } from './sse-streams.js';

/**
 * A session's GET streams when sessions live in Redis: the unsolicited messages of the session
 * (list changes, resource updates, log messages outside a request), produced on whichever instance
 * runs that part of the session, are numbered and kept in Redis and published; the instance holding
 * the client's GET stream writes them. A client reconnecting with `Last-Event-ID` to any instance
 * gets what it missed (the last 500 events). Same interface as the single-process `GetStreams`.
 */
export class SharedGetStreams {
  private readonly open: ServerResponse[] = [];

  constructor(
    private readonly store: RedisSessionStore,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Serves a GET stream of session `sessionId`, replaying after its `Last-Event-ID` when given. */
  async serve(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    if (!openEventStream(req, res, sessionId)) return;
    let written = Number(req.headers['last-event-id']);
    const replaying = Number.isInteger(written);
    if (!replaying) written = 0;
    // live events wait while the replay is read, so they go out in order and once
    let held: SessionEvent[] | undefined = replaying ? [] : undefined;
    const write = (e: SessionEvent) => {
      if (e.id <= written) return;
      written = e.id;
      res.write(`id: ${e.id}\nevent: message\ndata: ${e.data}\n\n`);
    };
    const unsubscribe = await this.store.subscribeEvents(sessionId, (e) => {
      if (held) held.push(e);
      // each message goes on one stream: this instance's oldest for the session
      else if (this.open[0] === res) write(e);
    });
    this.open.push(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    res.once('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      const i = this.open.indexOf(res);
      if (i !== -1) this.open.splice(i, 1);
    });
    if (held) {
      for (const e of await this.store.eventsAfter(sessionId, written)) write(e);
      for (const e of held) write(e);
      held = undefined;
    }
  }

  /** Takes the transport's unsolicited messages (those not tied to a request) onto Redis. */
  attach(transport: StreamableHTTPServerTransport): void {
    const send = transport.send.bind(transport);
    transport.send = async (message: JSONRPCMessage, options) => {
      if (options?.relatedRequestId !== undefined || !('method' in message)) return send(message, options);
      const id = transport.sessionId;
      if (id) await this.store.publishEvent(id, JSON.stringify(message)).catch(this.onError);
    };
  }

  /** Ends this instance's streams of the session (it is closing here). */
  closeAll(): void {
    for (const res of this.open.splice(0)) res.end();
  }
}
