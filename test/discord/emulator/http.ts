import type { IncomingMessage, ServerResponse } from 'node:http';

/** A parsed request body: JSON, or multipart with `payload_json` and `files[n]`. */
export interface ParsedBody {
  json: Record<string, any>;
  files: { field: string; name: string; type: string; data: Buffer }[];
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses JSON or multipart/form-data the way Discord does (payload_json plus files[n] parts). */
export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://emulator/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: raw,
    }).formData();
    const files: ParsedBody['files'] = [];
    let json: Record<string, any> = {};
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
        else json[field] = value;
      } else {
        files.push({ field, name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
      }
    }
    return { json, files };
  }
  if (!raw.length) return { json: {}, files: [] };
  if (!type.includes('application/json')) throw new HttpError(400, 50109, 'The request body contains invalid JSON.');
  try {
    return { json: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw new HttpError(400, 50109, 'The request body contains invalid JSON.');
  }
}

/** An error answered with Discord's JSON error shape `{ code, message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    /** Discord's per-field error tree (`{ "0": { "name": { "_errors": [...] } } }`) for 50035. */
    readonly errors?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    .end(text);
}
