/**
 * A local HTTP server speaking the Hugging Face feature-extraction wire shape (as Text Embeddings Inference's
 * `/embed` and the HF router do): `POST` JSON `{ "inputs": string | string[], "parameters"?: {...} }`, answer a
 * nested number array, one vector per input (or one vector for a single string). Drive it with the real
 * `@huggingface/inference` client: `new InferenceClient(token, { endpointUrl: server.url })`.
 *
 * Vectors are deterministic bags of hashed words (dimension `dimension`), so similar texts get similar vectors.
 * `failures` answers the first requests with HTTP errors (e.g. [429, 500]); `delayMs` makes the server slow.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TeiServer {
  url: string;
  /** Every request: path, authorization header and parsed body. */
  requests: { path: string; authorization?: string; body: { inputs: string | string[]; parameters?: unknown } }[];
  close(): Promise<void>;
}

export interface TeiOptions {
  dimension?: number;
  /** HTTP statuses for the first requests, in order. */
  failures?: number[];
  delayMs?: number;
  /** Answer vectors per token (un-pooled, `[tokens][dim]` per input) instead of one per input. */
  tokenLevel?: boolean;
}

function hashVector(text: string, dimension: number): number[] {
  const v = new Array<number>(dimension).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimension] += 1;
  }
  return v;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startTeiServer(options: TeiOptions = {}): Promise<TeiServer> {
  const dimension = options.dimension ?? 16;
  const failures = [...(options.failures ?? [])];
  const requests: TeiServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      const body = JSON.parse(raw || '{}');
      requests.push({ path: req.url ?? '/', authorization: req.headers.authorization, body });
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const status = failures.shift();
      if (status) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `scripted failure ${status}`, error_type: 'Overloaded' }));
        return;
      }
      if (req.method !== 'POST' || body.inputs === undefined) {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'expected POST {"inputs": ...}' }));
        return;
      }
      const embed = (text: string) =>
        options.tokenLevel
          ? [hashVector(text, dimension), hashVector(`${text} token`, dimension)]
          : hashVector(text, dimension);
      const out = Array.isArray(body.inputs) ? body.inputs.map(embed) : embed(body.inputs);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: (error as Error).message }));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
