import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Hearth, RegisteredTool, TurnResult } from '@hearth/core';
import { type Caller, type ResultPart, resultText } from '@hearth/sdk';
import type { Command } from 'commander';
import { type CliContext, formatFailure, onInterrupt } from '../context.js';

interface ChatFlags {
  once?: string;
  showPrompt?: boolean;
  session?: string;
  persona?: string;
  json?: boolean;
  retrieval: boolean;
}

const CONFIGURE_HINT = [
  'No chat model is usable, so answers are extractive (passages quoted from the knowledge base).',
  'To chat with a generative model, set one of these (environment, .env, or models.chat in hearth.config.json):',
  '  HEARTH_CHAT_MODEL=hf:<repo id>                 e.g. hf:meta-llama/Llama-3.1-8B-Instruct, plus HF_TOKEN=hf_...',
  '  HEARTH_CHAT_MODEL=openai:<model>@<base url>    e.g. openai:llama3@http://127.0.0.1:8080/v1 (OPENAI_API_KEY if the server needs one)',
  '  HEARTH_CHAT_MODEL=gguf:<path to a .gguf file>',
  'Add knowledge with `hearth ingest <path>`.',
].join('\n');

/** The session an interactive chat continues when `--session` is not given. */
const DEFAULT_SESSION = 'default';

