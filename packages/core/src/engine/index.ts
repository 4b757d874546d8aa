import { HearthError, ValidationError } from '@hearth/sdk';
import type { HearthConfig } from '../config/schema.js';
import type { KnowledgeStore, SearchHit } from '../knowledge/types.js';
import { AdapterStore } from '../local-models/adapter-store.js';
import type { HearthLogger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { ToolRegistry } from '../plugins/registry.js';
import { approxTokens } from '../providers/tokens.js';
import type { ChatModel, ModelRegistry } from '../providers/types.js';
import type { HearthDatabase } from '../storage/database.js';
import { checkCitations } from './citations.js';
import { ConversationStore, conversationId } from './conversation-store.js';
import { extractiveAnswer, NOT_COVERED_TEXT } from './extractive.js';
import { answerSupport, unsupported } from './grounding.js';
import { selectHistory } from './history.js';
import { runModelLoop } from './model-loop.js';
import { BUILTIN_PERSONAS_DIR, loadPersonas, type Persona } from './personas.js';
import { assemblePrompt, type PromptParts } from './prompt.js';
import { relevantSources } from './sources.js';
import { toolSpecsFor } from './tools.js';
import type { Engine, TurnInput, TurnResult } from './types.js';

export { CitationStreamFilter, checkCitations } from './citations.js';
export { conversationId } from './conversation-store.js';
export { extractiveAnswer, NOT_COVERED_TEXT } from './extractive.js';
export { loadPersonas, type Persona, parsePersona } from './personas.js';
export { assemblePrompt, type PromptParts } from './prompt.js';

/** What the engine is built from (see runtime.ts). */
export interface EngineDeps {
  config: HearthConfig;
  db: HearthDatabase;
  models: ModelRegistry;
  knowledge: KnowledgeStore;
  registry: ToolRegistry;
  log: HearthLogger;
  redactor: Redactor;
}

/** Name of the answer mode used when no chat model is usable. */
export const EXTRACTIVE_MODEL = 'extractive';

/**
 * Creates the conversation engine shared by Discord, MCP `ask` and `hearth chat`: SQLite memory
 * within a token budget, persona files, retrieval with numbered quoted sources, tool calls through
 * the registry, citation post-check, streaming and cancellation; an extractive grounded answer
 * when no chat model is usable.
 */
export async function createEngine(deps: EngineDeps): Promise<Engine> {
  const { config, log } = deps;
  const store = new ConversationStore(deps.db);
  // `hearth adapters use <name> [--guild ID]` writes the assignments this reads on every turn
  const adapters = new AdapterStore(config.dataDir);
  let personas = loadPersonas([BUILTIN_PERSONAS_DIR, config.engine.personasDir]);

  function personaFor(input: Pick<TurnInput, 'persona' | 'conversation' | 'caller'>): Persona {
    const guildId = input.caller.guildId ?? input.conversation.guildId;
    const wanted = input.persona ?? (guildId ? store.guildPersona(guildId) : undefined) ?? config.engine.persona;
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
        k: config.engine.retrieveK,
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
    const [model, retrieval] = await Promise.all([chatModel(), retrieve({ ...input, text })]);
    const persona = personaFor(input);
    const countTokens = (t: string) => (model ? model.countTokens(t) : approxTokens(t));
    const history = selectHistory(store, id, config.engine.historyTokens, countTokens);
    const sources = relevantSources(text, retrieval.hits);
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
    return { id, text, model, persona, history, parts, countTokens, messages: assemblePrompt(parts) };
  }

  return {
    async turn(input) {
      const p = await prepare(input);
      let text: string;
      let toolCalls: TurnResult['toolCalls'] = [];
      let attachments: TurnResult['attachments'] = [];
      let grounding: TurnResult['grounding'];
      if (p.model) {
        const out = await runModelLoop({
          model: p.model,
          messages: p.messages,
          tools: p.parts.tools,
          toolMode: p.parts.toolMode,
          persona: p.persona,
          sources: p.parts.sources,
          registry: deps.registry,
          caller: input.caller,
          maxSteps: config.engine.maxToolSteps,
          log,
          signal: input.signal,
          adapter: isLocal(p.model.ref) ? adapters.resolve(input.conversation.guildId) : undefined,
          onToken: input.onToken,
          onProgress: input.onProgress,
        });
        ({ text, toolCalls, attachments } = out);
        if (p.parts.retrieval === 'found' && toolCalls.length === 0) {
          const support = answerSupport(text, p.parts.sources);
          const replace = isLocal(p.model.ref)
            ? config.engine.grounding !== 'flag'
            : config.engine.grounding === 'replace';
          const bad = unsupported(support, config.engine.minSupport);
          if (bad) log.warn({ support: support.score, replaced: replace }, 'answer not supported by its sources');
          if (bad && replace) text = extractiveAnswer(p.text, p.parts.sources);
          grounding = { support: Number(support.score.toFixed(3)), replaced: bad && replace };
        }
      } else {
        text = p.parts.retrieval === 'found' ? extractiveAnswer(p.text, p.parts.sources) : NOT_COVERED_TEXT;
        if (input.onToken) await input.onToken(text);
      }
      if (input.signal?.aborted) throw new HearthError('cancelled', 'The answer was cancelled.');
      const checked = checkCitations(text, p.parts.sources);
      const answer = checked.text.trim() || '(no answer)';
      store.appendExchange(
        p.id,
        [
          { role: 'user', content: p.text, tokens: p.countTokens(p.text) },
          { role: 'assistant', content: answer, tokens: p.countTokens(answer) },
        ],
        p.history.updatedSummary,
      );
      return {
        text: answer,
        citations: checked.citations,
        toolCalls,
        attachments,
        // nothing relevant retrieved (and no tool answered instead), or no quotable sentence in what was
        notCovered:
          (p.parts.retrieval === 'none' && toolCalls.length === 0) || (!p.model && answer === NOT_COVERED_TEXT),
        model: p.model?.ref ?? EXTRACTIVE_MODEL,
        ...(grounding ? { grounding } : {}),
      };
    },
    async previewPrompt(input) {
      const p = await prepare(input);
      return p.messages.map((m) => ({ role: m.role, content: m.content }));
    },
    async reset(conversation) {
      store.reset(conversationId(conversation));
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
      store.setGuildPersona(guildId, persona);
    },
  };
}

/** Local models (the shipped one, a GGUF file): invented answers are common, and LoRA adapters apply. */
function isLocal(ref: string): boolean {
  return ref === 'local' || ref.startsWith('gguf:');
}
