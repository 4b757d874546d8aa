/**
 * The offline answer path on a real knowledge store (LanceDB + the local embedder in a temp data
 * folder) and a real engine with no chat model: shared by the docs QA test and bench/answers.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '@hearth/sdk';
import { configSchema, type HearthConfig } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine/index.js';
import type { Engine, TurnResult } from '../../src/engine/types.js';
import { openKnowledgeStore } from '../../src/knowledge/index.js';
import type { KnowledgeStore } from '../../src/knowledge/types.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { ToolRegistry } from '../../src/plugins/registry.js';
import { createModelRegistry } from '../../src/providers/registry.js';
import { openStorage } from '../../src/storage/index.js';

/** The repository root (four levels above this file). */
export const REPO_ROOT = join(import.meta.dirname, '../../../..');

const asker: Caller = { surface: 'cli', userId: 'bench', roles: [], isAdmin: true };

/** An engine over a fresh knowledge store; `chat: undefined` answers with no chat model. */
export async function answerPath(options: { chat?: string; engine?: Partial<HearthConfig['engine']> } = {}): Promise<{
  engine: Engine;
  knowledge: KnowledgeStore;
  ask: (text: string, onToken?: (t: string) => void) => Promise<TurnResult>;
  close: () => Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-answers-'));
  const config: HearthConfig = {
    ...configSchema.parse({ dataDir, logLevel: 'silent', models: { chat: options.chat }, engine: options.engine }),
    secrets: {},
  };
  const redactor = new Redactor();
  const log = createLogger({ level: 'silent', redactor });
  const storage = await openStorage({ dataDir, databaseUrl: '' });
  const real = await createModelRegistry(config, { log, redactor });
  const models = options.chat
    ? real
    : { ...real, has: (task: 'chat' | 'embed' | 'image') => task !== 'chat' && real.has(task) };
  const knowledge = await openKnowledgeStore({ dir: join(dataDir, 'knowledge'), embedder: await models.embedder() });
  const engine = await createEngine({
    config,
    conversations: storage.conversations,
    models,
    knowledge,
    registry: new ToolRegistry(),
    log,
    redactor,
  });
  let turn = 0;
  return {
    engine,
    knowledge,
    // a fresh conversation per question: answers must not lean on earlier turns
    ask: (text, onToken) =>
      engine.turn({ conversation: { surface: 'cli', sessionId: `q${turn++}` }, text, caller: asker, onToken }),
    close: async () => {
      await knowledge.close();
      await models.close();
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Hearth's own user docs: README.md and docs/*.md (not docs/dev). */
export function userDocs(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(REPO_ROOT, 'docs', f));
  return [join(REPO_ROOT, 'README.md'), ...docs];
}

/** One question of bench/data/docs-qa.json: the answer must contain `fact` (or one of them). */
export interface DocsQuestion {
  q: string;
  fact: string | string[];
}

/** The docs QA set: questions with facts, small talk, and off-topic questions to decline. */
export interface DocsQa {
  questions: DocsQuestion[];
  smallTalk: string[];
  offTopic: string[];
}

export function loadDocsQa(): DocsQa {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'bench/data/docs-qa.json'), 'utf8')) as DocsQa;
}

/** Result of the docs QA set. */
export interface DocsQaReport {
  answered: number;
  total: number;
  misses: { q: string; fact: string | string[]; answer: string }[];
  smallTalkOk: number;
  smallTalkTotal: number;
  declined: number;
  offTopicTotal: number;
  wrongly: string[];
  /** Answers where a model's draft passed the check and was shown (the rest are passages or declines). */
  draftsShown: number;
}

/** Ingests the user docs into a fresh store and runs the docs QA set through the engine. */
export async function runDocsQa(options: { chat?: string } = {}): Promise<DocsQaReport> {
  const set = loadDocsQa();
  const path = await answerPath(options);
  try {
    await path.knowledge.ingest(userDocs());
    const misses: DocsQaReport['misses'] = [];
    let draftsShown = 0;
    for (const item of set.questions) {
      const r = await path.ask(item.q);
      if (r.grounding && !r.grounding.replaced) draftsShown++;
      const facts = Array.isArray(item.fact) ? item.fact : [item.fact];
      if (r.notCovered || !facts.some((f) => r.text.includes(f)))
        misses.push({ q: item.q, fact: item.fact, answer: r.text });
    }
    const wrongly: string[] = [];
    let smallTalkOk = 0;
    for (const q of set.smallTalk) {
      const r = await path.ask(q);
      if (!r.notCovered && r.citations.length === 0 && !r.text.includes('[')) smallTalkOk++;
      else wrongly.push(`small talk "${q}": ${r.text}`);
    }
    let declined = 0;
    for (const q of set.offTopic) {
      const r = await path.ask(q);
      if (r.notCovered && r.citations.length === 0) declined++;
      else wrongly.push(`off-topic "${q}": ${r.text}`);
    }
    return {
      answered: set.questions.length - misses.length,
      total: set.questions.length,
      misses,
      smallTalkOk,
      smallTalkTotal: set.smallTalk.length,
      declined,
      offTopicTotal: set.offTopic.length,
      wrongly,
      draftsShown,
    };
  } finally {
    await path.close();
  }
}
