/**
 * Small image helpers for generated samples: convert model output to 8-bit RGB, nearest-neighbour
 * upscaling for display, grids for batches, and PNG encoding (pngjs).
 * @packageDocumentation
 */
import { PNG } from 'pngjs';

export { Canvas, type Rgb, textWidth } from './canvas.js';

/** An 8-bit RGB image, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  /** `width * height * 3` bytes. */
  data: Uint8Array;
}

/**
 * Converts `count` images of `size x size x channels` floats in [-1, 1] (NHWC, as a model
 * produces them) into RGB images; one channel is shown as grey.
 */
export function fromFloats(values: Float32Array, count: number, size: number, channels: 1 | 3): RgbImage[] {
  const per = size * size * channels;
  if (values.length !== count * per) throw new Error(`expected ${count * per} values, got ${values.length}`);
  const images: RgbImage[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size * size * 3);
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) {
        const v = values[i * per + p * channels + (channels === 1 ? 0 : c)];
        data[p * 3 + c] = Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
      }
    }
    images.push({ width: size, height: size, data });
  }
  return images;
}

/** Nearest-neighbour upscaling by an integer factor (keeps pixel art crisp). */
export function upscaleNearest(image: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1)
    throw new Error(`upscale factor must be a positive integer, got ${factor}`);
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < width; x++) {
      const src = (sy * image.width + Math.floor(x / factor)) * 3;
      data.set(image.data.subarray(src, src + 3), (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/**
 * Lays images of equal size out in a grid, `columns` wide (default: near-square), separated by
 * `gap` pixels of `background` grey.
 */
export function grid(
  images: RgbImage[],
  options: { columns?: number; gap?: number; background?: number } = {},
): RgbImage {
  if (images.length === 0) throw new Error('grid needs at least one image');
  const { width: w, height: h } = images[0];
  if (images.some((im) => im.width !== w || im.height !== h)) throw new Error('grid images must share one size');
  const columns = Math.max(1, Math.min(images.length, options.columns ?? Math.ceil(Math.sqrt(images.length))));
  const rows = Math.ceil(images.length / columns);
  const gap = options.gap ?? 2;
  const width = columns * w + (columns - 1) * gap;
  const height = rows * h + (rows - 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(options.background ?? 64);
  images.forEach((im, i) => {
    const ox = (i % columns) * (w + gap);
    const oy = Math.floor(i / columns) * (h + gap);
    for (let y = 0; y < h; y++) data.set(im.data.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * width + ox) * 3);
  });
  return { width, height, data };
}

/** Encodes an RGB image as PNG bytes. */
export function encodePng(image: RgbImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputHasAlpha: false }));
}

/** Decodes PNG bytes into an RGB image (alpha dropped). */
export function decodePng(bytes: Uint8Array): RgbImage {
  const png = PNG.sync.read(Buffer.from(bytes));
  const data = new Uint8Array(png.width * png.height * 3);
  for (let p = 0; p < png.width * png.height; p++) data.set(png.data.subarray(p * 4, p * 4 + 3), p * 3);
  return { width: png.width, height: png.height, data };
}
