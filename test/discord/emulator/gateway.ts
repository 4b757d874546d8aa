import type { IncomingMessage } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/** One gateway session: its shard, sequence and the dispatches it was sent (for RESUME replay). */
interface Session {
  id: string;
  shard: [number, number];
  seq: number;
  sent: { s: number; t: string; d: unknown }[];
  socket?: WebSocket;
}

/** What the gateway needs from the emulator. */
export interface GatewayHost {
  token: string;
  resumeUrl(): string;
  ready(session: { id: string; shard: [number, number] }): unknown;
  guildCreates(shard: [number, number]): unknown[];
  /** Privileged intents the application may use (bits of the IDENTIFY `intents`). */
  allowedPrivilegedIntents(): number;
}

/** Privileged intents: GuildMembers, GuildPresences, MessageContent. */
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);

/**
 * Discord's gateway protocol (v10, JSON): HELLO, IDENTIFY -> READY and GUILD_CREATE, heartbeats
 * and ACKs, RESUME with replay of missed dispatches, RECONNECT, and close codes.
 */
export class Gateway {
  readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  /** Dispatch and opcode counters, for tests. */
  readonly stats = { identifies: 0, resumes: 0, heartbeats: 0 };
  private sessionCounter = 0;
  /**
   * When set, every IDENTIFY and RESUME is answered by closing with this code, as a gateway that
   * refuses the bot would (4004 bad token, 4014 disallowed intents, 4002 a payload it cannot decode).
   */
  closeWith: number | undefined;
  /** Every close the gateway sent, for tests. */
  readonly closesSent: number[] = [];

  constructor(private readonly host: GatewayHost) {
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Sends a dispatch to the session that owns `guildId` (by Discord's shard formula), or every session. */
  dispatch(t: string, d: unknown, guildId?: string): void {
    for (const session of this.sessions.values()) {
      if (guildId && Number((BigInt(guildId) >> 22n) % BigInt(session.shard[1])) !== session.shard[0]) continue;
      if (!guildId && session.shard[0] !== 0) continue; // DMs go to shard 0
      session.seq++;
      const payload = { op: 0, t, s: session.seq, d };
      session.sent.push(payload);
      if (session.sent.length > 5000) session.sent.shift();
      if (session.socket?.readyState === 1) session.socket.send(JSON.stringify(payload));
    }
  }

  /** Closes every connection with `code` (4000: resumable), as a network drop or Discord restart would. */
  disconnectAll(code = 4000): void {
    for (const s of this.sessions.values()) {
      s.socket?.close(code, 'emulator disconnect');
      s.socket = undefined;
    }
  }

  /** Asks every client to reconnect and resume (op 7). */
  requestReconnect(): void {
    for (const s of this.sessions.values()) s.socket?.send(JSON.stringify({ op: 7, d: null }));
  }

  get connected(): number {
    return [...this.sessions.values()].filter((s) => s.socket?.readyState === 1).length;
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private onConnection(socket: WebSocket): void {
    let session: Session | undefined;
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    socket.on('message', (raw) => {
      let msg: { op: number; d: any };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return socket.close(4002, 'Error while decoding payload.');
      }
      switch (msg.op) {
        case 1:
          this.stats.heartbeats++;
          return socket.send(JSON.stringify({ op: 11 }));
        case 2: {
          if (this.closeWith !== undefined) return this.refuse(socket, this.closeWith);
          if (session) return socket.close(4005, 'Already authenticated.');
          if (msg.d?.token !== this.host.token) return this.refuse(socket, 4004);
          const privileged = Number(msg.d?.intents ?? 0) & PRIVILEGED_INTENTS;
          if (privileged & ~this.host.allowedPrivilegedIntents()) return this.refuse(socket, 4014);
          const shard: [number, number] = msg.d.shard ?? [0, 1];
          if (shard[0] >= shard[1]) return socket.close(4010, 'Invalid shard.');
          this.stats.identifies++;
          session = { id: `session-${++this.sessionCounter}`, shard, seq: 0, sent: [], socket };
          // A new IDENTIFY for the same shard replaces the old session.
          for (const [id, s] of this.sessions)
            if (s.shard[0] === shard[0] && s.shard[1] === shard[1]) this.sessions.delete(id);
          this.sessions.set(session.id, session);
          this.send(session, 'READY', this.host.ready(session));
          for (const guild of this.host.guildCreates(shard)) this.send(session, 'GUILD_CREATE', guild);
          return;
        }
        case 6: {
          if (this.closeWith !== undefined) return this.refuse(socket, this.closeWith);
          const found = this.sessions.get(msg.d?.session_id);
          if (!found || msg.d?.token !== this.host.token) return socket.send(JSON.stringify({ op: 9, d: false }));
          this.stats.resumes++;
          session = found;
          found.socket = socket;
          for (const p of found.sent.filter((p) => p.s > (msg.d.seq ?? 0)))
            socket.send(JSON.stringify({ op: 0, ...p }));
          this.send(found, 'RESUMED', {});
          return;
        }
        default:
          return;
      }
    });
    socket.on('close', () => {
      if (session?.socket === socket) session.socket = undefined;
    });
  }

  private refuse(socket: WebSocket, code: number): void {
    this.closesSent.push(code);
    socket.close(code, 'emulator: refused');
  }

  private send(session: Session | undefined, t: string, d: unknown): void {
    if (!session) return;
    session.seq++;
    const payload = { op: 0, t, s: session.seq, d };
    session.sent.push(payload);
    session.socket?.send(JSON.stringify(payload));
  }
}
