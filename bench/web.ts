/**
 * `pnpm bench web`: the web console in Debian's Chromium against a real Hearth whose chat model is
 * the OpenAI-protocol test server (streaming chunks 20 ms apart, so the path measured is the
 * console's, not a model's): time from the engine's first token to its first paint in the page,
 * the page's JavaScript size, and 50 concurrent browser sessions chatting at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHearth } from '@hearth/core';
import { startWebConsole } from '@hearth/web';
import { startOpenAiServer } from '../test/servers/openai-hf.js';
import { launchChromium } from '../test/web/browser.js';

const TOKEN = 'bench-web-token-0123456789';
const QUESTIONS = 20;
const SESSIONS = 50;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))];
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-web-'));
  const model = await startOpenAiServer({
    script: () => ({ chunks: ['The meetup ', 'is on ', 'Thursdays ', 'at 19:00 UTC [1].'], chunkDelayMs: 20 }),
  });
  const hearth = await createHearth({
    cwd: dir,
    env: {},
    skipPlugins: true,
    overrides: {
      dataDir: join(dir, 'data'),
      logLevel: 'silent',
      knowledge: { ingestDocsOnStart: false },
      models: { chat: `openai:bench@${model.url}/v1`, timeoutMs: 20_000, retries: 0 },
    },
  });
  await hearth.knowledge.addText({
    title: 'Meetups',
    uri: 'docs/meetups.md',
    text: 'The meetup is on Thursdays at 19:00 UTC.',
  });
  const web = await startWebConsole(hearth, { port: 0, token: TOKEN, env: {} });
  const browser = await launchChromium();
  try {
    const signIn = async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(web.url);
      await page.getByLabel('Access token').fill(TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Question').waitFor();
      return { context, page };
    };
    const ask = async (page: Awaited<ReturnType<typeof signIn>>['page'], n: number) => {
      await page.getByLabel('Question').fill(`When is the meetup? (${n})`);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('button', { name: 'Send' }).waitFor({ timeout: 60_000 });
      await page.locator('.message.assistant').nth(n).locator('.citations').waitFor({ timeout: 60_000 });
    };

    // 1. token-to-paint, one session, questions in sequence
    const one = await signIn();
    for (let i = 0; i < QUESTIONS; i++) await ask(one.page, i);
    const paints = await one.page.evaluate(
      () => (globalThis as { hearthTokenToPaint?: number[] }).hearthTokenToPaint ?? [],
    );
    await one.context.close();

    // 2. concurrent sessions, each signed in separately, all asking at once
    // sign-ins one after another (page loads are not what is measured), then every question at once
    const sessions: Awaited<ReturnType<typeof signIn>>[] = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await signIn());
    const started = performance.now();
    const outcomes = await Promise.allSettled(sessions.map((s) => ask(s.page, 0)));
    const wallMs = performance.now() - started;
    const errors = outcomes.filter((o) => o.status === 'rejected');
    await Promise.all(sessions.map((s) => s.context.close()));

    const js = readFileSync(new URL('../packages/web/assets/app.js', import.meta.url));
    return [
      '## web console',
      '',
      `Chromium ${browser.version()}, chat model: the OpenAI-protocol test server streaming 4 chunks 20 ms apart.`,
      '',
      '| measure | value | goal |',
      '| --- | --- | --- |',
      `| first token -> first paint, p50 (${paints.length} answers) | ${quantile(paints, 0.5).toFixed(1)} ms (p95 ${quantile(paints, 0.95).toFixed(1)} ms) | < 50 ms |`,
      `| page JavaScript, gzipped | ${(gzipSync(js).byteLength / 1024).toFixed(1)} KB (${(js.byteLength / 1024).toFixed(1)} KB raw) | <= 150 KB |`,
      `| ${SESSIONS} concurrent browser sessions, one question each | ${SESSIONS - errors.length} answered, ${errors.length} errors, ${(wallMs / 1000).toFixed(1)} s wall | no errors |`,
      '',
      errors.length ? `First error: ${String((errors[0] as PromiseRejectedResult).reason).slice(0, 300)}\n` : '',
    ].join('\n');
  } finally {
    await browser.close();
    await web.close();
    await hearth.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
