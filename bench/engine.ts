/**
 * Engine overhead per turn, model time excluded: prompt assembly, memory read/write (SQLite),
 * citation checks, streaming and tool dispatch through the real registry. The chat model answers
 * instantly in process and the time spent inside it is subtracted; retrieval returns 4 fixed hits
 * (the knowledge store has its own benchmark). Baseline: the same turn on an empty conversation.
 * `pnpm bench engine`; results in docs/benchmarks/engine.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
// relative imports: bench/ is not a workspace package
import { configSchema } from '../packages/core/src/config/schema.js';
import { createEngine } from '../packages/core/src/engine/index.js';
import type { Engine } from '../packages/core/src/engine/types.js';
import type { KnowledgeStore, SearchHit } from '../packages/core/src/knowledge/types.js';
import { createLogger } from '../packages/core/src/log/logger.js';
import { Redactor } from '../packages/core/src/log/redact.js';
import { registeredTool } from '../packages/core/src/plugins/adapt.js';
import { ToolRegistry } from '../packages/core/src/plugins/registry.js';
import { approxTokens } from '../packages/core/src/providers/tokens.js';
import type { ChatChunk, ChatModel, ChatRequest, ModelRegistry } from '../packages/core/src/providers/types.js';
import { openStorage } from '../packages/core/src/storage/index.js';
import { type Caller, defineTool, PERMISSIONS } from '../packages/sdk/src/index.js';

const HISTORY_TURNS = 200;
const SAMPLES = 300;
const caller: Caller = { surface: 'discord', userId: 'u1', guildId: 'g1', channelId: 'c1', roles: [], isAdmin: false };

/** Time spent inside the model, subtracted from each turn. */
let modelMs = 0;

function instantModel(): ChatModel {
  const answer = (req: ChatRequest) => {
    const last = req.messages.at(-1);
    const wantsTool = req.tools?.length && last?.role === 'user' && last.content.startsWith('roll');
    return wantsTool
      ? {
          text: '',
          toolCalls: [{ id: 'c1', name: 'dice', arguments: '{"sides":6}' }],
          finishReason: 'tool_calls' as const,
        }
      : {
          text: 'The meetup starts at 19:00 UTC on Thursdays [1], in the voice channel [2].',
          toolCalls: [],
          finishReason: 'stop' as const,
        };
  };
  return {
    ref: 'bench:instant',
    supportsTools: true,
    async chat(req) {
      const t = performance.now();
      const out = answer(req);
      modelMs += performance.now() - t;
      return out;
    },
    async *stream(req): AsyncGenerator<ChatChunk> {
      let t = performance.now();
      const out = answer(req);
      const words = out.text.match(/\S+\s*/g) ?? [];
      modelMs += performance.now() - t;
      for (const w of words) yield { type: 'text', text: w };
      for (const call of out.toolCalls) yield { type: 'tool_call', call };
      t = performance.now();
      yield { type: 'done', finishReason: out.finishReason };
      modelMs += performance.now() - t;
    },
    async complete() {
      return '';
    },
    countTokens: approxTokens,
  };
}

function fixedKnowledge(): KnowledgeStore {
  const hits: SearchHit[] = [1, 2, 3, 4].map((i) => ({
    id: `d${i}#0`,
    sourceId: `d${i}`,
    title: `Doc ${i}`,
    text: `The weekly meetup starts at 19:00 UTC every Thursday. Paragraph ${i} about events, rules and the voice channel. `.repeat(
      4,
    ),
    score: 1 / i,
    source: `docs/d${i}.md`,
  }));
  const none = async (): Promise<never> => {
    throw new Error('unused');
  };
  return {
    search: async () => hits,
    ingest: none,
    load: none,
    ingestLoaded: none,
    addText: none,
    listSources: async () => [],
    getSource: async () => undefined,
    removeSource: async () => false,
    reindex: none,
    onChange: () => () => {},
    close: async () => {},
  };
}

