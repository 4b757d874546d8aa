import { createRemoteChatModel } from '@hearth/core/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesOf, type RecordedRequest, type ScriptedReply, startOpenAiServer, textOf } from '../servers/openai-hf.js';
import { encodePng } from './fixtures/png.js';
import { type Rig, startRig } from './harness.js';

/** The model: cites the guide for port questions, and describes images it is sent. */
function model(request: RecordedRequest): ScriptedReply {
  const messages = (request.body.messages ?? []) as { role: string; content: unknown }[];
  const last = textOf(messages.filter((m) => m.role === 'user').at(-1)?.content);
  const images = imagesOf(request);
  if (images.length) return { text: `I see a ${images[0]!.width}x${images[0]!.height} image.` };
  if (/which port/i.test(last)) return { text: 'Hearth listens on port 8080 [1].' };
  if (/deploy on friday/i.test(last)) return { text: 'The message asks whether to deploy on Friday.' };
  return { text: 'A short answer.' };
}

const ids = (message: { components: unknown[] }) =>
  (message.components as { components: { custom_id: string }[] }[]).flatMap((r) =>
    r.components.map((b) => b.custom_id),
  );

describe('interactions members expect (buttons, Ask Hearth, threads, localisation, images)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      script: model,
      discord: {
        localizations: {
          help: { 'pt-BR': { name: 'ajuda', description: 'O que o Hearth faz aqui' } },
          reset: { klingon: { name: 'qaw' } },
        },
      } as never,
    });
    await rig.hearth.knowledge.addText(
      { title: 'Hearth setup guide', text: 'Hearth setup guide. The Hearth server listens on port 8080 by default.' },
      { scope: { guildId: rig.emu.world.guildId } },
    );
  });
  afterAll(async () => rig?.close());

  it('puts regenerate, sources and feedback buttons under an answer; sources are ephemeral; feedback is stored with the turn', async () => {
    const asker = rig.emu.world.addUser('uma');
    const q = rig.emu.say('Which port does Hearth use?', { author: asker });
    const answer = await rig.emu.waitFor(
      () => rig.emu.repliesTo(q.id).find((m) => m.components.length),
      15_000,
      'answer with buttons',
    );
    expect(ids(answer)).toEqual(['hearth:regen', 'hearth:sources', 'hearth:up', 'hearth:down']);

    const sources = rig.emu.click(answer, 'hearth:sources', { user: rig.emu.world.addUser('vic') });
    await rig.emu.waitFor(() => sources.callbacks[0], 5_000, 'sources reply');
    expect(sources.callbacks[0]).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(sources.callbacks[0]!.data.content).toMatch(/\*\*\[1\] Hearth setup guide\*\*[\s\S]*> .*port 8080/);

    const up = rig.emu.click(answer, 'hearth:up', { user: asker });
    await rig.emu.waitFor(() => up.callbacks[0], 5_000, 'feedback reply');
    expect(up.callbacks[0]).toMatchObject({ type: 4, data: { flags: 64 } });
    const down = rig.emu.click(answer, 'hearth:down', { user: asker });
    await rig.emu.waitFor(() => down.callbacks[0], 5_000, 'changed feedback');
    expect(down.callbacks[0]!.data.content).toMatch(/Changed your feedback to 👎/);
    const rows = rig.hearth.db
      .prepare('SELECT user_id, verdict, question, answer, model FROM discord_feedback WHERE message_id = ?')
      .all(answer.id);
    expect(rows).toEqual([
      {
        user_id: asker.id,
        verdict: 'down',
        question: 'Which port does Hearth use?',
        answer: expect.stringContaining('port 8080'),
        model: expect.stringContaining('openai:test-model'),
      },
    ]);
  });

  it('regenerates for the asker only, as a new answer to the same question; buttons still work after a restart', async () => {
    const asker = rig.emu.world.addUser('wes');
    const q = rig.emu.say('Which port does Hearth use?', { author: asker });
    const answer = await rig.emu.waitFor(() => rig.emu.repliesTo(q.id).find((m) => m.components.length), 15_000);
    const stranger = rig.emu.click(answer, 'hearth:regen', { user: rig.emu.world.addUser('xia') });
    await rig.emu.waitFor(() => stranger.callbacks[0], 5_000, 'refusal');
    expect(stranger.callbacks[0]!.data).toMatchObject({
      flags: 64,
      content: expect.stringMatching(/Only the person who asked/),
    });

    await rig.restart();
    const before = rig.model.requests.length;
    const regen = rig.emu.click(answer, 'hearth:regen', { user: asker });
    const again = await rig.emu.waitFor(
      () => rig.emu.interactionMessages(regen).find((m) => m.components.length),
      15_000,
      'regenerated answer',
    );
    expect(regen.callbacks[0]!.type).toBe(5);
    expect(again.content).toMatch(/port 8080 \[1\]/);
    const asked = rig.model.requests.slice(before).map((r) => textOf(r.body.messages.at(-1).content));
    expect(asked.some((t) => t.includes('Which port does Hearth use?'))).toBe(true);
    expect(ids(again)).toContain('hearth:regen');
  });

  it('"Ask Hearth" on a message answers about that message, and a reply to the answer continues it', async () => {
    const poster = rig.emu.world.addUser('yan');
    const target = rig.emu.say('Should we deploy on Friday afternoon?', { author: poster, mention: false });
    await rig.emu.waitFor(() => rig.emu.commands.get(rig.emu.world.guildId), 5_000);
    const run = rig.emu.contextMenu('Ask Hearth', target, { user: rig.emu.world.addUser('zoe') });
    const answer = await rig.emu.waitFor(
      () => rig.emu.interactionMessages(run).find((m) => m.components.length),
      15_000,
      'context menu answer',
    );
    expect(answer.content).toContain('asks whether to deploy on Friday');
    const prompt = textOf(rig.model.requests.at(-1)!.body.messages.at(-1).content);
    expect(prompt).toMatch(/Explain this message by yan[\s\S]*Should we deploy on Friday afternoon\?/);
    const follow = rig.emu.say('And on Monday?', { author: poster, replyTo: answer.id });
    await rig.emu.waitFor(() => rig.emu.repliesTo(follow.id)[0], 10_000, 'follow-up');
    const all = (rig.model.requests.at(-1)!.body.messages as { content: unknown }[]).map((m) => textOf(m.content));
    expect(all.join('\n')).toContain('Should we deploy on Friday afternoon?');
  });

  it('registers "Ask Hearth" as a message command and localised names where provided, leaving out bad ones', () => {
    const commands = rig.emu.commands.get(rig.emu.world.guildId)! as Record<string, any>[];
    const menu = commands.find((c) => c.name === 'Ask Hearth');
    expect(menu).toMatchObject({ type: 3, name_localizations: { de: 'Hearth fragen', fr: 'Demander à Hearth' } });
    const ask = commands.find((c) => c.name === 'ask');
    expect(ask).toMatchObject({
      name_localizations: { de: 'fragen' },
      description_localizations: { de: expect.any(String) },
    });
    const help = commands.find((c) => c.name === 'help');
    expect(help!.name_localizations).toMatchObject({ 'pt-BR': 'ajuda', de: 'hilfe' });
    const reset = commands.find((c) => c.name === 'reset');
    expect(Object.keys(reset!.name_localizations)).not.toContain('klingon');
    expect(rig.logs.some((l) => l.includes('\\"klingon\\" is not a Discord locale'))).toBe(true);
  });

  it('opens a thread titled after the question when configured', async () => {
    rig.hearth.config.discord.replyInThread = true;
    try {
      const q = rig.emu.say('hey, can you tell me which port does Hearth use when started with defaults? thanks', {
        author: rig.emu.world.addUser('ari'),
      });
      const thread = await rig.emu.waitFor(() => rig.emu.world.channels.get(q.id), 10_000, 'thread');
      expect(thread.name).toBe('Which port does Hearth use when started with defaults?');
    } finally {
      rig.hearth.config.discord.replyInThread = false;
    }
  });

  it('moves a long reply chain into a thread titled after its first question, keeping the conversation', async () => {
    const settings = rig.hearth.config.discord as typeof rig.hearth.config.discord & { threadAfter?: number };
    settings.threadAfter = 2;
    try {
      const user = rig.emu.world.addUser('liv');
      const first = rig.emu.say('Which port does Hearth use by default?', { author: user });
      const a1 = await rig.emu.waitFor(() => rig.emu.repliesTo(first.id).find((m) => m.components.length), 10_000);
      const second = rig.emu.say('And the data folder?', { author: user, replyTo: a1.id });
      const a2 = await rig.emu.waitFor(() => rig.emu.repliesTo(second.id).find((m) => m.components.length), 10_000);
      expect(rig.emu.world.channels.get(second.id)).toBeUndefined(); // two exchanges: still in the channel
      const third = rig.emu.say('Remind me of my first question', { author: user, replyTo: a2.id });
      const thread = await rig.emu.waitFor(() => rig.emu.world.channels.get(third.id), 10_000, 'thread');
      expect(thread).toMatchObject({ type: 11, name: 'Which port does Hearth use by default?' });
      await rig.emu.waitFor(() => rig.emu.messagesIn(thread.id).find((m) => m.components.length), 10_000);
      const inThread = rig.emu.say('One more thing', { author: user, channelId: thread.id, mention: false });
      await rig.emu.waitFor(() => rig.emu.repliesTo(inThread.id)[0], 10_000, 'answer in thread');
      const prompt = (rig.model.requests.at(-1)!.body.messages as { content: unknown }[]).map((m) => textOf(m.content));
      expect(prompt.join('\n')).toContain('Which port does Hearth use by default?');
    } finally {
      settings.threadAfter = 0;
    }
  });

  it('says plainly that the configured model cannot see an image, and sends it none', async () => {
    const png = rig.emu.storeFile('red.png', Buffer.from(encodePng(3, 2, [255, 0, 0])), 'image/png');
    const before = rig.model.requests.length;
    const q = rig.emu.say('What colour is this?', { author: rig.emu.world.addUser('bea'), attachments: [png] });
    const reply = await rig.emu.waitFor(() => rig.emu.repliesTo(q.id).find((m) => m.components.length), 15_000);
    expect(reply.content).toMatch(
      /could not look at "red\.png": the configured model \(openai:test-model@.*\) cannot see images/,
    );
    for (const r of rig.model.requests.slice(before)) expect(imagesOf(r)).toEqual([]);
  });
});

