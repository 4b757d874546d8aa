import { StringDecoder } from 'node:string_decoder';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, JSONRPCMessageSchema, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { allowsBatches } from './version.js';

/** Largest line accepted from the client (the SDK's own stdio limit). */
const MAX_LINE = 10 * 1024 * 1024;

type Id = RequestId;
interface Batch {
  pending: Set<Id>;
  answers: JSONRPCMessage[];
}

/**
 * Newline-delimited JSON-RPC over stdin/stdout, like the SDK's `StdioServerTransport`, plus what it
 * drops silently: a JSON array (a batch) is answered as one array when the session's protocol
 * version has batches (2025-03-26), and with -32600 for each request otherwise; a line that is not
 * JSON gets -32700 and a malformed message -32600, so a client never waits for an answer that will
 * not come.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private buffer = '';
  // a chunk may end inside a multi-byte character
  private readonly decoder = new StringDecoder('utf8');
  private readonly batches = new Map<Id, Batch>();
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly stdout: NodeJS.WritableStream,
    /** The session's negotiated protocol version (undefined before initialize). */
    private readonly version: () => string | undefined,
  ) {}

  private readonly onData = (chunk: Buffer | string) => {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.buffer.length > MAX_LINE && !this.buffer.includes('\n')) {
      this.buffer = '';
      this.write(failure(null, -32600, `Message larger than ${MAX_LINE} bytes`));
      return;
    }
    let nl = this.buffer.indexOf('\n');
    while (nl !== -1) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.receive(line);
      nl = this.buffer.indexOf('\n');
    }
  };

  private readonly onError = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const id = 'id' in message && !('method' in message) ? message.id : undefined;
    const batch = id === undefined ? undefined : this.batches.get(id);
    if (!batch || id === undefined) return this.write(message);
    batch.answers.push(message);
    batch.pending.delete(id);
    this.batches.delete(id);
    if (batch.pending.size === 0) return this.write(batch.answers);
  }

  private receive(line: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      void this.write(failure(null, -32700, 'Parse error: the line is not JSON'));
      return;
    }
    if (!Array.isArray(raw)) {
      const parsed = JSONRPCMessageSchema.safeParse(raw);
      if (parsed.success) this.onmessage?.(parsed.data);
      else void this.write(failure(idOf(raw), -32600, 'Invalid Request: not a JSON-RPC 2.0 message'));
      return;
    }
    this.receiveBatch(raw);
  }

  private receiveBatch(items: unknown[]): void {
    const version = this.version();
    if (items.length === 0) {
      void this.write(failure(null, -32600, 'Invalid Request: empty batch'));
      return;
    }
    if (!version || !allowsBatches(version)) {
      const why = version
        ? `protocol version ${version} has no JSON-RPC batches (only 2025-03-26 does); send one message per line`
        : 'a batch cannot come before initialize';
      const errors = items.map(idOf).filter((id) => id !== null);
      void this.write(
        errors.length ? errors.map((id) => failure(id, -32600, `Invalid Request: ${why}`)) : failure(null, -32600, why),
      );
      return;
    }
    const batch: Batch = { pending: new Set(), answers: [] };
    const valid: JSONRPCMessage[] = [];
    for (const item of items) {
      const parsed = JSONRPCMessageSchema.safeParse(item);
      if (!parsed.success) {
        batch.answers.push(failure(idOf(item), -32600, 'Invalid Request: not a JSON-RPC 2.0 message'));
        continue;
      }
      valid.push(parsed.data);
      if ('method' in parsed.data && 'id' in parsed.data) {
        batch.pending.add(parsed.data.id);
        this.batches.set(parsed.data.id, batch);
      }
    }
    // a batch of notifications (and responses) only gets no answer, unless some entry was invalid
    if (batch.pending.size === 0 && batch.answers.length) void this.write(batch.answers);
    for (const m of valid) this.onmessage?.(m);
  }

  private write(message: JSONRPCMessage | JSONRPCMessage[]): Promise<void> {
    return new Promise((resolve) => {
      if (this.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }
}

function idOf(item: unknown): Id | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function failure(id: Id | null, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}
