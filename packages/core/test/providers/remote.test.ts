import { InferenceClient } from '@huggingface/inference';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAiServer, startOpenAiServer, tinyPng } from '../../../../test/servers/openai-hf.js';
import { Redactor } from '../../src/log/redact.js';
import { ProviderError } from '../../src/providers/errors.js';
import { createRemoteChatModel } from '../../src/providers/remote-chat.js';
import type { RemoteTarget } from '../../src/providers/remote-client.js';
import { createHfImageModel } from '../../src/providers/remote-image.js';
import type { ChatChunk, ChatModel } from '../../src/providers/types.js';

const TOKEN = 'sk-testsecret0123456789abcdefXYZ';
let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function model(url: string, overrides: Partial<RemoteTarget> = {}): ChatModel {
  const redactor = new Redactor();
  redactor.add(TOKEN);
  return createRemoteChatModel({
    ref: `openai:test@${url}/v1`,
    model: 'test',
    endpointUrl: `${url}/v1`,
    token: TOKEN,
    tokenName: 'OPENAI_API_KEY',
    policy: { timeoutMs: 2000, retries: 2, baseDelayMs: 5 },
    redactor,
    ...overrides,
  });
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('the test server speaks the wire protocol the real client expects', () => {
  it('answers InferenceClient.chatCompletion and chatCompletionStream', async () => {
    server = await startOpenAiServer({ script: [{ text: 'plain answer' }, { text: 'streamed answer here' }] });
    const client = new InferenceClient(TOKEN, { endpointUrl: `${server.url}/v1` });
    const out = await client.chatCompletion({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(out.choices[0]?.message.content).toBe('plain answer');
    let text = '';
    for await (const c of client.chatCompletionStream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }))
      text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed answer here');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
  });
});

describe('remote chat model (openai/hf through InferenceClient)', () => {
  it('sends tools, stop, temperature, max tokens and JSON schema in the OpenAI body', async () => {
    server = await startOpenAiServer({ script: [{ text: '{"a":1}' }] });
    const m = model(server.url);
    const res = await m.chat({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      tools: [
        {
          name: 'dice',
          description: 'roll',
          parameters: { type: 'object', properties: { sides: { type: 'number' } } },
        },
      ],
      stop: ['\n\n'],
      temperature: 0.2,
      maxTokens: 64,
      seed: 7,
      jsonSchema: { type: 'object', properties: { a: { type: 'number' } } },
    });
    expect(res).toMatchObject({ text: '{"a":1}', toolCalls: [], finishReason: 'stop' });
    const body = server.requests[0]?.body;
    expect(body).toMatchObject({
      model: 'test',
      stop: ['\n\n'],
      temperature: 0.2,
      max_tokens: 64,
      seed: 7,
      tool_choice: 'auto',
    });
    expect(body.tools[0]).toEqual({
      type: 'function',
      function: {
        name: 'dice',
        description: 'roll',
        parameters: { type: 'object', properties: { sides: { type: 'number' } } },
      },
    });
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.schema.properties.a.type).toBe('number');
  });

  it('returns tool calls, plain and streamed (fragments joined)', async () => {
    const toolCalls = [{ name: 'dice', arguments: { sides: 20 }, id: 'c1' }];
    server = await startOpenAiServer({ script: [{ toolCalls }, { toolCalls }] });
    const m = model(server.url);
    const res = await m.chat({ messages: [{ role: 'user', content: 'roll' }] });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.toolCalls).toEqual([{ id: 'c1', name: 'dice', arguments: '{"sides":20}' }]);
    const chunks = await collect(m.stream({ messages: [{ role: 'user', content: 'roll' }] }));
    expect(chunks).toContainEqual({ type: 'tool_call', call: { id: 'c1', name: 'dice', arguments: '{"sides":20}' } });
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'tool_calls' });
  });

  it('sends tool results back as tool messages with their call id', async () => {
    server = await startOpenAiServer({ script: [{ text: 'ok' }] });
    await model(server.url).chat({
      messages: [
        { role: 'user', content: 'roll' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'dice', arguments: '{}' }] },
        { role: 'tool', content: '4', toolCallId: 'c1' },
      ],
    });
    const messages = server.requests[0]?.body.messages;
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'dice', arguments: '{}' } }],
    });
    expect(messages[2]).toEqual({ role: 'tool', content: '4', tool_call_id: 'c1' });
  });

  it('streams text chunk by chunk and completes text via /v1/completions', async () => {
    server = await startOpenAiServer({ script: [{ chunks: ['Hel', 'lo ', 'world'] }, { text: ' continued' }] });
    const m = model(server.url);
    const chunks = await collect(m.stream({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(chunks.filter((c) => c.type === 'text').map((c) => (c as { text: string }).text)).toEqual([
      'Hel',
      'lo ',
      'world',
    ]);
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(await m.complete('Once upon', { maxTokens: 5, stop: ['.'] })).toBe(' continued');
    expect(server.requests[1]?.path).toBe('/v1/completions');
    expect(server.requests[1]?.body).toMatchObject({ prompt: 'Once upon', max_tokens: 5, stop: ['.'] });
  });

  it('maps 401, 404 to clear errors without retrying and without the token', async () => {
    server = await startOpenAiServer({ script: [{ status: 401, message: `bad key ${TOKEN}` }, { status: 404 }] });
    const m = model(server.url);
    const e401 = await failure(m.chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(e401.code).toBe('bad_token');
    expect(e401.message).toMatch(/rejected the API token.*OPENAI_API_KEY/);
    const e404 = await failure(m.chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(e404.code).toBe('unknown_model');
    expect(e404.message).toMatch(/not found/);
    expect(server.requests).toHaveLength(2);
    for (const e of [e401, e404]) expect(`${e.message}${e.stack}`).not.toContain(TOKEN);
  });

  it('retries 429 and 500 with backoff, then succeeds', async () => {
    server = await startOpenAiServer({
      script: [{ status: 429, retryAfter: 0 }, { status: 500 }, { text: 'finally' }],
    });
    const res = await model(server.url).chat({ messages: [{ role: 'user', content: 'x' }] });
    expect(res.text).toBe('finally');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after the configured retries with a rate-limit message', async () => {
    server = await startOpenAiServer({
      script: [{ status: 429 }, { status: 429 }, { status: 429 }, { text: 'never' }],
    });
    const e = await failure(model(server.url).chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(e.code).toBe('rate_limited');
    expect(e.message).toMatch(/rate limited/);
    expect(server.requests).toHaveLength(3); // 1 + 2 retries
  });

  it('times out a slow server and reports it', async () => {
    server = await startOpenAiServer({ script: [{ text: 'late', delayMs: 1500 }] });
    const m = model(server.url, { policy: { timeoutMs: 200, retries: 0 } });
    const e = await failure(m.chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(e.code).toBe('timeout');
  });

  it('fails a truncated stream after text instead of retrying (no repeated text)', async () => {
    server = await startOpenAiServer({ script: [{ text: 'one two three four', truncateAfter: 2 }] });
    const seen: string[] = [];
    const run = (async () => {
      for await (const c of model(server!.url).stream({ messages: [{ role: 'user', content: 'x' }] }))
        if (c.type === 'text') seen.push(c.text);
    })();
    const e = await failure(run);
    expect(['malformed_response', 'unreachable']).toContain(e.code);
    expect(seen).toEqual(['one ', 'two ']);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a malformed stream clearly', async () => {
    server = await startOpenAiServer({ script: [{ text: 'a b c', malformed: true }] });
    const e = await failure(collect(model(server.url).stream({ messages: [{ role: 'user', content: 'x' }] })));
    expect(e.code).toBe('malformed_response');
  });

  it('cancels a stream when the caller aborts', async () => {
    server = await startOpenAiServer({ script: [{ text: 'a b c d e f g h', chunkDelayMs: 100 }] });
    const controller = new AbortController();
    const seen: string[] = [];
    const run = (async () => {
      for await (const c of model(server!.url).stream({
        messages: [{ role: 'user', content: 'x' }],
        signal: controller.signal,
      })) {
        if (c.type === 'text') seen.push(c.text);
        if (seen.length === 2) controller.abort();
      }
    })();
    const e = await failure(run);
    expect(e.code).toBe('cancelled');
    expect(seen).toHaveLength(2);
  });

  it('textToImage returns PNG bytes from an HF-shaped endpoint and rejects non-PNG', async () => {
    server = await startOpenAiServer({
      script: [{}, { image: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), imageType: 'image/jpeg' }],
    });
    const target: RemoteTarget = {
      ref: 'hf:org/img',
      model: 'org/img',
      endpointUrl: `${server.url}/img`,
      token: 'hf_abcdefghijklmnopqrstuvwxyz',
      tokenName: 'HF_TOKEN',
      policy: { timeoutMs: 2000, retries: 0 },
    };
    const png = await createHfImageModel(target).textToImage({
      prompt: 'a cat',
      width: 64,
      height: 64,
      steps: 4,
      seed: 1,
    });
    expect(Buffer.from(png).equals(Buffer.from(tinyPng()))).toBe(true);
    expect(server.requests[0]?.body).toMatchObject({
      inputs: 'a cat',
      parameters: { width: 64, height: 64, num_inference_steps: 4, seed: 1 },
    });
    expect(server.requests[0]?.headers.accept).toBe('image/png');
    const e = await failure(createHfImageModel(target).textToImage({ prompt: 'x' }));
    expect(e.message).toMatch(/not a PNG/);
  });
});
