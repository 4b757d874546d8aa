import { readFileSync } from 'node:fs';
import { seededRandom } from '@hearth/ml';
import { describe, expect, it } from 'vitest';
import { DataTransformer, fitMixture, inferTable, parseCsv, parseTypes, toCsv } from '../src/index.js';

const fixture = readFileSync(new URL('./fixtures/members.csv', import.meta.url), 'utf8');

describe('parseCsv', () => {
  it('handles quotes, leading spaces and missing tokens', () => {
    const t = parseCsv('a,b,c\n1, "x, y",?\n2,  z ,NA\n');
    expect(t.columns).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', 'x, y', null],
      ['2', 'z', null],
    ]);
    expect(t.missingToken).toBe('?');
  });
  it('reads the fixture and its quoted city', () => {
    const t = parseCsv(fixture);
    expect(t.rows).toHaveLength(240);
    expect(t.rows.some((r) => r[2] === 'Oslo, Norway')).toBe(true);
  });
  it('gives specific errors', () => {
    expect(() => parseCsv('')).toThrow(/empty/);
    expect(() => parseCsv('a,b\n')).toThrow(/no data rows/);
    expect(() => parseCsv('a,a\n1,2\n')).toThrow(/"a" twice/);
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/not valid CSV/);
    expect(() => parseCsv('a,b\n1,2\n3,4\n', { maxRows: 1 })).toThrow(/2 data rows; the limit is 1/);
    expect(() => parseCsv('a,b,c\n1,2,3\n', { maxColumns: 2 })).toThrow(/3 columns; the limit is 2/);
  });
  it('writes CSV that parses back to the same cells', () => {
    const text = toCsv(
      ['n', 'q'],
      [
        ['1', 'he said "hi", then left'],
        [null, 'x'],
      ],
      '?',
    );
    expect(parseCsv(text).rows).toEqual([
      ['1', 'he said "hi", then left'],
      [null, 'x'],
    ]);
  });
});

describe('inferTable', () => {
  it('infers identifiers, numbers, dates and categories with reasons', () => {
    const t = inferTable(parseCsv(fixture));
    const kinds = Object.fromEntries(t.columns.map((c) => [c.name, c.kind]));
    expect(t.dropped.map((c) => c.name)).toEqual(['id']);
    expect(kinds).toEqual({
      age: 'continuous',
      city: 'discrete',
      hours: 'continuous',
      income: 'continuous',
      signup: 'datetime',
      plan: 'discrete',
      note: 'discrete',
    });
    const income = t.columns.find((c) => c.name === 'income')!;
    expect(income.missingRate).toBeGreaterThan(0);
    expect(income.decimals).toBe(2);
    expect(t.columns.find((c) => c.name === 'city')!.categories).toContain(null);
  });
  it('applies overrides and rejects unknown columns', () => {
    const t = inferTable(parseCsv(fixture), parseTypes('hours:discrete, note:id'));
    expect(t.columns.find((c) => c.name === 'hours')!.kind).toBe('discrete');
    expect(t.dropped.map((c) => c.name)).toEqual(['id', 'note']);
    expect(() => inferTable(parseCsv(fixture), { id: 'discrete' })).toThrow(
      /"id" has 240 categories; the limit is 200/,
    );
    expect(() => inferTable(parseCsv(fixture), { nope: 'id' })).toThrow(/"nope", which is not a column/);
    expect(() => parseTypes('age:number')).toThrow(/use one of continuous/);
    expect(() => inferTable(parseCsv(fixture), { city: 'continuous' })).toThrow(/not numbers/);
  });
});

describe('mode-specific normalisation', () => {
  it('finds the modes of a bimodal column', () => {
    const rand = seededRandom(1);
    const normal = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const xs = Array.from({ length: 2000 }, (_, i) => (i % 2 ? 100 + normal() : -50 + 5 * normal()));
    const mix = fitMixture(xs, seededRandom(2));
    const means = [...mix.means].sort((a, b) => a - b);
    expect(means.length).toBeGreaterThanOrEqual(2);
    expect(means[0]).toBeCloseTo(-50, 0);
    expect(means[means.length - 1]).toBeCloseTo(100, 0);
  });
  it('encodes and decodes rows back to their values', () => {
    const t = inferTable(parseCsv(fixture));
    const tr = new DataTransformer(t, seededRandom(3));
    const enc = tr.encode(t.values, t.rowCount, seededRandom(4));
    expect(enc.length).toBe(t.rowCount * tr.dim);
    const dec = tr.decode(enc, t.rowCount, seededRandom(5));
    const age = t.columns.findIndex((c) => c.name === 'age');
    const plan = t.columns.findIndex((c) => c.name === 'plan');
    for (let i = 0; i < 20; i++) {
      expect(dec[age]![i]).toBeCloseTo(t.values[age]![i]!, 3);
      expect(dec[plan]![i]).toBe(t.values[plan]![i]);
    }
  });
});
