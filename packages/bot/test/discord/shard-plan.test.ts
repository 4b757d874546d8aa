import { describe, expect, it } from 'vitest';
import { isReply } from '../../src/discord/metrics.js';
import { offsetListen, opsListen } from '../../src/discord/ops.js';
import { parseShardPlan } from '../../src/discord/shard-plan.js';

describe('parseShardPlan (--shards / --shard-count)', () => {
  it('keeps auto and N working, and reads one id or a range with --shard-count', () => {
    expect(parseShardPlan(undefined, undefined)).toBeUndefined();
    expect(parseShardPlan('auto', undefined)).toEqual({ total: 'auto' });
    expect(parseShardPlan('4', undefined)).toEqual({ total: 4 });
    expect(parseShardPlan(undefined, '3')).toEqual({ total: 3 });
    expect(parseShardPlan('2', '8')).toEqual({ ids: [2], total: 8 });
    expect(parseShardPlan('0', '8')).toEqual({ ids: [0], total: 8 });
    expect(parseShardPlan('0-3', '8')).toEqual({ ids: [0, 1, 2, 3], total: 8 });
    expect(parseShardPlan(' 4 - 7 ', '8')).toEqual({ ids: [4, 5, 6, 7], total: 8 });
  });

  it('refuses what cannot run, naming the flag', () => {
    expect(() => parseShardPlan('0-8', '8')).toThrow('--shards 0-8: shard ids run from 0 to 7 with --shard-count 8');
    expect(() => parseShardPlan('8', '8')).toThrow('--shards 8: shard ids run from 0 to 7');
    expect(() => parseShardPlan('3-1', '8')).toThrow('runs low to high');
    expect(() => parseShardPlan('0-3', undefined)).toThrow('--shard-count');
    expect(() => parseShardPlan('auto', '8')).toThrow('--shards auto asks Discord');
    expect(() => parseShardPlan('0', undefined)).toThrow('--shards wants a whole number from 1');
    expect(() => parseShardPlan('two', undefined)).toThrow('--shards wants "auto"');
    expect(() => parseShardPlan('1', '0')).toThrow('--shard-count wants a whole number from 1');
    expect(() => parseShardPlan('1', '1.5')).toThrow('--shard-count');
    expect(() => parseShardPlan('-1', '4')).toThrow('--shards');
  });
});

describe('ops listen address of a Discord process', () => {
  it('moves each shard process one port up and keeps port 0 (any free port)', () => {
    expect(offsetListen('127.0.0.1:9500', 0)).toEqual({ host: '127.0.0.1', port: 9500 });
    expect(offsetListen('127.0.0.1:9500', 3)).toEqual({ host: '127.0.0.1', port: 9503 });
    expect(offsetListen('0.0.0.0:0', 3)).toEqual({ host: '0.0.0.0', port: 0 });
    expect(() => offsetListen('127.0.0.1:65535', 1)).toThrow('above 65535');
    expect(() => offsetListen('nope', 0)).toThrow('--ops wants HOST:PORT');
  });

  it('takes --ops first, then config.ops.listen, then HEARTH_OPS_LISTEN', () => {
    const saved = process.env.HEARTH_OPS_LISTEN;
    process.env.HEARTH_OPS_LISTEN = '127.0.0.1:9700';
    try {
      expect(opsListen('127.0.0.1:1', { ops: { listen: '127.0.0.1:2' } })).toBe('127.0.0.1:1');
      expect(opsListen(undefined, { ops: { listen: '127.0.0.1:2' } })).toBe('127.0.0.1:2');
      expect(opsListen(undefined, {})).toBe('127.0.0.1:9700');
      delete process.env.HEARTH_OPS_LISTEN;
      expect(opsListen(undefined, {})).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.HEARTH_OPS_LISTEN;
      else process.env.HEARTH_OPS_LISTEN = saved;
    }
  });
});

describe('isReply (the replies counter)', () => {
  it('counts posted messages, interaction answers and follow-ups, not edits or reads', () => {
    expect(isReply('POST', '/channels/123/messages')).toBe(true);
    expect(isReply('POST', '/interactions/1/tok/callback')).toBe(true);
    expect(isReply('POST', '/webhooks/9/tok')).toBe(true);
    expect(isReply('PATCH', '/channels/123/messages/:id')).toBe(false);
    expect(isReply('GET', '/channels/123/messages')).toBe(false);
    expect(isReply('POST', '/channels/123/typing')).toBe(false);
  });
});
