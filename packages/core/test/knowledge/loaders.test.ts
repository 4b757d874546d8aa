import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusal } from '../../src/knowledge/loaders/address.js';
import { fetchUrl, loadBytes, SkipError } from '../../src/knowledge/loaders/index.js';
import { makePdf } from './pdf.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('loaders', () => {
  it('reads PDF text with unpdf', async () => {
    const source = await loadBytes(makePdf('Hello from a PDF about glaciers'), 'report.pdf');
    expect(source.mimeType).toBe('application/pdf');
    expect(source.docs[0].text).toContain('Hello from a PDF about glaciers');
    await expect(loadBytes(enc('%PDF-1.4 garbage'), 'bad.pdf')).rejects.toMatchObject({ reason: 'parse error' });
  });

  it('turns HTML headings into a heading structure and drops scripts', async () => {
    const source = await loadBytes(
      enc('<h1>Top</h1><p>One</p><h2>Sub</h2><p>Two <b>bold</b></p><script>evil()</script>'),
      'x.html',
    );
    expect(source.docs[0].text).toBe('# Top\n\nOne\n\n## Sub\n\nTwo bold');
    expect(source.docs[0].markdown).toBe(true);
  });

  it('reads JSON arrays, wrapped arrays and JSONL; non-BEIR objects become key: value text', async () => {
    const arr = await loadBytes(enc('[{"id": 7, "name": "Ada", "role": "engineer"}]'), 'people.json');
    expect(arr.docs[0]).toMatchObject({ docId: '7', title: 'Ada', text: 'role: engineer' });
    const wrapped = await loadBytes(enc('{"data": [{"text": "alpha"}, {"text": "beta"}]}'), 'w.json');
    expect(wrapped.docs.map((d) => d.text)).toEqual(['alpha', 'beta']);
    await expect(loadBytes(enc('{"_id":"a","text":"x"}\nnot json\n'), 'c.jsonl')).rejects.toMatchObject({
      reason: 'parse error',
    });
  });

  it('reads CSV rows and rejects unsupported or binary content', async () => {
    const csv = await loadBytes(enc('title,text\nA,"first, quoted"\nB,second\n'), 'rows.csv');
    expect(csv.docs.map((d) => `${d.title}:${d.text}`)).toEqual(['A:first, quoted', 'B:second']);
    await expect(loadBytes(enc('x'), 'photo.jpg')).rejects.toMatchObject({ reason: 'unsupported type' });
    await expect(loadBytes(new Uint8Array([1, 0, 2]), 'notes.txt')).rejects.toMatchObject({ reason: 'parse error' });
    await expect(loadBytes(new Uint8Array(), 'notes.txt')).rejects.toBeInstanceOf(SkipError);
  });
});

describe('URL fetching', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<title>Page</title><p>Served over HTTP</p>');
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(5000));
      } else if (req.url === '/hop') {
        res.writeHead(302, { location: '/page' });
        res.end();
      } else if (req.url?.startsWith('/to?')) {
        res.writeHead(302, { location: decodeURIComponent(req.url.slice(4)) });
        res.end();
      } else if (req.url === '/chunked') {
        // no declared length: the cap applies while streaming
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 50; i++) res.write('x'.repeat(100));
        res.end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 3000);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const local = { allowPrivate: true };

  it('fetches and types a page by its content type', async () => {
    const page = await fetchUrl(`${base}/page`, local);
    const source = await loadBytes(page.bytes, page.name, page.mimeType);
    expect(source.title).toBe('Page');
    expect(source.docs[0].text).toContain('Served over HTTP');
  });

  it('enforces the size cap, the timeout and HTTP errors as skip reasons', async () => {
    await expect(fetchUrl(`${base}/big`, { ...local, maxBytes: 1000 })).rejects.toMatchObject({ reason: 'too large' });
    await expect(fetchUrl(`${base}/slow`, { ...local, timeoutMs: 200 })).rejects.toMatchObject({
      reason: 'fetch error',
      message: 'timed out after 200 ms',
    });
    await expect(fetchUrl(`${base}/missing`, local)).rejects.toMatchObject({
      reason: 'fetch error',
      message: 'HTTP 404',
    });
  });

  it('follows redirects within the limit and names the final file', async () => {
    const page = await fetchUrl(`${base}/hop`, local);
    expect(page.name).toBe('page');
    await expect(fetchUrl(`${base}/hop`, { ...local, maxRedirects: 0 })).rejects.toMatchObject({
      message: 'more than 0 redirects',
    });
  });

  it('refuses loopback addresses by default, by IP literal and by name', async () => {
    await expect(fetchUrl(`${base}/page`)).rejects.toMatchObject({
      reason: 'fetch error',
      message: expect.stringMatching(/^refused 127\.0\.0\.1:\d+: it resolves to 127\.0\.0\.1, a loopback address/),
    });
    const port = new URL(base).port;
    await expect(fetchUrl(`http://localhost:${port}/page`)).rejects.toMatchObject({
      message: expect.stringMatching(/^refused localhost:\d+: it resolves to (127\.0\.0\.1|::1), a loopback address/),
    });
    await expect(fetchUrl('http://[::ffff:169.254.169.254]/latest/meta-data/')).rejects.toMatchObject({
      message: expect.stringContaining('link-local (cloud metadata)'),
    });
    await expect(fetchUrl('file:///etc/passwd')).rejects.toMatchObject({
      message: 'refused file: URL: only http and https are fetched',
    });
  });

  it('checks every redirect: an allowed host cannot bounce the fetch to a private one', async () => {
    const other = createServer((_req, res) => res.end('secret'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/admin`;
    try {
      const allowedHosts = [new URL(base).host];
      expect((await fetchUrl(`${base}/hop`, { allowedHosts })).name).toBe('page');
      await expect(fetchUrl(`${base}/to?${encodeURIComponent(otherUrl)}`, { allowedHosts })).rejects.toMatchObject({
        message: expect.stringMatching(/^refused 127\.0\.0\.1:\d+: it resolves to 127\.0\.0\.1, a loopback/),
      });
      await expect(
        fetchUrl(`${base}/to?${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`, { allowedHosts }),
      ).rejects.toMatchObject({ message: expect.stringContaining('link-local (cloud metadata)') });
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('caps a body without a declared length while streaming', async () => {
    await expect(fetchUrl(`${base}/chunked`, { ...local, maxBytes: 1000 })).rejects.toMatchObject({
      reason: 'too large',
    });
  });
});

describe('address rules', () => {
  it('tells private, loopback, link-local and metadata addresses from public ones', () => {
    expect(addressRefusal('10.1.2.3')).toBe('private');
    expect(addressRefusal('172.31.0.1')).toBe('private');
    expect(addressRefusal('192.168.1.1')).toBe('private');
    expect(addressRefusal('100.100.100.200')).toBe('shared (carrier-grade NAT)');
    expect(addressRefusal('0.0.0.0')).toBe('unspecified');
    expect(addressRefusal('::1')).toBe('loopback');
    expect(addressRefusal('fd00:ec2::254')).toBe('private (unique local)');
    expect(addressRefusal('fe80::1')).toBe('link-local');
    expect(addressRefusal('::ffff:7f00:1')).toBe('loopback');
    expect(addressRefusal('64:ff9b::a9fe:a9fe')).toBe('link-local (cloud metadata)');
    expect(addressRefusal('93.184.216.34')).toBeUndefined();
    expect(addressRefusal('2606:4700::1111')).toBeUndefined();
    expect(addressRefusal('172.32.0.1')).toBeUndefined();
  });
});
