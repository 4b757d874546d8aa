import { afterEach, describe, expect, it } from 'vitest';
import { startTeiServer, type TeiServer } from '../../../../test/servers/tei.js';
import { createEmbedder, HfEmbedder, LocalHashEmbedder } from '../../src/providers/embedders/index.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a: Float32Array) => Math.sqrt(cosine(a, a));

describe('local embedder', () => {
  it('is deterministic, normalised and puts related texts closer than unrelated ones', async () => {
    const e = await createEmbedder('local');
    expect(e.ref).toBe('local');
    expect(e.dimension).toBe(384);
    const [a, b, c, a2] = await e.embed([
      'mitochondrial dynamics in plant cells',
      'mitochondria of plant cells',
      'stock market prices fell',
      'mitochondrial dynamics in plant cells',
    ]);
    expect(norm(a)).toBeCloseTo(1, 5);
    expect([...a]).toEqual([...a2]);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.2);
  });

  it('weights rare words over stop words (Brown corpus idf)', async () => {
    const e = new LocalHashEmbedder();
    const [q, rare, common] = await e.embed(['the insulin of the', 'insulin', 'the of and']);
    expect(cosine(q, rare)).toBeGreaterThan(cosine(q, common));
  });

  it('knows its variants and rejects unknown references', async () => {
    expect((await createEmbedder('local:large')).dimension).toBe(768);
    expect((await createEmbedder('local:small')).ref).toBe('local:small');
    await expect(createEmbedder('local:nope')).rejects.toThrow(/Unknown local embedder variant "nope"/);
    await expect(createEmbedder('word2vec:x')).rejects.toThrow(/Unknown embedder reference/);
    const [empty] = await new LocalHashEmbedder().embed(['']);
    expect(empty.every((x) => x === 0)).toBe(true);
  });
});

describe('hf: embedder through InferenceClient.featureExtraction', () => {
  let server: TeiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const token = 'hf_SECRETtoken1234567890';

  it('embeds batches against a TEI-shaped endpoint, probing the dimension and sending the token', async () => {
    server = await startTeiServer({ dimension: 24 });
    const e = await createEmbedder('hf:sentence-transformers/all-MiniLM-L6-v2', {
      hfToken: token,
      endpointUrl: server.url,
    });
    expect(e.ref).toBe('hf:sentence-transformers/all-MiniLM-L6-v2');
    expect(e.dimension).toBe(24);
    const texts = Array.from({ length: 40 }, (_, i) => `text number ${i}`);
    const vectors = await e.embed(texts);
    expect(vectors).toHaveLength(40);
    expect(norm(vectors[7])).toBeCloseTo(1, 5);
    expect(server.requests.length).toBe(3); // probe + 32 + 8
    expect(server.requests[1].body.inputs).toHaveLength(32);
    expect(server.requests[1].authorization).toBe(`Bearer ${token}`);
  });

  it('mean-pools token-level output', async () => {
    server = await startTeiServer({ dimension: 8, tokenLevel: true });
    const e = await new HfEmbedder('org/model', { endpointUrl: server.url }).probe();
    expect(e.dimension).toBe(8);
    const [v] = await e.embed(['hello world']);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('retries 429, 500 and 503 a bounded number of times, then gives up with an error free of the token', async () => {
    server = await startTeiServer({ dimension: 8, failures: [429, 503] });
    const e = new HfEmbedder('org/model', { token, endpointUrl: server.url, maxRetries: 3 });
    expect(await e.embed(['recovered'])).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
    await server.close();

    server = await startTeiServer({ dimension: 8, failures: [503, 503, 503, 503, 503, 503] });
    const failing = new HfEmbedder('org/model', { token, endpointUrl: server.url, maxRetries: 2 });
    const error = await failing.embed(['x']).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/hf:org\/model embedding failed/);
    expect((error as Error).message).not.toContain(token);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry client errors and times out slow servers', async () => {
    server = await startTeiServer({ dimension: 8, failures: [422] });
    const e = new HfEmbedder('org/model', { endpointUrl: server.url, maxRetries: 3 });
    await expect(e.embed(['x'])).rejects.toThrow(/embedding failed/);
    expect(server.requests).toHaveLength(1);
    await server.close();

    server = await startTeiServer({ dimension: 8, delayMs: 2_000 });
    const slow = new HfEmbedder('org/model', { endpointUrl: server.url, timeoutMs: 200, maxRetries: 1 });
    await expect(slow.embed(['x'])).rejects.toThrow(/timed out after 200 ms/);
  });

  it('stops when the caller aborts', async () => {
    server = await startTeiServer({ dimension: 8, delayMs: 2_000 });
    const e = new HfEmbedder('org/model', { endpointUrl: server.url });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('user cancelled')), 100);
    await expect(e.embed(['x'], abort.signal)).rejects.toThrow(/cancelled|abort/i);
  });
});
