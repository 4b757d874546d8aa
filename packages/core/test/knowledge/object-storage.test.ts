/**
 * Object storage for the knowledge store: config validation, that `knowledge.uri` and `storageOptions` reach
 * LanceDB's connect (a local S3 stand-in records the request), and clear errors without credentials when
 * the bucket refuses or cannot be reached. No real object store is reachable from the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { connectLance, openKnowledgeStore } from '../../src/knowledge/index.js';
import { LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const root = mkdtempSync(join(tmpdir(), 'hearth-objstore-'));
const SECRET = 'wJalrXUtnFEMI-never-in-logs-K7MDENG';
const KEY_ID = 'AKIAHEARTHTESTKEY01';
let server: Server;
let endpoint: string;
const seen: { method?: string; url?: string; auth: string }[] = [];

beforeAll(async () => {
  // answers every request like a bucket that refuses these credentials
  server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method, url: req.url, auth: String(req.headers.authorization ?? '') });
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(root, { recursive: true, force: true });
});

const options = (extra: Record<string, string> = {}) => ({
  region: 'us-east-1',
  allow_http: 'true',
  aws_access_key_id: KEY_ID,
  aws_secret_access_key: SECRET,
  client_max_retries: '0',
  client_retry_timeout: '2s',
  connect_timeout: '2s',
  ...extra,
});

describe('knowledge.uri on object storage', () => {
  it('passes the uri and storageOptions to LanceDB: the request reaches the configured endpoint and bucket', async () => {
    seen.length = 0;
    const err = await connectLance({
      dir: join(root, 'a'),
      embedder: new LocalHashEmbedder(),
      uri: 's3://hearth-kb-bucket/prod/lancedb',
      storageOptions: options({ endpoint }),
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(seen.length).toBeGreaterThan(0);
    // path-style or virtual-host style: either way the bucket or prefix is in the request, signed with our key id
    expect(seen.some((r) => /hearth-kb-bucket|prod/.test(r.url ?? ''))).toBe(true);
    expect(seen.some((r) => r.auth.includes(KEY_ID))).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('cannot reach the LanceDB store at s3://hearth-kb-bucket');
    expect(message).not.toContain(SECRET);
  }, 30_000);

  it('an unreachable endpoint fails the store open with a clear error, without the secret', async () => {
    const started = Date.now();
    const err = await openKnowledgeStore({
      dir: join(root, 'b'),
      embedder: new LocalHashEmbedder(),
      uri: 's3://no-such-bucket/kb',
      storageOptions: options({ endpoint: 'http://127.0.0.1:9' }),
    }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^knowledge: cannot reach the LanceDB store at s3:\/\/no-such-bucket \(/);
    expect((err as Error).message).toContain('knowledge.storageOptions');
    expect((err as Error).message).not.toContain(SECRET);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('a folder uri works like the default (local disk)', async () => {
    const store = await openKnowledgeStore({
      dir: join(root, 'c'),
      embedder: new LocalHashEmbedder(),
      uri: join(root, 'elsewhere', 'lancedb'),
    });
    try {
      await store.addText({ title: 'Note', text: 'Object storage is optional.' });
      expect((await store.search('object storage')).length).toBe(1);
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('knowledge config', () => {
  const load = (knowledge: Record<string, unknown>, env: Record<string, string> = {}) =>
    loadConfig({ cwd: root, env, overrides: { knowledge } as never });

  it('defaults: local disk, no storage options, 5 s refresh; the knowledge writers go to the ingest queue', async () => {
    const config = await load({});
    expect(config.knowledge.uri).toBeUndefined();
    expect(config.knowledge.storageOptions).toEqual({});
    expect(config.knowledge.refreshSeconds).toBe(5);
    expect(config.jobs.queues).toEqual({ add_knowledge: 'ingest', remove_knowledge: 'ingest' });
  });

  it('accepts s3://, gs://, az:// and folders; refuses other schemes and credentials in the uri without echoing them', async () => {
    for (const uri of ['s3://b/p', 'gs://b/p', 'az://c/p', 's3+ddb://b/p', '/srv/hearth/lancedb'])
      expect((await load({ uri })).knowledge.uri).toBe(uri);
    await expect(load({ uri: 'http://example.com/x' })).rejects.toThrow(/knowledge\.uri.*s3:\/\//);
    const err = await load({ uri: `s3://${KEY_ID}:${SECRET}@bucket/kb` }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/knowledge\.uri.*must not contain credentials/);
    expect((err as Error).message).not.toContain(SECRET);
    await expect(load({ refreshSeconds: -1 })).rejects.toThrow(/knowledge\.refreshSeconds/);
  });

  it('credential-like storage options count as secrets (redacted in logs)', async () => {
    const config = await load({
      uri: 's3://b/kb',
      storageOptions: { region: 'eu-west-1', aws_secret_access_key: SECRET },
    });
    expect(Object.values(config.secrets.named ?? {})).toContain(SECRET);
    expect(Object.values(config.secrets.named ?? {})).not.toContain('eu-west-1');
  });
});