/**
 * `hearth chat`: interactive terminal chat through the same engine as Discord and MCP, with
 * streamed output, `/commands` mirroring the registry's tools, and history kept per `--session`
 * across runs (default "default"). `--once "<q>"` prints one answer and its sources and is
 * stateless (no history read or kept) unless `--session` names one; `--show-prompt` prints the prompt.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('chat')
    .description('chat with Hearth in the terminal (streamed answers, /commands for tools, history across runs)')
    .option('--once <question>', 'print one answer and its sources, then exit')
    .option('--show-prompt', 'print the exact prompt the model gets (with --once: instead of answering)')
    .option(
      '--session <id>',
      `conversation to continue; history is kept per session (default "${DEFAULT_SESSION}"; with --once: none, the question is answered on its own)`,
    )
    .option('--persona <name>', 'persona to use (see /personas)')
    .option('--no-retrieval', 'do not search the knowledge base')
    .option('--json', 'with --once: print {answer, sources, notCovered, model, toolCalls} as JSON')
    .action(async (flags: ChatFlags) => {
      const hearth = await ctx.hearth();
      const caller: Caller = {
        surface: 'cli',
        userId: userInfo().username,
        displayName: userInfo().username,
        roles: [],
        isAdmin: true,
      };
      // --once without --session: a throwaway conversation, forgotten after the answer, so one
      // run's turns never leak into the next run's prompt
      const ephemeral = flags.once !== undefined && flags.session === undefined;
      const session = flags.session ?? (ephemeral ? `once-${randomUUID()}` : DEFAULT_SESSION);
      const chat = new ChatSession(hearth, ctx, caller, { ...flags, session });
      const usable = await chat.modelNotice();
      if (flags.once !== undefined) {
        if (!usable && !flags.json) process.stderr.write(`${CONFIGURE_HINT}\n\n`);
        try {
          if (flags.showPrompt) return await chat.printPrompt(flags.once);
          return void (await chat.ask(flags.once, { stream: !flags.json }));
        } finally {
          if (ephemeral) await hearth.engine.reset(chat.conversationKey);
        }
      }
      if (!usable) process.stderr.write(`${CONFIGURE_HINT}\n\n`);
      await chat.repl();
    });
}

class ChatSession {
  private persona?: string;
  private abort?: AbortController;
  constructor(
    private readonly hearth: Hearth,
    private readonly ctx: CliContext,
    private readonly caller: Caller,
    private readonly flags: ChatFlags & { session: string },
  ) {
    this.persona = flags.persona;
  }

  /** The conversation this chat reads and extends. */
  get conversationKey() {
    return { surface: 'cli' as const, sessionId: this.flags.session };
  }

  /**
   * True when a generative chat model can be created; false when none is configured and none is
   * installed (answers are then extractive). A model the user configured that cannot be created
   * is an error: the command stops instead of quietly answering some other way.
   */
  async modelNotice(): Promise<boolean> {
    if (!this.hearth.models.has('chat')) return false;
    try {
      await this.hearth.models.chat();
      return true;
    } catch (err) {
      const configured = this.hearth.config.models.chat;
      if (configured)
        throw new Error(
          `models.chat (HEARTH_CHAT_MODEL) "${this.hearth.models.describe().chat ?? ''}" cannot be used: ${this.hearth.redactor.redact((err as Error).message)}`,
        );
      process.stderr.write(`hearth: ${this.hearth.redactor.redact((err as Error).message)}\n`);
      return false;
    }
  }

  async printPrompt(text: string): Promise<void> {
    const messages = await this.hearth.engine.previewPrompt({ ...this.turnBase(text) });
    for (const m of messages) this.ctx.print(`--- ${m.role} ---\n${m.content}\n`);
  }

  private turnBase(text: string) {
    return {
      conversation: this.conversationKey,
      text,
      caller: this.caller,
      persona: this.persona,
      noRetrieval: !this.flags.retrieval,
    };
  }

  /** One turn: streams the answer to stdout (waiting for it to drain), then prints sources and saved files. */
  async ask(text: string, options: { stream: boolean }): Promise<TurnResult | undefined> {
    if (this.flags.showPrompt && !this.flags.once) await this.printPrompt(text);
    this.abort = new AbortController();
    const stopListening = onInterrupt(() => this.abort?.abort(new Error('interrupted (Ctrl-C)')));
    try {
      const result = await this.hearth.engine.turn({
        ...this.turnBase(text),
        signal: this.abort.signal,
        onToken: options.stream
          ? (((t: string) => new Promise<void>((r) => process.stdout.write(t, () => r()))) as (t: string) => void)
          : undefined,
      });
      const saved = this.saveFiles(result.attachments);
      if (this.flags.json) {
        const sources = result.citations.map(({ n, title, uri, sourceId }) => ({ n, title, uri, sourceId }));
        this.ctx.printJson({
          answer: result.text,
          sources,
          notCovered: result.notCovered,
          model: result.model,
          toolCalls: result.toolCalls,
          ...(result.grounding ? { grounding: result.grounding } : {}),
          files: saved,
        });
        return result;
      }
      if (!options.stream) this.ctx.print(result.text);
      else if (result.grounding?.replaced && !isLocalModel(result.model)) {
        // a remote model's streamed draft used words its sources do not contain: show what replaced it
        // (a local model's drafts are checked before anything is streamed: what streamed is the answer)
        const share = Math.round(result.grounding.support * 100);
        this.ctx.print(`\n(only ${share}% of that draft is in the sources; quoting them instead)\n${result.text}`);
      } else process.stdout.write('\n');
      if (result.citations.length)
        this.ctx.print(`\nSources:\n${result.citations.map((c) => `[${c.n}] ${c.title} (${c.uri})`).join('\n')}`);
      for (const path of saved) this.ctx.print(`saved ${path}`);
      return result;
    } finally {
      stopListening();
    }
  }

  /** Writes image and file results under <dataDir>/artifacts and returns their paths. */
  private saveFiles(parts: ResultPart[]): string[] {
    const files = parts.filter((p) => p.type !== 'text');
    if (!files.length) return [];
    const dir = join(this.hearth.config.dataDir, 'artifacts');
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return files.map((p, i) => {
      const name =
        p.type === 'image'
          ? `chat-${stamp}-${i + 1}.png`
          : `chat-${stamp}-${p.type === 'file' ? p.name.replace(/[^\w.-]/g, '_') : i}`;
      const path = join(dir, name);
      writeFileSync(path, p.data);
      return path;
    });
  }

  async repl(): Promise<void> {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
    this.ctx.print(
      `Hearth chat (session "${this.flags.session}", history kept across runs). /help for commands, /exit to leave.`,
    );
    // the iterator buffers lines, so piped input typed ahead of an answer is not lost
    const lines = rl[Symbol.asyncIterator]();
    rl.setPrompt('you> ');
    try {
      for (;;) {
        rl.prompt();
        const next = await lines.next();
        if (next.done) return; // input closed (Ctrl-D or end of piped input)
        const line = String(next.value).trim();
        if (!line) continue;
        try {
          if (line.startsWith('/')) {
            if ((await this.command(line)) === 'exit') return;
          } else {
            process.stdout.write('hearth> ');
            await this.ask(line, { stream: true });
          }
        } catch (err) {
          // a thrown non-Error (an abort reason, say) must not break the loop itself
          process.stderr.write(`\n${formatFailure(err, this.hearth.redactor, false)}`);
        }
      }
    } finally {
      rl.close();
    }
  }

  private async command(line: string): Promise<'exit' | undefined> {
    const [head = '', ..._restParts] = line.slice(1).split(/\s+/);
    const rest = line.slice(1 + head.length).trim();
    switch (head) {
      case 'exit':
      case 'quit':
        return 'exit';
      case 'help':
        this.ctx.print(
          '/reset  forget this session\n/prompt <question>  show the prompt\n/persona <name>  switch persona\n/personas  list personas\n/tools  list tools\n/<tool> key=value ...  call a tool (or /<tool> <text> for its main text field)\n/exit',
        );
        return;
      case 'reset':
        await this.hearth.engine.reset(this.conversationKey);
        this.ctx.print('(conversation forgotten)');
        return;
      case 'prompt':
        await this.printPrompt(rest || '(your next message)');
        return;
      case 'personas':
        this.ctx.print((await this.hearth.engine.personas()).join('\n'));
        return;
      case 'persona': {
        const names = await this.hearth.engine.personas();
        if (!names.includes(rest)) throw new Error(`Unknown persona "${rest}". Available: ${names.join(', ')}.`);
        this.persona = rest;
        this.ctx.print(`(persona: ${rest})`);
        return;
      }
      case 'tools':
        for (const t of this.hearth.registry.list())
          this.ctx.print(`${this.hearth.registry.commandName(t)}  ${t.description}`);
        return;
    }
    const hit = this.hearth.registry.resolveCommand(line);
    if (!hit) throw new Error(`Unknown command /${head}. /tools lists the tools, /help the commands.`);
    await this.callTool(hit.tool, hit.rest);
  }

  private async callTool(tool: RegisteredTool, args: string): Promise<void> {
    const bar = this.ctx.progress(tool.name);
    this.abort = new AbortController();
    const stopListening = onInterrupt(() => this.abort?.abort(new Error('interrupted (Ctrl-C)')));
    try {
      const result = await this.hearth.registry.call(tool.name, toolInput(tool, args), {
        caller: this.caller,
        signal: this.abort.signal,
        onProgress: (f, m) => bar.update(Math.round(f * 100), 100, m),
      });
      bar.done('done');
      const text = resultText(result);
      if (text) this.ctx.print(text);
      for (const path of this.saveFiles(result.content)) this.ctx.print(`saved ${path}`);
    } finally {
      stopListening();
    }
  }
}

