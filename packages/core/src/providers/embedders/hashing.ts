/**
 * Feature hashing for the offline embedder: words and character n-grams are hashed into a fixed number of
 * buckets with a random sign (so collisions cancel on average instead of piling up), weighted by sublinear
 * term frequency, then L2-normalised.
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
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased word tokens of a text. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** FNV-1a over a string range, seeded, 32-bit. */
function fnv(text: string, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix) so low bits are well mixed for the modulo.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function addCount(counts: Map<number, number>, key: number): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Counts of hashed features per kind; keys are full 32-bit hashes. */
function featureCounts(text: string, config: HashingConfig): Map<number, number>[] {
  const tokens = words(text);
  const wordCounts = new Map<number, number>();
  const charCounts = new Map<number, number>();
  const pairCounts = new Map<number, number>();
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t];
    addCount(wordCounts, fnv(token, 0, token.length, 1));
    if (config.bigramWeight > 0 && t > 0) {
      const pair = `${tokens[t - 1]} ${token}`;
      addCount(pairCounts, fnv(pair, 0, pair.length, 3));
    }
    const padded = ` ${token} `;
    for (const n of config.charNgrams) {
      for (let i = 0; i + n <= padded.length; i++) addCount(charCounts, fnv(padded, i, i + n, 2 + n * 7));
    }
  }
  return [wordCounts, charCounts, pairCounts];
}

/** Hashes one text into an L2-normalised vector. */
export function hashEmbed(text: string, config: HashingConfig): Float32Array {
  const vector = new Float32Array(config.dimension);
  const [wordCounts, charCounts, pairCounts] = featureCounts(text, config);
  const kinds: [Map<number, number>, number][] = [
    [wordCounts, config.wordWeight],
    [charCounts, config.charWeight],
    [pairCounts, config.bigramWeight],
  ];
  for (const [counts, weight] of kinds) {
    if (weight === 0 || counts.size === 0) continue;
    // Each kind is normalised on its own so long texts do not let char n-grams drown words.
    let norm = 0;
    for (const c of counts.values()) norm += (1 + Math.log(c)) ** 2;
    const scale = weight / Math.sqrt(norm);
    for (const [hash, c] of counts) {
      const sign = hash & 0x80000000 ? -1 : 1;
      vector[hash % config.dimension] += sign * scale * (1 + Math.log(c));
    }
  }
  let total = 0;
  for (let i = 0; i < vector.length; i++) total += vector[i] * vector[i];
  if (total > 0) {
    const inv = 1 / Math.sqrt(total);
    for (let i = 0; i < vector.length; i++) vector[i] *= inv;
  }
  return vector;
}
