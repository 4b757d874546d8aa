/**
 * A local HTTP server speaking the OpenAI `chat/completions` and `completions` wire protocol (JSON and
 * SSE streaming, tool calls) and Hugging Face's text-to-image endpoint, with scripted replies.
 * Drive it with the real `@huggingface/inference` client: `new InferenceClient(token, { endpointUrl: url })`
 * or a Hearth reference `openai:<model>@<url>/v1`.
 *
 * ```ts
 * const server = await startOpenAiServer({ script: [{ text: 'Hello' }, { toolCalls: [{ name: 'dice', arguments: { sides: 6 } }] }, { status: 429 }] });
 * // ... server.requests[0].body.messages ...
 * await server.close();
 * ```
 * Replies are used in order; when the script runs out the server echoes the last user message.
 * It never answers 503: @huggingface/inference retries a 503 forever.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

/** One scripted reply. Fields combine: e.g. `{ text: 'hi', delayMs: 500 }`. */
export interface ScriptedReply {
  /** Answer text. Streamed as `chunks` when given, else one chunk per word. */
  text?: string;
  chunks?: string[];
  /** Tool calls the model makes (arguments as an object or raw JSON text). */
  toolCalls?: { name: string; arguments: unknown; id?: string }[];
  finishReason?: string;
  /** An HTTP error with an OpenAI-style JSON body. 503 is refused. */
  status?: 400 | 401 | 403 | 404 | 422 | 429 | 500 | 502;
  message?: string;
  /** Retry-After header (seconds) on errors. */
  retryAfter?: number;
  /** Wait before answering (slow server). */
  delayMs?: number;
  /** Wait between streamed chunks. */
  chunkDelayMs?: number;
  /** Stream: close the connection after this many content chunks, without finish_reason or [DONE]. */
  truncateAfter?: number;
  /** Stream: send a line that is not JSON after the first chunk. */
  malformed?: boolean;
  /** Text-to-image: these bytes (default a small PNG). */
  image?: Uint8Array;
  /** Text-to-image: Content-Type of `image` (default image/png). */
  imageType?: string;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  stream: boolean;
}

export type Script = ScriptedReply[] | ((request: RecordedRequest, index: number) => ScriptedReply | undefined);

