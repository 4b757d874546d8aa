import { readFileSync } from 'node:fs';
import { createTestHost } from '@hearth/sdk/testing';
import { describe, expect, it } from 'vitest';
import plugin, { augmentCsv, parseCsv } from '../src/index.js';

const fixture = readFileSync(new URL('./fixtures/members.csv', import.meta.url), 'utf8');
const file = { name: 'members.csv', mimeType: 'text/csv', data: Buffer.from(fixture).toString('base64') };
const tiny = { epochs: 3, max_seconds: 60 };

describe('gan_augment tool', () => {
  it('generates rows, a report, plots and progress from an attached CSV', async () => {
    const host = await createTestHost(plugin, { timeoutMs: 120_000 });
    const call = await host.call('augment', { file, rows: 50, target: 'plan', ...tiny });
    expect(call.error).toBeUndefined();
    const parts = call.result!.content;
    const csv = parts.find((p) => p.type === 'file' && p.name === 'members.synthetic.csv');
    expect(csv).toBeDefined();
    const out = parseCsv(new TextDecoder().decode((csv as { data: Uint8Array }).data));
    expect(out.columns).toEqual(['id', 'age', 'city', 'hours', 'income', 'signup', 'plan', 'note']);
    expect(out.rows).toHaveLength(50);
    // The id column is not modelled: synthetic rows continue the real ids (1-240).
    expect(out.rows.map((r) => r[0])).toEqual(Array.from({ length: 50 }, (_, i) => String(241 + i)));
    expect(out.rows.every((r) => ['basic', 'pro'].includes(r[6]!))).toBe(true);
    expect(out.rows.every((r) => /^\d{4}-\d{2}-\d{2}$/.test(r[5]!))).toBe(true);
    expect(parts.filter((p) => p.type === 'image')).toHaveLength(2);
    const report = JSON.parse(
      new TextDecoder().decode(
        (parts.find((p) => p.type === 'file' && p.name.endsWith('.report.json')) as { data: Uint8Array }).data,
      ),
    );
    expect(report.efficacy.target).toBe('plan');
    const data = call.result!.data as { quality: number; dropped: string[]; epochs: number };
    expect(data.quality).toBeGreaterThan(0);
    expect(data.quality).toBeLessThanOrEqual(1);
    expect(data.dropped).toEqual(['id']);
    expect(data.epochs).toBe(3);
    expect(call.progress.some((p) => /epoch 1\/3: loss/.test(p.message ?? ''))).toBe(true);
    expect(call.progress.at(-1)?.fraction).toBe(1);
  });

  it('explains bad input', async () => {
    const host = await createTestHost(plugin);
    expect((await host.call('augment', {})).error?.message).toMatch(/Attach a CSV file/);
    expect((await host.call('augment', { file, target: 'salary' })).error?.message).toMatch(
      /target column "salary" does not exist/,
    );
    expect((await host.call('augment', { file, conditions: 'city=Paris' })).error?.message).toMatch(
      /"Paris" never occurs in column "city"/,
    );
    expect((await host.call('augment', { file, balance: true })).error?.message).toMatch(/Balancing needs a target/);
  });

  it('stops when cancelled', async () => {
    const host = await createTestHost(plugin, { timeoutMs: 120_000 });
    const ac = new AbortController();
    ac.abort('user pressed stop');
    const call = await host.call('augment', { csv: fixture, epochs: 1000, report: false }, { signal: ac.signal });
    expect(call.error?.message).toMatch(/cancelled/);
  });

  it('stops mid-training when cancelled after an epoch, and reports the epochs it ran', async () => {
    const ac = new AbortController();
    const epochs: number[] = [];
    const run = augmentCsv(
      fixture,
      { epochs: 1000, patience: 0, report: false },
      {
        signal: ac.signal,
        // cancel after the third epoch: deterministic however fast the machine is
        onEpoch: (e) => {
          epochs.push(e.epoch);
          if (epochs.length === 3) ac.abort('user pressed stop');
        },
      },
    );
    await expect(run).rejects.toThrow(/cancel/);
    expect(epochs.length).toBeGreaterThanOrEqual(3);
    expect(epochs.length).toBeLessThan(10);
  });
});

describe('augmentCsv modes', () => {
  it('balances the target by appending minority-class rows', async () => {
    const r = await augmentCsv(fixture, { target: 'plan', balance: true, epochs: 2, report: false });
    const out = parseCsv(r.csv);
    const pro = out.rows.filter((x) => x[6] === 'pro').length;
    const basic = out.rows.filter((x) => x[6] === 'basic').length;
    expect(pro).toBe(basic);
    expect(out.rows.length).toBe(240 + r.syntheticRows);
  });

  it('samples conditioned rows with CTGAN and repeats with the same seed', async () => {
    const opts = {
      model: 'ctgan' as const,
      rows: 30,
      epochs: 2,
      seed: 5,
      batchSize: 100,
      conditions: { city: 'Porto' },
      report: false,
    };
    const a = await augmentCsv(fixture, opts);
    const rows = parseCsv(a.csv).rows;
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r[2] === 'Porto')).toBe(true);
    const b = await augmentCsv(fixture, opts);
    expect(b.csv).toBe(a.csv);
  });
});
