import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { describeRefusal, refusedFields } from '../../src/discord/commands/registration-errors.js';
import { closeCodeInfo, describeCloseCode } from '../../src/discord/connection/close-codes.js';
import { threadTitle } from '../../src/discord/conversation/thread-title.js';
import { SeenIds } from '../../src/discord/limits/seen.js';

describe('gateway close codes', () => {
  it('explains the codes operators meet, with a fix, and whether discord.js retries', () => {
    expect(closeCodeInfo(4004)).toMatchObject({ name: 'AuthenticationFailed', retried: false });
    expect(closeCodeInfo(4004).fix).toMatch(/DISCORD_TOKEN/);
    expect(closeCodeInfo(4014)).toMatchObject({ name: 'DisallowedIntents', retried: false });
    expect(closeCodeInfo(4014).fix).toMatch(/Message Content Intent/);
    expect(closeCodeInfo(4008)).toMatchObject({ name: 'RateLimited', retried: true });
    expect(closeCodeInfo(4011).fix).toMatch(/--shards auto/);
    expect(describeCloseCode(4002)).toMatch(/^4002 DecodeError: .*\. Fix: /);
  });

  it('says so for an unknown code instead of guessing', () => {
    expect(closeCodeInfo(4999)).toMatchObject({ name: 'Unknown', retried: true });
    expect(describeCloseCode(4999)).toMatch(/close code 4999 is not one Discord documents/);
  });
});

describe('registration refusals', () => {
  const error = (errors: unknown) =>
    new DiscordAPIError(
      { code: 50035, message: 'Invalid Form Body', errors } as never,
      50035,
      400,
      'PUT',
      '/applications/1/commands',
      { body: [] },
    );

  it('maps Discord error trees to the command name and field path', () => {
    const err = error({
      '2': {
        options: {
          '1': {
            description: {
              _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }],
            },
          },
        },
      },
      '0': { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] } },
    });
    const sent = [{ name: 'ask' }, { name: 'help' }, { name: 'paint' }];
    expect(refusedFields(err, sent)).toEqual([
      { command: 'ask', field: 'name', code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' },
      {
        command: 'paint',
        field: 'options[1].description',
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      },
    ]);
    expect(describeRefusal(err, sent)).toBe(
      'HTTP 400 command "ask" field name: Command name is invalid (APPLICATION_COMMAND_INVALID_NAME); command "paint" field options[1].description: Must be between 1 and 100 in length. (BASE_TYPE_BAD_LENGTH)',
    );
  });

  it('falls back to the first line of the message for errors without a tree', () => {
    expect(describeRefusal(new Error('Missing Access\nmore'), [])).toBe('Missing Access');
    expect(refusedFields(new Error('x'), [])).toEqual([]);
  });
});

describe('SeenIds', () => {
  it('is true once per id and forgets the least recently seen past its capacity', () => {
    const seen = new SeenIds(3);
    expect(seen.first('a')).toBe(true);
    expect(seen.first('a')).toBe(false);
    seen.first('b');
    seen.first('c');
    seen.first('a'); // refreshed: b is now the oldest
    seen.first('d');
    expect(seen.size).toBe(3);
    expect(seen.first('b')).toBe(true);
    expect(seen.first('a')).toBe(false);
  });
});

describe('threadTitle', () => {
  it('summarises the question: first sentence, no greeting, mentions, links or markdown', () => {
    expect(threadTitle('hey, can you tell me which port does Hearth use? I tried 80.')).toBe(
      'Which port does Hearth use?',
    );
    expect(threadTitle('<@123> **How** do I add docs from https://example.com/x to the base')).toBe(
      'How do I add docs from to the base',
    );
  });

  it('cuts long questions at a word boundary under the thread name limit and is never empty', () => {
    const long = threadTitle(`Why ${'does the indexer take a very long time '.repeat(5)}`);
    expect(long.length).toBeLessThanOrEqual(62);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toMatch(/\s…$/);
    expect(threadTitle('<@1> ')).toBe('Question for Hearth');
  });
});
