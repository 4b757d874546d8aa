import { decodePng, encodePng, fromFloats, grid, upscaleNearest } from '@hearth/ml/image';
import { describe, expect, it } from 'vitest';

describe('image helpers', () => {
  it('converts floats, upscales, grids and round-trips through PNG', () => {
    const grey = fromFloats(Float32Array.from([-1, 1, 0, 1]), 1, 2, 1)[0];
    expect([...grey.data.subarray(0, 6)]).toEqual([0, 0, 0, 255, 255, 255]);
    const big = upscaleNearest(grey, 3);
    expect([big.width, big.height]).toEqual([6, 6]);
    expect([...big.data.subarray(3 * 3, 3 * 3 + 3)]).toEqual([255, 255, 255]);
    const g = grid([big, big, big], { gap: 1, background: 7 });
    expect([g.width, g.height]).toEqual([13, 13]);
    expect(g.data[6 * 3]).toBe(7);
    const png = encodePng(g);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const back = decodePng(png);
    expect(back.width).toBe(13);
    expect([...back.data]).toEqual([...g.data]);
  });
  it('rejects wrong sizes', () => {
    expect(() => fromFloats(new Float32Array(3), 1, 2, 1)).toThrow(/expected 4/);
    expect(() => upscaleNearest({ width: 1, height: 1, data: new Uint8Array(3) }, 1.5)).toThrow(/integer/);
  });
});
