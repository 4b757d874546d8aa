import type { Caller, ToolContext } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { askTool } from '../../src/builtins/ask.js';
import type { Engine, TurnResult } from '../../src/engine/types.js';

const answer: TurnResult = {
  text: 'At nine [1].',
  citations: [{ n: 1, sourceId: 's', title: 'Hours', uri: 'hours.md', excerpt: 'Opens at nine.' }],
  toolCalls: [],
  attachments: [],
  notCovered: false,
  model: 'local',
  grounding: { support: 1, replaced: false },
};
const engine = { turn: async () => answer } as unknown as Engine;
const ctx = (caller: Caller) =>
  ({ caller, signal: new AbortController().signal, progress: () => {} }) as unknown as ToolContext;
const agent = (grants: Caller['grants']): Caller => ({
  surface: 'mcp',
  userId: 'bot-7',
  roles: [],
  isAdmin: false,
  grants,
});

describe('the ask built-in', () => {
  it('answers an agent granted knowledge:read with sources and the grounding score', async () => {
    const r = await askTool(engine).run({ question: 'When does it open?' }, ctx(agent(['knowledge:read'])));
    expect(r).toMatchObject({
      data: { answer: 'At nine [1].', sources: [{ n: 1, title: 'Hours' }], notCovered: false, support: 1 },
    });
  });

  it('refuses an agent without knowledge:read, since answers quote the knowledge base', async () => {
    await expect(askTool(engine).run({ question: 'When does it open?' }, ctx(agent([])))).rejects.toThrow(
      'the operator has not granted "knowledge:read" to bot-7',
    );
  });
});
