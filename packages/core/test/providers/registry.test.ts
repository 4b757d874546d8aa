import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAiServer, startOpenAiServer } from '../../../../test/servers/openai-hf.js';
import { createModelRegistry } from '../../src/providers/registry.js';
import { modelsApi } from '../../src/services/plugin-services.js';
import { memoryLogger, testConfig } from './helpers.js';

const HF = 'hf_abcdefghijklmnopqrstuvwxyz012345';

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('model registry', () => {
  it('is lazy, shares models per reference and describes refs without secrets', async () => {
    server = await startOpenAiServer({ script: [{ text: 'hi' }] });
    const { log, redactor } = memoryLogger();
    const config = testConfig(
      {
        models: { chat: `openai:m@http://user:pw123456@127.0.0.1:${new URL(server.url).port}/v1`, image: 'hf:org/img' },
      },
      { hfToken: HF },
    );
    redactor.add(HF);
    const models = await createModelRegistry(config, { log, redactor });
    expect(server.requests).toHaveLength(0);
    expect(models.describe()).toEqual({
      chat: `openai:m@http://127.0.0.1:${new URL(server.url).port}/v1`,
      embed: 'local',
      image: 'hf:org/img',
    });
    expect(models.has('chat')).toBe(true);
    expect(models.has('image')).toBe(true);
    const a = await models.chat();
    expect(await models.chat()).toBe(a);
    expect(a.ref).not.toContain('pw123456');
    expect((await a.chat({ messages: [{ role: 'user', content: 'x' }] })).text).toBe('hi');
    // credentials in the URL travel as Basic auth (fetch refuses them in the URL)
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('user:pw123456').toString('base64')}`);
    await models.close();
  });

  it('says exactly what to configure', async () => {
    const { log, redactor } = memoryLogger();
    const models = await createModelRegistry(testConfig({ models: { chat: 'hf:org/model' } }), { log, redactor });
    await expect(models.chat()).rejects.toThrow(
      'hf:org/model needs a Hugging Face token: set HF_TOKEN in the environment or in .env.',
    );
    await expect(models.image()).rejects.toThrow(/No image model is configured: set HEARTH_IMAGE_MODEL=hf:<repo id>/);
    await expect(models.chat('gpt4')).rejects.toThrow(/Unknown model reference "gpt4": use hf:<repo id>/);
    await expect(models.image('openai:x@http://h/v1')).rejects.toThrow(/only hf:<repo id> text-to-image models/);
  });

  it('gguf: with a missing file names the path to fix', async () => {
    const { log, redactor } = memoryLogger();
    const models = await createModelRegistry(testConfig({ models: { chat: 'gguf:/nonexistent/model.gguf' } }), {
      log,
      redactor,
    });
    await expect(models.chat()).rejects.toThrow(/gguf:\/nonexistent\/model.gguf: no such file/);
  });

  it('routes hf: image models through textToImage with the HF token', async () => {
    server = await startOpenAiServer({ script: [{}] });
    const { log, redactor } = memoryLogger();
    const models = await createModelRegistry(
      testConfig({ models: { image: `hf:org/img@${server.url}/img` } }, { hfToken: HF }),
      { log, redactor },
    );
    const png = await (await models.image()).textToImage({ prompt: 'a red square' });
    expect(png.slice(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    expect(server.requests[0]).toMatchObject({ path: '/img', body: { inputs: 'a red square' } });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${HF}`);
  });

  it('sends the API token only to a configured endpoint, never to one a reference names', async () => {
    server = await startOpenAiServer({ script: [{ text: 'configured' }] });
    const elsewhere = await startOpenAiServer({ script: [{ text: 'elsewhere' }] });
    try {
      const { log, lines, redactor } = memoryLogger();
      const key = 'sk-operator-secret-0123456789';
      redactor.add(key);
      const models = await createModelRegistry(
        testConfig({ models: { chat: `openai:m@${server.url}/v1` } }, { openaiApiKey: key, hfToken: HF }),
        { log, redactor },
      );
      await (await models.chat()).chat({ messages: [{ role: 'user', content: 'x' }] });
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
      await (await models.chat(`openai:x@${elsewhere.url}/v1`)).chat({ messages: [{ role: 'user', content: 'x' }] });
      expect(elsewhere.requests[0]?.headers.authorization).toBeUndefined();
      await (await models.image(`hf:org/img@${elsewhere.url}/img`)).textToImage({ prompt: 'p' }).catch(() => {});
      expect(elsewhere.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
      expect(lines.join('')).toContain('not sending OPENAI_API_KEY to an endpoint that is not configured');
      expect(lines.join('')).not.toContain(key);
      await models.close();
    } finally {
      await elsewhere.close();
    }
  });

  it('lets a plugin use only the operator’s models (or allowed refs)', async () => {
    server = await startOpenAiServer({ script: [{ text: 'ok' }, { text: 'ok' }] });
    const { log, redactor } = memoryLogger();
    const configured = `openai:m@${server.url}/v1`;
    const models = await createModelRegistry(testConfig({ models: { chat: configured } }, { openaiApiKey: 'sk-x' }), {
      log,
      redactor,
    });
    const api = modelsApi(models);
    const messages = [{ role: 'user' as const, content: 'x' }];
    expect((await api.chat({ messages })).text).toBe('ok');
    expect((await api.chat({ messages, model: configured })).text).toBe('ok');
    await expect(api.chat({ messages, model: 'openai:x@https://elsewhere.example/v1' })).rejects.toThrow(
      /Plugins may use only the operator's chat model \(openai:m@http:\/\/127\.0\.0\.1:\d+\/v1\), not "openai:x@https:\/\/elsewhere\.example\/v1"/,
    );
    await expect(api.chat({ messages, model: 'gguf:/etc/passwd' })).rejects.toThrow(/Plugins may use only/);
    await expect(api.embed(['x'], { model: 'hf:org/embed@https://elsewhere.example' })).rejects.toThrow(
      /operator's embed model \(local\)/,
    );
    await expect(api.textToImage({ prompt: 'p', model: 'hf:org/img' })).rejects.toThrow(/operator's image model, not/);
    const allowed = modelsApi(models, { allowedModels: ['hf:org/img'] });
    await expect(allowed.textToImage({ prompt: 'p', model: 'hf:org/img' })).rejects.toThrow(
      /needs a Hugging Face token/,
    );
    expect(server.requests).toHaveLength(2);
    await models.close();
  });
});
