import type { TurnResult } from '@hearth/core';
import { HearthError } from '@hearth/sdk';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type ConsoleDeps, type ConsoleEnv, problem, recordUsage } from '../context.js';
import { partsToArtifacts } from './parts.js';

/** Largest question the chat accepts, as on Discord (a message is at most 4,000 characters). */
const MAX_QUESTION = 4000;

/**
 * Chat: `POST /api/chat` streams the answer as server-sent events (`token`, then `done` with
 * citations, grounding and attachments); conversations are kept per user and resumable.
 */
export function chatRoutes(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const { hearth, store } = deps;

  app.get('/api/personas', async (c) => c.json({ personas: await hearth.engine.personas() }));

  app.get('/api/conversations', async (c) => c.json({ conversations: await store.conversations(c.var.user.name) }));

  app.get('/api/conversations/:id', async (c) => {
    const messages = await store.messages(c.var.user.name, c.req.param('id'));
    return messages ? c.json({ messages }) : problem(c, 404, 'No such conversation.');
  });

  app.post('/api/chat', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as
      | { text?: unknown; conversation?: unknown; persona?: unknown }
      | undefined;
    const text = typeof body?.text === 'string' ? body.text.trim() : '';
    if (!text) return problem(c, 400, 'Type a question first.');
    if (text.length > MAX_QUESTION) return problem(c, 413, `Questions are limited to ${MAX_QUESTION} characters.`);
    const persona = typeof body?.persona === 'string' && body.persona ? body.persona : undefined;
    const user = c.var.user;
    // a database failure here answers 503 (the app's error handler) before the stream starts
    const conversation = await store.ensure(
      user.name,
      typeof body?.conversation === 'string' ? body.conversation : undefined,
      text,
    );
    await store.append(conversation, { role: 'user', text });

    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      await stream.writeSSE({ event: 'conversation', data: JSON.stringify({ id: conversation }) });
      const started = performance.now();
      let pending = Promise.resolve();
      try {
        const result: TurnResult = await hearth.engine.turn({
          conversation: { surface: c.var.caller.surface, sessionId: `web:${user.name}:${conversation}` },
          text,
          caller: c.var.caller,
          signal: controller.signal,
          persona,
          // the wall-clock time the token left the engine, so the page can measure token-to-paint
          onToken: (token) => {
            pending = pending.then(() =>
              stream.writeSSE({ event: 'token', data: JSON.stringify({ text: token, at: Date.now() }) }),
            );
          },
          onProgress: (fraction, message) => {
            pending = pending.then(() =>
              stream.writeSSE({ event: 'progress', data: JSON.stringify({ fraction, message }) }),
            );
          },
        });
        await pending;
        const attachments = partsToArtifacts(deps, user.name, 'chat', result.attachments);
        const meta = {
          citations: result.citations,
          grounding: result.grounding,
          notCovered: result.notCovered,
          model: result.model,
          toolCalls: result.toolCalls,
          attachments,
        };
        // a database failure here reaches the page as a `failed` event with the database's sentence
        await store.append(conversation, { role: 'assistant', text: result.text, meta });
        await recordUsage(deps, { surface: 'web', kind: 'question', ms: performance.now() - started, ok: true });
        await stream.writeSSE({ event: 'done', data: JSON.stringify({ text: result.text, ...meta }) });
      } catch (err) {
        await pending.catch(() => {});
        await recordUsage(deps, {
          surface: 'web',
          kind: 'error',
          name: 'chat',
          ms: performance.now() - started,
          ok: false,
        });
        const message = hearth.redactor.redact(
          err instanceof HearthError ? err.message : 'The answer failed; the server log has the details.',
        );
        if (!(err instanceof HearthError)) hearth.log.error({ err }, 'web chat turn failed');
        await stream.writeSSE({ event: 'failed', data: JSON.stringify({ error: message }) });
      }
    });
  });
}
