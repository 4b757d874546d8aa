import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHearth, type Hearth } from '@hearth/core';
import { startWebConsole, type WebConsole } from '@hearth/web';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';

const TOKEN = 'web-test-token-0123456789';
// The README's screenshots are refreshed only on request, so a test run never dirties the checkout.
const shots = process.env.HEARTH_UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, '../../docs/web')
  : mkdtempSync(join(tmpdir(), 'hearth-web-shots-'));

/** Raw HTTP with a chosen Host header (fetch cannot set one). */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The web console in a real Chromium against a real Hearth (SQLite, LanceDB, the shipped local
 * model, a plugin loaded from a file): sign-in, chat, knowledge, generated tool forms, reload.
 */
describe('web console in a real browser', () => {
  let dir: string;
  let hearth: Hearth;
  let web: WebConsole;
  let browser: Browser;
  let page: Page;
  const state = () => join(dir, 'greeting.txt');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-web-'));
    writeFileSync(state(), 'Hello');
    process.env.HEARTH_WEB_FIXTURE_STATE = state();
    hearth = await createHearth({
      cwd: dir,
      env: {},
      overrides: {
        dataDir: join(dir, 'data'),
        logLevel: 'silent',
        knowledge: { ingestDocsOnStart: false },
        plugins: { firstParty: false, load: [join(import.meta.dirname, 'fixtures/web-plugin.ts')] },
      },
      importPlugin: (s) => import(s),
    });
    await hearth.knowledge.addText({
      title: 'Meetups',
      uri: 'docs/meetups.md',
      text: '# Meetups\n\nThe community meetup happens every Thursday at 19:00 UTC in the voice channel. Bring your questions about gardening.',
    });
    web = await startWebConsole(hearth, { port: 0, token: TOKEN, env: {} });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await hearth?.close();
    delete process.env.HEARTH_WEB_FIXTURE_STATE;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses without a token, with a wrong token, a foreign Host or a foreign Origin', async () => {
    expect((await fetch(`${web.url}api/tools`)).status).toBe(401);
    expect(await rawGet(`${web.url}api/session`, { host: 'evil.example' })).toBe(403);
    const foreign = await fetch(`${web.url}api/login`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: string }).error).toContain(
      'Origin "http://evil.example" is not allowed',
    );

    await page.goto(web.url);
    await page.getByLabel('Access token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That token is not valid.');
  });

  it('signs in; the session cookie is HTTP-only and changes need the CSRF token', async () => {
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'hearth_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    // the browser's own cookie, without the page's CSRF header: refused
    const status = await page.evaluate(
      async () =>
        (
          await fetch('/api/tools/webfix_greet/run', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"input":{"name":"x"}}',
          })
        ).status,
    );
    expect(status).toBe(403);
  });

  it('chats: a streamed answer with a citation that opens the quoted passage', async () => {
    await page.goto(`${web.url}#/chat`);
    await page.getByLabel('Question').fill('When does the community meetup happen?');
    await page.getByRole('button', { name: 'Send' }).click();
    const sources = page.getByRole('list', { name: 'Sources' });
    await sources.waitFor({ timeout: 60_000 });
    const answer = await page.locator('.message.assistant .bubble').last().textContent();
    expect(answer).toMatch(/Thursday|19:00/);
    await page.screenshot({ path: join(shots, 'chat.png') });
    await sources.getByRole('button').first().click();
    await expect.poll(() => page.getByRole('dialog').textContent()).toContain('Meetups');
    await page.getByRole('button', { name: 'Close' }).click();
    // the conversation is kept: it is listed and resumes after a reload
    await page.reload();
    await page
      .getByRole('complementary', { name: 'Conversations' })
      .getByRole('button', { name: /community meetup/ })
      .click();
    await expect.poll(() => page.locator('.message.user').first().textContent()).toContain('community meetup');
  });

  it('uploads a document and finds it by search', async () => {
    await page.goto(`${web.url}#/knowledge`);
    await page.getByLabel(/Upload a file/).setInputFiles({
      name: 'compost.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(
        '# Compost\n\nTurn the compost heap every fortnight with a garden fork to keep it aerobic.\n',
      ),
    });
    await expect.poll(() => page.locator('.job.done').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('table').last().textContent()).toContain('Compost');
    await page.getByLabel('Search', { exact: true }).fill('how often to turn the compost heap');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('table.hits tbody tr').first().textContent()).toContain('fortnight');
    await page.screenshot({ path: join(shots, 'knowledge.png'), fullPage: true });
  });

  it('runs a plugin tool from its generated form with progress, cancels it, and shows an image result', async () => {
    await page.goto(`${web.url}#/tools`);
    await page.getByRole('button', { name: 'webfix_slow' }).click();
    // the form comes from the zod schema: a number with its range, a choice, an array
    const steps = page.getByLabel('steps');
    expect(await steps.getAttribute('min')).toBe('1');
    expect(await steps.getAttribute('max')).toBe('100');
    expect(await page.getByLabel('label').locator('option').allTextContents()).toEqual(['(default)', 'alpha', 'beta']);
    await page.getByRole('button', { name: 'add tags' }).click();
    await page.getByLabel('tags 1').fill('x');
    await steps.fill('40');
    await page.getByRole('button', { name: 'Run' }).click();
    const progress = page.getByLabel('webfix_slow progress');
    await expect
      .poll(async () => Number(await progress.getAttribute('value')), { timeout: 10_000 })
      .toBeGreaterThan(0.05);
    await page.screenshot({ path: join(shots, 'tools.png'), fullPage: true });
    await page.locator('.job.running').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('.job .status').first().textContent()).toBe('cancelled');

    await page.getByRole('button', { name: 'webfix_square' }).click();
    await page.getByLabel('colour').selectOption('green');
    await page.getByRole('button', { name: 'Run' }).click();
    const img = page.getByRole('img', { name: 'a green square' }).first();
    await img.waitFor();
    expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(8);
  });

  it('reloads a plugin and shows its changed tool without a page reload', async () => {
    await page.goto(`${web.url}#/tools`);
    await page.getByRole('button', { name: 'webfix_greet' }).click();
    await expect.poll(() => page.locator('.description').textContent()).toContain('Hello: greets someone');
    writeFileSync(state(), 'Howdy');
    await page.goto(`${web.url}#/plugins`);
    await page.getByRole('button', { name: 'Reload webfix' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Reloaded webfix');
    await page.screenshot({ path: join(shots, 'plugins.png'), fullPage: true });
    await page.getByRole('link', { name: 'Tools' }).click();
    await page.getByRole('button', { name: 'webfix_greet' }).click();
    await expect.poll(() => page.locator('.description').textContent()).toContain('Howdy: greets someone');
    await page.getByLabel('name').fill('Ada');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.locator('.job.done .result-text').first().textContent()).toBe('Howdy, Ada!');
  });

  it('shows jobs and health with usage recorded by the server', async () => {
    await page.goto(`${web.url}#/jobs`);
    await expect.poll(() => page.locator('.job').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(shots, 'jobs.png'), fullPage: true });
    await page.goto(`${web.url}#/health`);
    await expect.poll(() => page.locator('.checks').textContent()).toContain('plugins: 1 loaded');
    await expect.poll(() => page.getByRole('img', { name: 'usage per hour' }).count()).toBe(1);
    await page.screenshot({ path: join(shots, 'health.png'), fullPage: true });
    // readable at phone width: the chat stacks into one column
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${web.url}#/chat`);
    const width = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
          .scrollWidth,
    );
    expect(width).toBeLessThanOrEqual(400);
  });
});