export interface OpenAiServer {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; OpenAI clients use `${url}/v1`. */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Appends replies to an array script. */
  push(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

/** An image a chat request carried as an OpenAI `image_url` part (a base64 data URL), decoded. */
export interface SeenImage {
  mimeType: string;
  bytes: Buffer;
  /** From the PNG header, for PNGs. */
  width?: number;
  height?: number;
}

/** The images of a chat request's user messages, in order. Remote (http) image URLs are not fetched. */
export function imagesOf(request: RecordedRequest): SeenImage[] {
  const out: SeenImage[] = [];
  for (const m of (request.body?.messages ?? []) as { role: string; content: unknown }[]) {
    if (m.role !== 'user' || !Array.isArray(m.content)) continue;
    for (const part of m.content as { type?: string; image_url?: { url?: string } }[]) {
      const match = part.type === 'image_url' ? /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url?.url ?? '') : null;
      if (!match) continue;
      const bytes = Buffer.from(match[2]!, 'base64');
      const png = bytes.subarray(1, 4).toString('latin1') === 'PNG';
      out.push({
        mimeType: match[1]!,
        bytes,
        ...(png ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : {}),
      });
    }
  }
  return out;
}

/** A message's text: a string, or the text parts of an OpenAI content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as { type?: string; text?: string }[])
    .filter((p) => p.type === 'text')
    .map((p) => p.text ?? '')
    .join('\n');
}

/**
 * Starts the server on a free port of 127.0.0.1. `vision: false` answers a request with image
 * parts with 400, as a text-only model server does.
 */
export async function startOpenAiServer(
  options: { script?: Script; model?: string; vision?: boolean } = {},
): Promise<OpenAiServer> {
  const queue: ScriptedReply[] = Array.isArray(options.script) ? [...options.script] : [];
  const scriptFn = typeof options.script === 'function' ? options.script : undefined;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: any = null;
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    try {
      body = raw.length && isJson ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8');
    } catch {
      body = raw.toString('utf8');
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      stream: Boolean(body?.stream),
    };
    requests.push(request);
    const reply = (scriptFn ? scriptFn(request, requests.length - 1) : queue.shift()) ?? {};
    if ((reply.status as number) === 503)
      throw new Error('the test server never answers 503 (the HF client would retry forever)');
    if (reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    if (reply.status) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      res.writeHead(reply.status, headers);
      res.end(
        JSON.stringify({
          error: { message: reply.message ?? defaultMessage(reply.status), type: 'error', code: reply.status },
        }),
      );
      return;
    }
    if (path.endsWith('/chat/completions') && options.vision === false && imagesOf(request).length) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: 'This model does not support image input.', type: 'invalid_request_error', code: 400 },
        }),
      );
      return;
    }
    if (path.endsWith('/chat/completions')) return chat(request, reply, res, options.model);
    if (path.endsWith('/completions')) return completion(request, reply, res);
    // anything else: an HF text-to-image endpoint, POST {inputs, parameters}
    res.writeHead(200, { 'content-type': reply.imageType ?? 'image/png' });
    res.end(Buffer.from(reply.image ?? tinyPng()));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    push: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function chat(
  request: RecordedRequest,
  reply: ScriptedReply,
  res: ServerResponse,
  model?: string,
): Promise<void> {
  const text = reply.text ?? (reply.toolCalls ? '' : `echo: ${lastUser(request.body)}`);
  const calls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${i + 1}`,
    type: 'function',
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  const finish = reply.finishReason ?? (calls.length ? 'tool_calls' : 'stop');
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const base = {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: model ?? request.body?.model ?? 'test',
  };
  const usage = {
    prompt_tokens: JSON.stringify(request.body?.messages ?? []).length >> 2,
    completion_tokens: text.length >> 2,
  };
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ...base,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: calls.length && !text ? null : text,
              ...(calls.length ? { tool_calls: calls } : {}),
            },
            finish_reason: finish,
          },
        ],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
  const delta = (d: unknown, finish_reason: string | null = null) =>
    send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: d, finish_reason }] });
  delta({ role: 'assistant', content: '' });
  const pieces = reply.chunks ?? (text ? (text.match(/\S+\s*|\s+/g) ?? [text]) : []);
  for (const [i, piece] of pieces.entries()) {
    if (reply.truncateAfter !== undefined && i >= reply.truncateAfter) return cut(res);
    if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    if (res.destroyed) return;
    delta({ content: piece });
    if (reply.malformed && i === 0) res.write('data: {"choices": [ this is not json\n\n');
  }
  if (reply.truncateAfter !== undefined) return cut(res);
  for (const [index, c] of calls.entries()) {
    // name first, arguments split in two fragments, as real servers stream them
    const args = c.function.arguments;
    const half = Math.floor(args.length / 2);
    delta({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] });
    delta({ tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] });
    delta({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] });
  }
  delta({}, finish);
  send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

/** Closes the connection mid-stream, after what was written reached the client. */
async function cut(res: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => res.write('', () => resolve()));
  await sleep(20);
  res.socket?.destroy();
}

function completion(request: RecordedRequest, reply: ScriptedReply, res: ServerResponse): void {
  const text = reply.text ?? `echo: ${String(request.body?.prompt ?? '')}`;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'cmpl-1',
      object: 'text_completion',
      choices: [{ index: 0, text, finish_reason: reply.finishReason ?? 'stop' }],
    }),
  );
}

function lastUser(body: any): string {
  const messages: { role: string; content: unknown }[] = body?.messages ?? [];
  return textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
}

function defaultMessage(status: number): string {
  return (
    {
      400: 'Bad request',
      401: 'Invalid API key',
      403: 'Forbidden',
      404: 'The model does not exist',
      422: 'Unprocessable',
      429: 'Rate limit reached',
      500: 'Internal server error',
      502: 'Bad gateway',
    }[status] ?? 'error'
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A valid 2x2 RGB PNG, built by hand so the server needs no image library. */
export function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}
