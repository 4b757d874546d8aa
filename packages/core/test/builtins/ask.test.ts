import type { Caller, ToolContext } from '@hearth/sdk';
import { describe, expect, it } from 'vitest';
import { askTool } from '../../src/builtins/ask.js';
import { NOT_COVERED_TEXT } from '../../src/engine/extractive.js';
import type { Engine, TurnResult } from '../../src/engine/types.js';
import { testEngine } from '../engine/helpers.js';

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

describe('the ask built-in on the offline answer path', () => {
  const docs = [
    {
      id: 'mcp',
      title: 'MCP',
      text: '| variable | meaning |\n| --- | --- |\n| `HEARTH_MCP_TOKEN` | bearer token required by `hearth mcp --http` |',
    },
  ];
  const reader = agent(['knowledge:read']);

  it('returns the passage with its source, and notCovered only when the text says so', async () => {
    const t = await testEngine({ docs, noChatModel: true });
    try {
      const tool = askTool(t.engine);
      const covered = await tool.run(
        { question: 'Which environment variable sets the bearer token of the MCP server?' },
        ctx(reader),
      );
      expect(covered).toMatchObject({
        data: {
          answer: expect.stringContaining('`HEARTH_MCP_TOKEN`: bearer token required by `hearth mcp --http`'),
          sources: [{ n: 1, title: 'MCP' }],
          notCovered: false,
        },
      });
      const off = await tool.run({ question: 'What is the capital of France?' }, ctx(reader));
      expect(off).toMatchObject({ data: { answer: NOT_COVERED_TEXT, sources: [], notCovered: true } });
      const hi = await tool.run({ question: 'thanks, that helped' }, ctx(reader));
      expect(hi).toMatchObject({ data: { sources: [], notCovered: false } });
      expect((hi as { data: { answer: string } }).data.answer).not.toContain('HEARTH_MCP_TOKEN');
    } finally {
      t.cleanup();
    }
  });
});
