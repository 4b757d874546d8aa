import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisteredTool } from '@hearth/core';
import { describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../src/mcp/artifacts.js';
import { toCallToolResult } from '../../src/mcp/content.js';
import { ownerOf } from '../../src/mcp/owner.js';

const tool = (render?: RegisteredTool['render']) =>
  ({
    name: 'quiz_ask',
    outputSchema: { type: 'object', properties: { answer: { type: 'number' } } },
    render,
  }) as unknown as RegisteredTool;
const ctx = (version: string) => ({
  artifacts: new ArtifactStore(mkdtempSync(join(tmpdir(), 'hearth-content-')), 5),
  version,
  owner: ownerOf({ surface: 'mcp', userId: 'agent', roles: [], isAdmin: false }),
});
const result = { content: [{ type: 'text' as const, text: 'Which number?' }], data: { answer: 42 } };
const texts = (r: { content: { type: string; text?: string }[] }) =>
  r.content.filter((c) => c.type === 'text').map((c) => c.text);

describe('structured results and render.mcp.dataAsText', () => {
  it('adds the JSON copy of structuredContent as the last text block by default', async () => {
    const r = await toCallToolResult(result, tool(), ctx('2025-06-18'));
    expect(r.structuredContent).toEqual({ answer: 42 });
    expect(texts(r)).toEqual(['Which number?', JSON.stringify({ answer: 42 }, null, 2)]);
  });

  it('leaves the copy out when the tool asks, but never for a session without structuredContent', async () => {
    const hidden = tool({ mcp: { dataAsText: false } });
    const modern = await toCallToolResult(result, hidden, ctx('2025-06-18'));
    expect(modern.structuredContent).toEqual({ answer: 42 });
    expect(texts(modern)).toEqual(['Which number?']);
    const old = await toCallToolResult(result, hidden, ctx('2025-03-26'));
    expect(old.structuredContent).toBeUndefined();
    expect(texts(old)).toEqual(['Which number?', JSON.stringify({ answer: 42 }, null, 2)]);
  });
});