/** `key=value` pairs (quotes allowed) typed by the tool's fields, or free text for its first required string field. */
export function toolInput(tool: Pick<RegisteredTool, 'fields' | 'name'>, args: string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const pairs = [...args.matchAll(/([A-Za-z_][\w-]*)=(?:"([^"]*)"|'([^']*)'|(\S+))/g)];
  if (!pairs.length && args) {
    const field =
      tool.fields.find((f) => f.type === 'string' && f.required) ?? tool.fields.find((f) => f.type === 'string');
    if (!field)
      throw new Error(`/${tool.name} takes key=value arguments: ${tool.fields.map((f) => f.name).join(', ')}.`);
    input[field.name] = args;
    return input;
  }
  for (const m of pairs) {
    const name = m[1] as string;
    const raw = m[2] ?? m[3] ?? m[4] ?? '';
    const field = tool.fields.find((f) => f.name === name);
    if (!field)
      throw new Error(`/${tool.name} has no field "${name}". Fields: ${tool.fields.map((f) => f.name).join(', ')}.`);
    if (field.type === 'integer' || field.type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`${name} must be a number, not "${raw}".`);
      input[name] = n;
    } else if (field.type === 'boolean') input[name] = /^(true|yes|1|on)$/i.test(raw);
    else input[name] = raw;
  }
  return input;
}

/** The embedded model or a GGUF file: their drafts are verified before they are streamed. */
function isLocalModel(model: string): boolean {
  return model === 'local' || model.startsWith('local') || model.startsWith('gguf:');
}
