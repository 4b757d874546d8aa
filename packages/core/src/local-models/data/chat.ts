import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Tokenizer } from '../tokenizer.js';

const MessageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
const TranscriptSchema = z.object({ messages: z.array(MessageSchema).min(1) });
export type Transcript = z.infer<typeof TranscriptSchema>;

/** Reads a JSONL file of `{"messages": [{role, content}, ...]}` lines, naming the bad line on error. */
export function readTranscripts(path: string): Transcript[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Transcript[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1}: not valid JSON`);
    }
    const parsed = TranscriptSchema.safeParse(json);
    if (!parsed.success)
      throw new Error(`${path}:${i + 1}: expected {"messages":[{role,content}]}: ${parsed.error.issues[0]?.message}`);
    out.push(parsed.data);
  });
  if (out.length === 0) throw new Error(`${path}: no transcripts`);
  return out;
}

/** One tokenized example: ids and a per-token loss weight (1 on assistant content and its end token). */
export interface Example {
  ids: number[];
  weights: number[];
}

/**
 * Renders a transcript in ChatML, the format node-llama-cpp's ChatML wrapper produces:
 * `<|im_start|>role\ncontent<|im_end|>\n`. Only assistant turns are learned.
 */
export function encodeTranscript(tok: Tokenizer, t: Transcript): Example {
  const ids: number[] = [];
  const weights: number[] = [];
  const push = (part: number[], w: number) => {
    ids.push(...part);
    for (let i = 0; i < part.length; i++) weights.push(w);
  };
  const start = tok.special('<|im_start|>');
  const end = tok.special('<|im_end|>');
  push([tok.eos], 0); // node-llama-cpp's ChatML wrapper starts with BOS (= <|endoftext|> here)
  for (const m of t.messages) {
    push([start, ...tok.encode(`${m.role}\n`)], 0);
    const learn = m.role === 'assistant' ? 1 : 0;
    push(tok.encode(m.content), learn);
    push([end], learn);
    push(tok.encode('\n'), 0);
  }
  return { ids, weights };
}

/** The ChatML prompt for `messages`, ending with an open assistant turn. */
export function chatPrompt(messages: { role: string; content: string }[]): string {
  return `<|endoftext|>${messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('')}<|im_start|>assistant\n`;
}
