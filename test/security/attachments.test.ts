import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configSchema } from '@hearth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAttachment } from '../../packages/bot/src/discord/commands/inputs.js';

// Hole 10: a Discord attachment was read whole before its size was checked.
const settings = configSchema.parse({ discord: { attachments: { maxBytes: 64 * 1024 } } }).discord;
const CHUNK = Buffer.alloc(64 * 1024, 120);
const TOTAL = 16 * 1024 * 1024;

let server: Server;
let base: string;
const sent: Record<string, number> = {};

/** Streams up to TOTAL bytes, counting what the socket accepted before the client hung up. */
function stream(res: import('node:http').ServerResponse, key: string): void {
  sent[key] = 0;
  const pump = () => {
    while (sent[key]! < TOTAL && !res.destroyed) {
      sent[key]! += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => {});
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(TOTAL) });
      stream(res, 'declared');
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      stream(res, 'chunked');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('small file');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

// Discord reports a size; a lying or changed file on the CDN must still be cut off at the limit.
const upload = (path: string) => ({ name: 'notes.txt', size: 100, contentType: 'text/plain', url: `${base}${path}` });

describe('Discord attachment downloads', () => {
  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    await expect(fetchAttachment(settings, upload('/declared'))).rejects.toThrow('"notes.txt" is larger than 64 KB.');
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.declared).toBeLessThan(TOTAL / 4);
  });

  it('stops a body without a declared length as soon as it passes the limit', async () => {
    await expect(fetchAttachment(settings, upload('/chunked'))).rejects.toThrow('"notes.txt" is larger than 64 KB.');
    await new Promise((r) => setTimeout(r, 100));
    expect(sent.chunked).toBeLessThan(TOTAL / 4);
  });

  it('downloads a file within the limit', async () => {
    const got = await fetchAttachment(settings, upload('/small'));
    expect(Buffer.from(got.data, 'base64').toString()).toBe('small file');
  });
});
