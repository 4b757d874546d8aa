import { HearthError, ValidationError } from '@hearth/sdk';
import type { HearthConfig } from '../config/schema.js';
import type { KnowledgeStore, SearchHit } from '../knowledge/types.js';
import { AdapterStore } from '../local-models/adapter-store.js';
import type { HearthLogger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { ToolRegistry } from '../plugins/registry.js';
import { approxTokens } from '../providers/tokens.js';
import type { ChatModel, ImageInput, ModelRegistry, ProviderMessage } from '../providers/types.js';
import { type ConversationRepository, SqliteConversations } from '../storage/conversations.js';
import type { HearthDatabase } from '../storage/database.js';
import { checkCitations } from './citations.js';
import { conversationId } from './conversation-store.js';
import { guardConversations } from './conversations.js';
import { extractiveAnswer, NOT_COVERED_TEXT } from './extractive.js';
import { answerSupport, unsupported } from './grounding.js';
import { type PromptHistory, selectHistory } from './history.js';
import { answerCancelled, runModelLoop } from './model-loop.js';
import { BUILTIN_PERSONAS_DIR, loadPersonas, type Persona } from './personas.js';
import { assemblePrompt, type PromptParts } from './prompt.js';
import { smallTalk, smallTalkReply } from './question.js';
import { type NumberedSource, relevantSources } from './sources.js';
import { toolSpecsFor } from './tools.js';
import type { Engine, TurnInput, TurnResult } from './types.js';
import { emitChecked, VerifiedSentences } from './verify.js';

export { CitationStreamFilter, checkCitations } from './citations.js';
export { conversationId } from './conversation-store.js';
export { DatabaseUnavailableError } from './conversations.js';
export {
  askedTerms,
  bestPassage,
  covers,
  extractiveAnswer,
  MIN_COVERAGE,
  MIN_MATCHED_SHARE,
  MISSING_NAME_COST,
  NOT_COVERED_TEXT,
} from './extractive.js';
export { splitSentences, splitUnits } from './passages.js';
export { loadPersonas, type Persona, parsePersona } from './personas.js';
export { assemblePrompt, type PromptParts } from './prompt.js';
export { questionType, smallTalk } from './question.js';

/** What the engine is built from (see runtime.ts). */
export interface EngineDeps {
  config: HearthConfig;
  /**
   * Conversations, summaries and guild personas (`Hearth.database.conversations`): SQLite in the
   * data folder or the shared PostgreSQL, so any process can continue any conversation.
   */
  conversations?: ConversationRepository;
  /** @deprecated pass `conversations`; a SQLite connection is wrapped in {@link SqliteConversations}. */
  db?: HearthDatabase;
  models: ModelRegistry;
  knowledge: KnowledgeStore;
  registry: ToolRegistry;
  log: HearthLogger;
  redactor: Redactor;
}

/** A turn's answer before the citation check, with the numbered sources its citations refer to. */
type Answer = Pick<TurnResult, 'text' | 'toolCalls' | 'attachments' | 'grounding'> & { sources: NumberedSource[] };

/** Name of the answer mode used when no chat model is usable. */
export const EXTRACTIVE_MODEL = 'extractive';

/**
 * Creates the conversation engine shared by Discord, MCP `ask` and `hearth chat`: conversation
 * memory (SQLite or PostgreSQL) within a token budget, persona files, retrieval with numbered quoted sources, tool calls through
 * the registry, citation post-check, streaming and cancellation; an extractive grounded answer
 * when no chat model is usable.
 */
export async function createEngine(deps: EngineDeps): Promise<Engine> {
  const { config, log } = deps;
  const repo = deps.conversations ?? (deps.db ? new SqliteConversations(deps.db) : undefined);
  if (!repo) throw new Error('createEngine needs `conversations` (Hearth.database.conversations)');
  const store = guardConversations(repo);
  // `hearth adapters use <name> [--guild ID]` writes the assignments this reads on every turn
  const adapters = new AdapterStore(config.dataDir);
  let personas = loadPersonas([BUILTIN_PERSONAS_DIR, config.engine.personasDir]);

  async function personaFor(input: Pick<TurnInput, 'persona' | 'conversation' | 'caller'>): Promise<Persona> {
    const guildId = input.caller.guildId ?? input.conversation.guildId;
    const guildPersona = !input.persona && guildId ? await store.guildPersona(guildId) : undefined;
    const wanted = input.persona ?? guildPersona ?? config.engine.persona;
    const persona = personas.get(wanted) ?? personas.get('default');
    if (!persona)
      throw new HearthError(
        'invalid_persona',
        `No persona "${wanted}" and no default persona: check engine.personasDir.`,
      );
    return persona;
  }

  /** The chat model, or undefined (with the reason logged) when none is usable: answers become extractive. */
  async function chatModel(): Promise<ChatModel | undefined> {
    if (!deps.models.has('chat')) return undefined;
    try {
      return await deps.models.chat();
    } catch (err) {
      log.warn({ err: deps.redactor.redact((err as Error).message) }, 'no usable chat model; answering extractively');
      return undefined;
    }
  }

  async function retrieve(
    input: Omit<TurnInput, 'onToken' | 'onProgress'>,
  ): Promise<{ hits: SearchHit[]; ran: boolean }> {
    if (input.noRetrieval || config.engine.retrieveK === 0) return { hits: [], ran: false };
    try {
      const hits = await deps.knowledge.search(input.text, {
        // more candidates than the prompt takes: the offline answer picks its passage among them
        k: Math.min(20, Math.max(8, 2 * config.engine.retrieveK)),
        scope: {
          guildId: input.caller.guildId ?? input.conversation.guildId,
          channelId: input.caller.channelId ?? input.conversation.channelId,
        },
        signal: input.signal,
      });
      return { hits, ran: true };
    } catch (err) {
      if (input.signal?.aborted) throw err;
      log.warn(
        { err: deps.redactor.redact((err as Error).message) },
        'knowledge search failed; answering without sources',
      );
      return { hits: [], ran: false };
    }
  }

  /** Everything a turn needs before the model runs; previewPrompt returns its messages. */
  async function prepare(input: Omit<TurnInput, 'onToken' | 'onProgress'>) {
    const text = input.text.trim();
    if (!text) throw new ValidationError('The message is empty: type a question.');
    const id = conversationId(input.conversation);
    const talk = smallTalk(text);
    const [model, retrieval, persona] = await Promise.all([
      chatModel(),
      retrieve({ ...input, text, noRetrieval: input.noRetrieval || talk !== undefined }),
      personaFor(input),
    ]);
    const countTokens = (t: string) => (model ? model.countTokens(t) : approxTokens(t));
    const selected = await selectHistory(store, id, config.engine.historyTokens, countTokens);
    const history = input.regenerate ? withoutLastExchange(selected, text) : selected;
    const pool = relevantSources(text, retrieval.hits);
    const sources = pool.slice(0, config.engine.retrieveK);
    const tools = model && config.engine.maxToolSteps > 0 ? toolSpecsFor(deps.registry, input.caller) : [];
    const parts: PromptParts = {
      persona,
      summary: history.summary,
      history: history.messages,
      question: text,
      sources,
      retrieval: !retrieval.ran ? 'skipped' : sources.length ? 'found' : 'none',
      tools,
      toolMode: !tools.length ? 'none' : model?.supportsTools ? 'native' : 'parsed',
    };
    return { id, text, talk, pool, model, persona, history, parts, countTokens, messages: assemblePrompt(parts) };
  }

  /** A local model's draft, shown sentence by sentence as each passes the check, else the best passage. */
  async function localAnswer(
    p: Awaited<ReturnType<typeof prepare>>,
    input: TurnInput,
    model: ChatModel,
  ): Promise<Answer> {
    const found = p.parts.retrieval === 'found';
    // decline before drafting: a draft cannot answer what the sources do not cover
    const fallback = found ? extractiveAnswer(p.text, p.pool) : NOT_COVERED_TEXT;
    if (fallback === NOT_COVERED_TEXT && p.parts.retrieval !== 'skipped') {
      await emitChecked(fallback, input.onToken);
      return { text: fallback, toolCalls: [], attachments: [], sources: [] };
    }
    if (!found) {
      // retrieval skipped on request: nothing to check against, shown once complete
      const out = await runModelLoop({ ...loopInput(p, input, model), onToken: undefined });
      await emitChecked(checkCitations(out.text, p.parts.sources).text, input.onToken);
      return { ...out, sources: p.parts.sources };
    }
    // sentences reach the surface only once complete and checked against the sources
    const verified = new VerifiedSentences(p.text, p.parts.sources, config.engine.minSupport, input.onToken);
    let out: Awaited<ReturnType<typeof runModelLoop>>;
    let failed = false;
    try {
      out = await runModelLoop({
        ...loopInput(p, input, model),
        onToken: input.onToken ? (t: string) => verified.push(t) : undefined,
      });
      if (!input.onToken) await verified.push(checkCitations(out.text, p.parts.sources).text);
      await verified.end();
    } catch (err) {
      if (input.signal?.aborted || (err instanceof HearthError && err.code === 'cancelled')) throw err;
      // a draft that fails (e.g. a prompt longer than the model's context) is a draft to replace
      log.warn({ err: deps.redactor.redact((err as Error).message) }, 'local model failed; quoting the sources');
      out = { text: '', toolCalls: [], attachments: [] };
      failed = true;
    }
    // what was shown before a failure stays the answer: the surface already has it
    const shown = verified.shown.trim();
    // routine for a model this small: the log file keeps it, the terminal does not
    if (!failed && verified.reason)
      log.info(
        { reason: verified.reason, shownChars: shown.length },
        'local draft cut at its first unsupported sentence',
      );
    const replace = !shown;
    if (replace) await emitChecked(checkCitations(fallback, p.pool).text, input.onToken);
    const support = failed && replace ? 0 : answerSupport(replace ? out.text : shown, p.parts.sources).score;
    return {
      ...out,
      text: replace ? fallback : shown,
      sources: replace ? p.pool : p.parts.sources,
      grounding: { support: Number(support.toFixed(3)), replaced: replace },
    };
  }

  function loopInput(p: Awaited<ReturnType<typeof prepare>>, input: TurnInput, model: ChatModel) {
    return {
      model,
      messages: withImages(p.messages, input.images),
      tools: p.parts.tools,
      toolMode: p.parts.toolMode,
      persona: p.persona,
      sources: p.parts.sources,
      registry: deps.registry,
      caller: input.caller,
      maxSteps: config.engine.maxToolSteps,
      log,
      signal: input.signal,
      adapter: isLocal(model.ref) ? adapters.resolve(input.conversation.guildId) : undefined,
      onToken: input.onToken,
      onProgress: input.onProgress,
    };
  }

  /** A remote model's answer: streamed as it comes, then checked and flagged (replaced only when configured). */
  async function remoteAnswer(
    p: Awaited<ReturnType<typeof prepare>>,
    input: TurnInput,
    model: ChatModel,
  ): Promise<Answer> {
    const out = await runModelLoop(loopInput(p, input, model));
    if (p.parts.retrieval !== 'found' || out.toolCalls.length) return { ...out, sources: p.parts.sources };
    const support = answerSupport(out.text, p.parts.sources);
    const replace = config.engine.grounding === 'replace';
    const bad = unsupported(support, config.engine.minSupport);
    if (bad) log.info({ support: support.score, replaced: replace }, 'answer not supported by its sources');
    return {
      ...out,
      text: bad && replace ? extractiveAnswer(p.text, p.pool) : out.text,
      sources: bad && replace ? p.pool : p.parts.sources,
      grounding: { support: Number(support.score.toFixed(3)), replaced: bad && replace },
    };
  }

  return {
    async turn(input) {
      // surfaces validate their own inputs; this guards the engine against one that did not
      if (typeof input.text !== 'string')
        throw new ValidationError(`A question must be text, not ${input.text === null ? 'null' : typeof input.text}.`);
      const p = await prepare(input);
      let answer: Answer;
      const local = !p.model || isLocal(p.model.ref);
      // local answers are checked before they are shown, unless the operator asked only to flag them
      const guarded = !p.model || (local && config.engine.grounding !== 'flag');
      if (p.talk && local) {
        // greetings and thanks need no sources; a remote model converses on its own
        answer = { text: smallTalkReply(p.talk), toolCalls: [], attachments: [], sources: [] };
        await emitChecked(answer.text, input.onToken);
      } else if (!p.model) {
        const text = p.parts.retrieval === 'found' ? extractiveAnswer(p.text, p.pool) : NOT_COVERED_TEXT;
        await emitChecked(checkCitations(text, p.pool).text, input.onToken);
        answer = { text, toolCalls: [], attachments: [], sources: p.pool };
      } else if (guarded) answer = await localAnswer(p, input, p.model);
      else answer = await remoteAnswer(p, input, p.model);
      if (input.signal?.aborted) throw answerCancelled(input.signal);
      const checked = checkCitations(answer.text, answer.sources);
      const text = checked.text.trim() || '(no answer)';
      await store.appendExchange(
        p.id,
        [
          { role: 'user', content: p.text, tokens: p.countTokens(p.text) },
          { role: 'assistant', content: text, tokens: p.countTokens(text) },
        ],
        p.history.updatedSummary,
        input.regenerate ? { replacing: p.text } : undefined,
      );
      return {
        text,
        citations: checked.citations,
        toolCalls: answer.toolCalls,
        attachments: answer.attachments,
        // the text says so exactly when this is true (a remote model told nothing matched may still answer)
        notCovered: guarded ? text === NOT_COVERED_TEXT : p.parts.retrieval === 'none' && answer.toolCalls.length === 0,
        model: p.model?.ref ?? EXTRACTIVE_MODEL,
        ...(answer.grounding ? { grounding: answer.grounding } : {}),
      };
    },
    async previewPrompt(input) {
      const p = await prepare(input);
      return p.messages.map((m) => ({ role: m.role, content: m.content }));
    },
    async reset(conversation) {
      await store.reset(conversationId(conversation));
    },
    async personas() {
      personas = loadPersonas([BUILTIN_PERSONAS_DIR, config.engine.personasDir]);
      return [...personas.keys()].sort();
    },
    async setGuildPersona(guildId, persona) {
      if (!personas.has(persona)) {
        throw new ValidationError(
          `Unknown persona "${persona}". Available: ${[...personas.keys()].sort().join(', ')}.`,
        );
      }
      await store.setGuildPersona(guildId, persona);
    },
  };
}

/** Local models (the shipped one, a GGUF file): invented answers are common, and LoRA adapters apply. */
function isLocal(ref: string): boolean {
  return ref === 'local' || ref.startsWith('gguf:');
}

/** The question's images go with the last user message (the question itself). */
function withImages(messages: ProviderMessage[], images: ImageInput[] | undefined): ProviderMessage[] {
  if (!images?.length) return messages;
  const last = messages.map((m) => m.role).lastIndexOf('user');
  return messages.map((m, i) => (i === last ? { ...m, images } : m));
}

/** The history without the exchange a regenerated answer replaces (its question and all after it). */
function withoutLastExchange(history: PromptHistory, question: string): PromptHistory {
  const at = history.messages.findLastIndex((m) => m.role === 'user' && m.content === question);
  return at < 0 ? history : { ...history, messages: history.messages.slice(0, at) };
}
