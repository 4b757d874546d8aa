import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHearth, type Hearth } from '@hearth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleUi } from '../scripts/build-ui.js';
import { startWebConsole } from '../src/index.js';
import { checkHostAndOrigin, SessionBook } from '../src/server/auth.js';

const hosts = new Set(['127.0.0.1', 'localhost']);

describe('access rules', () => {
  it('accepts this server by Host and Origin and refuses others', () => {
    expect(checkHostAndOrigin({ host: '127.0.0.1:8787' }, hosts)).toBeUndefined();
    expect(checkHostAndOrigin({ host: 'localhost:1', origin: 'http://127.0.0.1:1' }, hosts)).toBeUndefined();
    expect(checkHostAndOrigin({ host: 'evil.example' }, hosts)).toBe('Host "evil.example" is not allowed');
    expect(checkHostAndOrigin({ host: '127.0.0.1', origin: 'http://evil.example' }, hosts)).toContain('Origin');
    expect(checkHostAndOrigin({ host: '127.0.0.1', origin: 'null' }, hosts)).toContain('null');
    expect(checkHostAndOrigin({}, hosts)).toBe('Missing Host header');
  });

  it('signs in only with a configured token; sessions expire; CSRF must match', () => {
    const book = new SessionBook([{ token: 'secret', user: { name: 'op', admin: true, permissions: [] } }], 1000);
    expect(book.userFor('secreT')).toBeUndefined();
    expect(book.userFor('secret')?.name).toBe('op');
    const s = book.open(book.userFor('secret')!, 0);
    expect(book.get(s.id, 999)?.user.name).toBe('op');
    expect(SessionBook.csrfMatches(s, s.csrf)).toBe(true);
    expect(SessionBook.csrfMatches(s, `${s.csrf}x`)).toBe(false);
    expect(SessionBook.csrfMatches(s, undefined)).toBe(false);
    expect(book.get(s.id, 1000)).toBeUndefined();
  });
});

describe('startWebConsole', () => {
  let hearth: Hearth;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-web-unit-'));
    hearth = await createHearth({
      cwd: dir,
      env: {},
      skipPlugins: true,
      overrides: { dataDir: dir, logLevel: 'silent', knowledge: { ingestDocsOnStart: false } },
    });
  }, 60_000);
  afterAll(async () => {
    await hearth?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a non-loopback address without a token, and a console nobody could enter', async () => {
    await expect(startWebConsole(hearth, { host: '0.0.0.0', port: 0, env: {} })).rejects.toThrow(
      /Refusing to serve the web console on 0\.0\.0\.0 without authentication/,
    );
    await expect(startWebConsole(hearth, { port: 0, env: {} })).rejects.toThrow(/Nobody could sign in/);
  });

  it('signs loopback visitors in as the operator only when allowed', async () => {
    const web = await startWebConsole(hearth, { port: 0, env: {}, anonymousLoopback: true });
    try {
      const res = await fetch(`${web.url}api/session`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: unknown }).user).toMatchObject({ name: 'operator', admin: true });
      expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    } finally {
      await web.close();
    }
    const closed = await startWebConsole(hearth, { port: 0, env: { HEARTH_WEB_TOKEN: 't0ken' } });
    try {
      expect((await fetch(`${closed.url}api/session`)).status).toBe(401);
      const page = await fetch(closed.url);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      await closed.close();
    }
  });
});

describe('the shipped page', () => {
  it('is the build of its sources (run `corepack pnpm --filter @hearth/web build:ui` after changing ui/)', async () => {
    const shipped = readFileSync(new URL('../assets/app.js', import.meta.url), 'utf8');
    expect(shipped === (await bundleUi())).toBe(true);
  });

  it('loads at most 150 KB of JavaScript, gzipped', () => {
    const js = readFileSync(new URL('../assets/app.js', import.meta.url));
    expect(gzipSync(js).byteLength).toBeLessThan(150 * 1024);
  });
});
