import { describe, expect, it } from 'vitest';
import { fuse } from '../../src/knowledge/fusion.js';

const vector = [
  { id: 'a', score: 0.9 },
  { id: 'b', score: 0.5 },
  { id: 'c', score: 0.1 },
];
const text = [
  { id: 'c', score: 12 },
  { id: 'd', score: 6 },
  { id: 'a', score: 3 },
];
const base = { rrfK: 60, prfDocs: 0, prfWeight: 0, prfFirstWeight: 0, minVectorScore: 0 };

describe('fuse', () => {
  it('min-max fusion follows the weight', () => {
    expect(fuse(vector, text, { ...base, method: 'minmax', vectorWeight: 1 })[0].id).toBe('a');
    expect(fuse(vector, text, { ...base, method: 'minmax', vectorWeight: 0 })[0].id).toBe('c');
    const mid = fuse(vector, text, { ...base, method: 'minmax', vectorWeight: 0.5 });
    expect(mid.map((s) => s.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(mid.find((s) => s.id === 'a')?.score).toBeCloseTo(0.5 * 1 + 0.5 * 0, 6);
  });

  it('RRF with equal weights ranks an item in both lists first', () => {
    const out = fuse(vector, text, { ...base, method: 'rrf', vectorWeight: 0.5 });
    expect(['a', 'c']).toContain(out[0].id);
    expect(out[0].score).toBeCloseTo(1 / 61 + 1 / 63, 6);
  });

  it('z-score fusion gives missing items the list floor and handles empty lists', () => {
    const out = fuse(vector, [], { ...base, method: 'zscore', vectorWeight: 0.5 });
    expect(out.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(fuse([], [], { ...base, method: 'zscore', vectorWeight: 0.5 })).toEqual([]);
  });
});
