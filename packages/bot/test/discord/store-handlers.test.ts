import type { HearthStorage } from '@hearth/core';
import { type ButtonInteraction, type Message, MessageFlags, MessageType } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, type EngineFixture, engineFixture } from '../../../core/test/storage/engines.js';
import { BUTTONS } from '../../src/discord/answers/buttons.js';
import { type AnswerRecord, AnswerStore } from '../../src/discord/answers/store.js';
import { handleInteraction } from '../../src/discord/commands/interactions.js';
import { JobTracker, type SurfaceContext } from '../../src/discord/context.js';
import { ChainIndex } from '../../src/discord/conversation/chains.js';
import { handleMessage } from '../../src/discord/conversation/messages.js';

const BOT = 'bot-user';
const answer: AnswerRecord = {
  messageId: 'ans1',
  conversation: { surface: 'discord', guildId: 'g1', channelId: 'c1', chainId: 'q1' },
  userId: 'asker',
  question: 'Which port does Hearth use?',
  answer: 'Port 8080.',
  citations: [],
  model: 'openai:test-model',
};

/** A surface context for the handlers these tests reach, on the stores of `storage`, logging into `logs`. */
function context(storage: HearthStorage, logs: string[]): SurfaceContext {
  const log = Object.fromEntries(
    ['debug', 'info', 'warn', 'error'].map((level) => [level, (_: unknown, message: string) => logs.push(message)]),
  );
  return {
    client: { user: { id: BOT } },
    settings: { allowDMs: true, channels: { allow: [], deny: [] } },
    log,
    limiter: { take: async () => ({ ok: true }) },
    jobs: new JobTracker(),
    chains: new ChainIndex(storage.sql),
    answers: new AnswerStore(storage.sql),
    redact: (text: string) => text,
  } as unknown as SurfaceContext;
}

/** A click on one of an answer's buttons, recording what the bot answers. */
function click(customId: string, userId: string) {
  const replies: { content: string; flags?: number }[] = [];
  const interaction = {
    customId,
    message: { id: answer.messageId },
    user: { id: userId },
    replied: false,
    deferred: false,
    isAutocomplete: () => false,
    isChatInputCommand: () => false,
    isButton: () => true,
    isMessageContextMenuCommand: () => false,
    async reply(body: { content: string; flags?: number }) {
      replies.push(body);
      interaction.replied = true;
    },
  };
  return { interaction: interaction as unknown as ButtonInteraction, replies };
}

/** A member's reply in a guild channel to `referenced` (by the bot, or by `repliedUser`), recording the bot's replies. */
function replyMessage(referenced: string, repliedUser = BOT) {
  const replies: string[] = [];
  const message = {
    id: 'q2',
    content: 'And which host?',
    type: MessageType.Reply,
    guildId: 'g1',
    channelId: 'c1',
    author: { id: 'asker', bot: false },
    channel: { isThread: () => false },
    reference: { messageId: referenced },
    mentions: { repliedUser: { id: repliedUser }, users: new Map() },
    attachments: new Map(),
    async reply(body: { content: string }) {
      replies.push(body.content);
    },
  };
  return { message: message as unknown as Message, replies };
}

describe.each(ENGINES)('Discord handlers on the stores on %s', (name) => {
  let fx: EngineFixture;
  let one: HearthStorage;
  let two: HearthStorage;
  const logs: string[] = [];

  beforeEach(async () => {
    fx = engineFixture(name);
    one = await fx.open();
    two = await fx.open();
    logs.length = 0;
  });
  afterEach(() => fx.cleanup());

  it('sees a vote given on one shard process when the member clicks again on another', async () => {
    const a = context(one, logs);
    const b = context(two, logs);
    await a.answers.put(answer);
    const first = click(BUTTONS.up, 'voter');
    await handleInteraction(a, undefined as never, first.interaction);
    expect(first.replies[0]).toMatchObject({ content: expect.stringMatching(/^Thanks for the 👍/) });
    const second = click(BUTTONS.down, 'voter');
    await handleInteraction(b, undefined as never, second.interaction);
    expect(second.replies[0]).toMatchObject({ content: 'Changed your feedback to 👎. Thanks!' });
    expect(await a.answers.tally(answer.messageId)).toEqual({ up: 0, down: 1 });
  });

  it('answers a button click with an ephemeral "database is unavailable" when the database is down', async () => {
    const ctx = context(two, logs);
    await two.close();
    const { interaction, replies } = click(BUTTONS.sources, 'asker');
    await handleInteraction(ctx, undefined as never, interaction);
    expect(replies).toEqual([
      {
        content: expect.stringMatching(/^⚠️ The database is unavailable: .+\. Try again shortly\.$/),
        flags: MessageFlags.Ephemeral,
      },
    ]);
  });

  it('tells a member replying to the bot that the database is unavailable, instead of staying silent', async () => {
    const ctx = context(two, logs);
    await two.close();
    const { message, replies } = replyMessage('ans1');
    await handleMessage(ctx, message);
    expect(replies).toEqual([expect.stringMatching(/^⚠️ The database is unavailable: .+\. Try again shortly\.$/)]);
  });

  it('stays quiet (logged) on a reply between members when the database cannot say whether it continues a chain', async () => {
    const ctx = context(two, logs);
    await two.close();
    const { message, replies } = replyMessage('someone-elses-message', 'another-member');
    await handleMessage(ctx, message);
    expect(replies).toEqual([]);
    expect(logs).toContain('discord: could not read reply chains');
  });
});
