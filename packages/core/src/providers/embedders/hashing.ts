/**
 * Feature hashing for the offline embedder: words and character n-grams are hashed into a fixed number of
 * buckets with a random sign (so collisions cancel on average instead of piling up), weighted by sublinear
 * term frequency (and optionally word rarity), then L2-normalised.
 */

/** Which features a local embedder hashes and how strongly each kind counts. */
export interface HashingConfig {
  dimension: number;
  /** Character n-gram sizes taken inside ` word ` (with boundary spaces). */
  charNgrams: number[];
  charWeight: number;
  wordWeight: number;
  /** Weight of adjacent word pairs (0 turns them off). */
  bigramWeight: number;
  /** Word rarity weights (e.g. idf from a reference corpus); words not in it get `unseen`. */
  idf?: () => { idf: Map<string, number>; unseen: number };
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased word tokens of a text. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** FNV-1a over a string range, seeded, with a murmur3 finaliser; 32-bit. */
function fnv(text: string, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function add(map: Map<number, number>, key: number, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** Adds one kind of features to the vector, normalised on its own so no kind drowns the others. */
function addKind(vector: Float32Array, features: Map<number, number>, weight: number): void {
  if (weight === 0 || features.size === 0) return;
  let norm = 0;
  for (const v of features.values()) norm += v * v;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (const [hash, v] of features) vector[hash % vector.length] += (hash & 0x80000000 ? -1 : 1) * scale * v;
}

/** Hashes one text into an L2-normalised vector. */
export function hashEmbed(text: string, config: HashingConfig): Float32Array {
  const vector = new Float32Array(config.dimension);
  const tokens = words(text);
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  const rarity = config.idf?.();
  const weightOf = (w: string, count: number) =>
    (1 + Math.log(count)) * (rarity ? (rarity.idf.get(w) ?? rarity.unseen) : 1);
  const wordFeatures = new Map<number, number>();
  const charFeatures = new Map<number, number>();
  for (const [token, count] of tf) {
    const w = weightOf(token, count);
    if (w === 0) continue;
    if (config.wordWeight) add(wordFeatures, fnv(token, 0, token.length, 1), w);
    if (config.charWeight) {
      const padded = ` ${token} `;
      for (const n of config.charNgrams) {
        for (let i = 0; i + n <= padded.length; i++) add(charFeatures, fnv(padded, i, i + n, 2 + n * 7), w);
      }
    }
  }
  const pairFeatures = new Map<number, number>();
  if (config.bigramWeight) {
    for (let t = 1; t < tokens.length; t++) {
      const pair = `${tokens[t - 1]} ${tokens[t]}`;
      const w = rarity ? Math.min(weightOf(tokens[t - 1], 1), weightOf(tokens[t], 1)) : 1;
      add(pairFeatures, fnv(pair, 0, pair.length, 3), w);
    }
  }
  addKind(vector, wordFeatures, config.wordWeight);
  addKind(vector, charFeatures, config.charWeight);
  addKind(vector, pairFeatures, config.bigramWeight);
  let total = 0;
  for (let i = 0; i < vector.length; i++) total += vector[i] * vector[i];
  if (total > 0) {
    const inv = 1 / Math.sqrt(total);
    for (let i = 0; i < vector.length; i++) vector[i] *= inv;
  }
  return vector;
}