async function setup(dir: string): Promise<Engine> {
  const config = {
    ...configSchema.parse({ dataDir: dir, models: { chat: 'openai:bench@http://127.0.0.1:9/v1' } }),
    secrets: {},
  };
  const redactor = new Redactor();
  const log = createLogger({ level: 'silent', redactor });
  const model = instantModel();
  const models: ModelRegistry = {
    chat: async () => model,
    embedder: none,
    image: none,
    has: () => true,
    describe: () => ({ chat: 'bench:instant', embed: undefined, image: undefined }),
    close: async () => {},
  };
  const registry = new ToolRegistry();
  const dice = defineTool({
    name: 'dice',
    description: 'Roll a die',
    input: z.object({ sides: z.number().int().min(2) }),
    run: async (i) => `rolled ${i.sides}`,
  });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  registry.add([
    registeredTool({
      tool: dice,
      name: 'dice',
      origin: { kind: 'builtin' },
      ownerId: 'bench',
      granted: new Set(PERMISSIONS),
      defaultTimeoutMs: 10_000,
      services: () => ({}) as never,
      log: () => silent,
    }),
  ]);
  const { conversations } = await openStorage({ dataDir: dir, databaseUrl: '' });
  return createEngine({ config, conversations, models, knowledge: fixedKnowledge(), registry, log, redactor });
}

async function none(): Promise<never> {
  throw new Error('unused in this benchmark');
}

async function sample(n: number, call: (i: number) => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 30; i++) await call(-1 - i); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    modelMs = 0;
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t - modelMs);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)] as number, p95: times[Math.floor(n * 0.95)] as number };
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-engine-'));
  try {
    const engine = await setup(dir);
    const key = (id: string) => ({ surface: 'discord' as const, guildId: 'g1', channelId: id });
    const text = (i: number) => `Question ${i}: when does the weekly meetup start, and where is it held?`;
    const onToken = () => {};
    // baseline: a fresh conversation every time (no history to read or summarise)
    const empty = await sample(SAMPLES, (i) =>
      engine.turn({ conversation: key(`fresh-${i}`), text: text(i), caller, onToken }),
    );
    for (let i = 0; i < HISTORY_TURNS; i++) await engine.turn({ conversation: key('long'), text: text(i), caller });
    const long = await sample(SAMPLES, (i) =>
      engine.turn({ conversation: key('long'), text: text(i), caller, onToken }),
    );
    const plain = await sample(SAMPLES, (i) => engine.turn({ conversation: key('long'), text: text(i), caller }));
    const tool = await sample(SAMPLES, (i) =>
      engine.turn({ conversation: key('long'), text: `roll a die (${i})`, caller }),
    );
    const preview = await sample(SAMPLES, (i) =>
      engine.previewPrompt({ conversation: key('long'), text: text(i), caller }),
    );
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const row = (name: string, r: { median: number; p95: number }) =>
      `| ${name} | ${ms(r.median)} | ${ms(r.p95)} | ${(r.median / empty.median).toFixed(2)}x |`;
    return [
      '## engine',
      '',
      `Engine overhead per turn with the model's own time subtracted (instant in-process model, 4 fixed retrieval hits, SQLite in a temp data folder), ${SAMPLES} turns each. Goal: median < 5 ms with ${HISTORY_TURNS} turns of history.`,
      '',
      '| turn | median | p95 | vs empty conversation |',
      '| --- | --- | --- | --- |',
      row('baseline: empty conversation, streamed', empty),
      row(`${HISTORY_TURNS}+ turns of history, streamed (onToken)`, long),
      row(`${HISTORY_TURNS}+ turns of history, not streamed`, plain),
      row(`${HISTORY_TURNS}+ turns, one tool call (2 model rounds, registry dispatch)`, tool),
      row(`previewPrompt only (memory read + retrieval + assembly), ${HISTORY_TURNS}+ turns`, preview),
      '',
      `Goal (median < 5 ms with ${HISTORY_TURNS} turns of history): ${long.median < 5 && tool.median < 5 ? 'met' : 'NOT met'}.`,
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