describe('images for vision-capable models (OpenAI image_url parts)', () => {
  it('sends a real PNG as an image_url data URL that the server decodes, only when the model is vision-capable', async () => {
    const server = await startOpenAiServer({ script: model, vision: false });
    try {
      const png = Buffer.from(encodePng(5, 4, [0, 0, 255]));
      const request = {
        messages: [
          {
            role: 'user' as const,
            content: 'What is this?',
            images: [{ mimeType: 'image/png', data: png.toString('base64') }],
          },
        ],
      };
      const target = {
        ref: 'openai:v',
        model: 'v',
        endpointUrl: `${server.url}/v1`,
        tokenName: 'OPENAI_API_KEY',
        policy: { timeoutMs: 5_000, retries: 0 },
      };
      const vision = createRemoteChatModel({ ...target, vision: true });
      expect(vision.supportsImages).toBe(true);
      // the text-only server refuses image parts with 400, as real ones do
      await expect(vision.chat(request)).rejects.toThrow(/400|image input/);
      const seen = imagesOf(server.requests.at(-1)!);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ mimeType: 'image/png', width: 5, height: 4 });
      expect(seen[0]!.bytes.equals(png)).toBe(true);
      expect(textOf(server.requests.at(-1)!.body.messages[0].content)).toBe('What is this?');

      const textOnly = createRemoteChatModel(target);
      expect(textOnly.supportsImages).toBe(false);
      expect((await textOnly.chat(request)).text).toBe('A short answer.');
      expect(server.requests.at(-1)!.body.messages[0].content).toBe('What is this?');
    } finally {
      await server.close();
    }
    const seeing = await startOpenAiServer({ script: model });
    try {
      const vision = createRemoteChatModel({
        ref: 'openai:v',
        model: 'v',
        endpointUrl: `${seeing.url}/v1`,
        tokenName: 'OPENAI_API_KEY',
        policy: { timeoutMs: 5_000, retries: 0 },
        vision: true,
      });
      const png = Buffer.from(encodePng(7, 3, [0, 255, 0]));
      const chunks: string[] = [];
      for await (const c of vision.stream({
        messages: [
          { role: 'user', content: 'Describe', images: [{ mimeType: 'image/png', data: png.toString('base64') }] },
        ],
      }))
        if (c.type === 'text') chunks.push(c.text);
      expect(chunks.join('')).toBe('I see a 7x3 image.');
    } finally {
      await seeing.close();
    }
  });

  it('a vision-capable chat model sees an image posted to the bot', async () => {
    const rig = await startRig({ script: model, models: { vision: true } });
    try {
      // models.vision reaches the provider, so the engine passes the question's images on
      expect((await rig.hearth.models.chat()).supportsImages).toBe(true);
      const png = rig.emu.storeFile('pixel.png', Buffer.from(encodePng(9, 6, [1, 2, 3])), 'image/png');
      const q = rig.emu.say('What is this?', { attachments: [png] });
      const reply = await rig.emu.waitFor(() => rig.emu.repliesTo(q.id).find((m) => m.components.length), 15_000);
      expect(imagesOf(rig.model.requests.at(-1)!)[0]).toMatchObject({ width: 9, height: 6 });
      expect(reply.content).toContain('I see a 9x6 image.');
    } finally {
      await rig.close();
    }
  });
});
