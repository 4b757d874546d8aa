import type { Caller } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import {
  canAddKnowledge,
  canCallTool,
  canModifySource,
  canReadArtifact,
  canReadSource,
  canUseModel,
  ownConversationId,
  partyOf,
  type SourceScope,
} from '../../src/access/index.js';

const base = { roles: [] as string[], isAdmin: false };
const parties: Record<string, Caller> = {
  operator: { ...base, surface: 'cli', userId: 'me', isAdmin: true },
  writer: { ...base, surface: 'mcp', userId: 'ops', grants: ['knowledge:read', 'knowledge:write'] },
  reader: { ...base, surface: 'mcp', userId: 'reader', grants: ['knowledge:read'] },
  blind: { ...base, surface: 'mcp', userId: 'blind', grants: [] },
  adminA: { ...base, surface: 'discord', userId: 'a1', guildId: 'A', channelId: 'A1', isAdmin: true },
  memberA: { ...base, surface: 'discord', userId: 'm1', guildId: 'A', channelId: 'A1' },
  adminB: { ...base, surface: 'discord', userId: 'b1', guildId: 'B', channelId: 'B1', isAdmin: true },
  dm: { ...base, surface: 'discord', userId: 'd1', channelId: 'DM1' },
};
const sources: Record<string, SourceScope> = {
  global: { scope: 'global' },
  guildA: { scope: 'guild', guildId: 'A' },
  channelA1: { scope: 'channel', guildId: 'A', channelId: 'A1' },
  channelA2: { scope: 'channel', guildId: 'A', channelId: 'A2' },
};

// The table docs/security.md shows: R = may read, W = may also change.
const expected: Record<string, Record<string, '' | 'R' | 'RW'>> = {
  operator: { global: 'RW', guildA: 'RW', channelA1: 'RW', channelA2: 'RW' },
  writer: { global: 'RW', guildA: '', channelA1: '', channelA2: '' },
  reader: { global: 'R', guildA: '', channelA1: '', channelA2: '' },
  blind: { global: '', guildA: '', channelA1: '', channelA2: '' },
  adminA: { global: 'R', guildA: 'RW', channelA1: 'RW', channelA2: '' },
  memberA: { global: 'R', guildA: 'R', channelA1: 'R', channelA2: '' },
  adminB: { global: 'R', guildA: '', channelA1: '', channelA2: '' },
  dm: { global: 'R', guildA: '', channelA1: '', channelA2: '' },
};

describe('knowledge rules', () => {
  for (const [party, caller] of Object.entries(parties)) {
    it(`${party} (${partyOf(caller)})`, () => {
      const got = Object.fromEntries(
        Object.entries(sources).map(([name, s]) => [
          name,
          `${canReadSource(s, caller) ? 'R' : ''}${canModifySource(s, caller) ? 'W' : ''}`,
        ]),
      );
      expect(got).toEqual(expected[party]);
    });
  }
  it('only admins, MCP writers and the operator may add, each to their own scope', () => {
    const adders = Object.entries(parties)
      .filter(([, c]) => canAddKnowledge(c))
      .map(([p]) => p);
    expect(adders).toEqual(['operator', 'writer', 'adminA', 'adminB']);
  });
});

describe('other resources', () => {
  it('artifacts belong to the principal and guild that made them', () => {
    const owner = { principal: 'ops' };
    expect(canReadArtifact(owner, parties.writer!)).toBe(true);
    expect(canReadArtifact(owner, parties.reader!)).toBe(false);
    expect(canReadArtifact({ principal: 'ops', guildId: 'A' }, parties.writer!)).toBe(false);
    expect(canReadArtifact(undefined, parties.writer!)).toBe(false);
  });
  it('plugins name only configured, allowed or embedded models', () => {
    const policy = { configured: { chat: 'openai:m@http://127.0.0.1:8080/v1', embed: 'local' }, allowed: ['hf:org/x'] };
    expect(canUseModel(undefined, 'chat', policy)).toBe(true);
    expect(canUseModel('openai:m@http://127.0.0.1:8080/v1', 'chat', policy)).toBe(true);
    expect(canUseModel('openai:m@http://u:p@127.0.0.1:8080/v1', 'chat', policy)).toBe(true);
    expect(canUseModel('openai:m@http://127.0.0.1:9090/v1', 'chat', policy)).toBe(false);
    expect(canUseModel('hf:org/x', 'chat', policy)).toBe(true);
    expect(canUseModel('local', 'chat', policy)).toBe(true);
    expect(canUseModel('gguf:/etc/passwd', 'chat', policy)).toBe(false);
    expect(canUseModel('local:mini', 'embed', policy)).toBe(true);
    expect(canUseModel('hf:org/e@https://evil.example', 'embed', policy)).toBe(false);
    expect(canUseModel('not a ref', 'image', policy)).toBe(false);
  });
  it('conversation ids stay in the caller’s namespace', () => {
    expect(ownConversationId(parties.writer!)).toBe('mcp:ops');
    expect(ownConversationId(parties.writer!, 'mcp:reader')).toBe('mcp:ops:mcp:reader');
  });
  it('admin-only tools need an admin caller', () => {
    expect(canCallTool('admin', parties.memberA!)).toBe(false);
    expect(canCallTool('admin', parties.adminA!)).toBe(true);
    expect(canCallTool('everyone', parties.dm!)).toBe(true);
  });
});
