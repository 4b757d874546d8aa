/**
 * A procedurally rendered scene set: one or two coloured shapes (circle, square, triangle) with
 * sizes and positions, each with the prompt that describes it ("a big red circle above a blue
 * square"). Rendered 4x supersampled for soft edges, then averaged down. Also yields the
 * canonical labels the evaluation classifier learns.
 */
import { COLOURS, SHAPES, SIZES, type Word } from '../model/text.js';

export type Colour = (typeof COLOURS)[number];
export type Shape = (typeof SHAPES)[number];
export type Size = (typeof SIZES)[number];
export type Position = 'center' | 'left' | 'right' | 'top' | 'bottom';
export type Relation = 'above' | 'below' | 'left' | 'right';

export interface SceneObject {
  colour: Colour;
  shape: Shape;
  size: Size;
  /** Whether the prompt names the size (otherwise it was drawn at random). */
  sizeNamed: boolean;
}

/** What a prompt asks for. */
export type SceneSpec =
  | { kind: 'single'; object: SceneObject; position: Position; positionNamed: boolean }
  | { kind: 'pair'; first: SceneObject; relation: Relation; second: SceneObject };

export const SCENE_SIZE = 16;
const SUPER = 4;

const RGB: Record<Colour, [number, number, number]> = {
  red: [0.95, 0.15, 0.12],
  green: [0.15, 0.8, 0.2],
  blue: [0.2, 0.35, 1],
  yellow: [1, 0.9, 0.15],
};

/** A random scene spec. */
export function randomSpec(rand: () => number): SceneSpec {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const object = (): SceneObject => ({
    colour: pick(COLOURS),
    shape: pick(SHAPES),
    size: pick(SIZES),
    sizeNamed: rand() < 0.5,
  });
  if (rand() < 0.35) {
    const positionNamed = rand() < 0.6;
    const position: Position = positionNamed ? pick(['left', 'right', 'top', 'bottom'] as const) : 'center';
    return { kind: 'single', object: object(), position, positionNamed };
  }
  return {
    kind: 'pair',
    first: object(),
    relation: pick(['above', 'below', 'left', 'right'] as const),
    second: object(),
  };
}

/** The vocabulary words of a spec, in prompt order. */
export function specWords(spec: SceneSpec): Word[] {
  const obj = (o: SceneObject): Word[] => [...(o.sizeNamed ? [o.size] : []), o.colour, o.shape];
  if (spec.kind === 'single') return [...obj(spec.object), ...(spec.positionNamed ? [spec.position as Word] : [])];
  return [...obj(spec.first), spec.relation, ...obj(spec.second)];
}

/** The English prompt of a spec. */
export function specPrompt(spec: SceneSpec): string {
  const obj = (o: SceneObject) => `a ${o.sizeNamed ? `${o.size} ` : ''}${o.colour} ${o.shape}`;
  if (spec.kind === 'single') {
    const where = {
      center: '',
      left: ' on the left',
      right: ' on the right',
      top: ' at the top',
      bottom: ' at the bottom',
    };
    return `${obj(spec.object)}${where[spec.position]}`;
  }
  const rel = { above: 'above', below: 'below', left: 'left of', right: 'right of' };
  return `${obj(spec.first)} ${rel[spec.relation]} ${obj(spec.second)}`;
}

/** Parses known words into a spec, or explains what is missing. */
export function parseScene(words: readonly Word[]): SceneSpec | { error: string } {
  const objects: { object: SceneObject; next: number }[] = [];
  const relations: Word[] = [];
  let i = 0;
  while (i < words.length) {
    let size: Size | undefined;
    let colour: Colour | undefined;
    const start = i;
    if ((SIZES as readonly string[]).includes(words[i])) size = words[i++] as Size;
    if ((COLOURS as readonly string[]).includes(words[i])) colour = words[i++] as Colour;
    if ((SHAPES as readonly string[]).includes(words[i])) {
      const shape = words[i++] as Shape;
      if (!colour) return { error: `say which colour the ${shape} is (${COLOURS.join(', ')})` };
      objects.push({ object: { colour, shape, size: size ?? 'big', sizeNamed: size !== undefined }, next: i });
      continue;
    }
    if (i === start) relations.push(words[i++]);
    else return { error: `"${words.slice(start, i).join(' ')}" needs a shape after it (${SHAPES.join(', ')})` };
  }
  if (objects.length === 0)
    return { error: `name a shape (${SHAPES.join(', ')}) with a colour (${COLOURS.join(', ')})` };
  if (objects.length > 2) return { error: 'the local scene model draws at most two shapes' };
  if (objects.length === 1) {
    const pos = relations[0];
    if (relations.length > 1) return { error: `only one position may be given, got ${relations.join(', ')}` };
    const map: Record<string, Position> = {
      left: 'left',
      right: 'right',
      top: 'top',
      bottom: 'bottom',
      above: 'top',
      below: 'bottom',
    };
    if (pos && !map[pos]) return { error: `"${pos}" is not a position (left, right, top, bottom)` };
    return {
      kind: 'single',
      object: objects[0].object,
      position: pos ? map[pos] : 'center',
      positionNamed: Boolean(pos),
    };
  }
  const rel = relations[0];
  if (relations.length !== 1 || !['above', 'below', 'left', 'right'].includes(rel)) {
    return { error: 'relate two shapes with one of: above, below, left of, right of' };
  }
  return { kind: 'pair', first: objects[0].object, relation: rel as Relation, second: objects[1].object };
}

/**
 * Renders a spec into `out` at `offset` (RGB, [-1, 1]), with jittered placement (`jitter` scales
 * the jitter: 0 puts every shape exactly on its nominal centre; sizes vary either way).
 */
export function renderScene(
  spec: SceneSpec,
  rand: () => number,
  out: Float32Array,
  offset: number,
  jitterScale = 1,
): void {
  const S = SCENE_SIZE * SUPER;
  const canvas = new Float32Array(S * S * 3);
  const jitter = (amount: number) => (rand() * 2 - 1) * amount * jitterScale;
  const place = (o: SceneObject, cx: number, cy: number, maxSide: number) => {
    const side = (o.size === 'big' ? maxSide : maxSide * 0.6) * (0.92 + rand() * 0.16);
    drawShape(canvas, S, o, cx * SUPER, cy * SUPER, side * SUPER);
  };
  if (spec.kind === 'single') {
    const c = { center: [8, 8], left: [4.5, 8], right: [11.5, 8], top: [8, 4.5], bottom: [8, 11.5] }[spec.position];
    const free = spec.position === 'center' ? 1.5 : 1;
    const along = spec.position === 'left' || spec.position === 'right' ? [1, 3] : [3, 1];
    place(
      spec.object,
      c[0] + jitter(spec.position === 'center' ? free : along[0]),
      c[1] + jitter(spec.position === 'center' ? free : along[1]),
      spec.position === 'center' ? 10 : 7,
    );
  } else {
    // The first-named object goes where the relation says; the second opposite.
    const [a, b] =
      spec.relation === 'above' || spec.relation === 'left' ? [spec.first, spec.second] : [spec.second, spec.first];
    const vertical = spec.relation === 'above' || spec.relation === 'below';
    const cross = 8 + jitter(2);
    const cross2 = 8 + jitter(2);
    if (vertical) {
      place(a, cross, 4 + jitter(0.5), 7);
      place(b, cross2, 12 + jitter(0.5), 7);
    } else {
      place(a, 4 + jitter(0.5), cross, 7);
      place(b, 12 + jitter(0.5), cross2, 7);
    }
  }
  for (let y = 0; y < SCENE_SIZE; y++) {
    for (let x = 0; x < SCENE_SIZE; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < SUPER; dy++) {
          for (let dx = 0; dx < SUPER; dx++) sum += canvas[((y * SUPER + dy) * S + x * SUPER + dx) * 3 + c];
        }
        out[offset + (y * SCENE_SIZE + x) * 3 + c] = (sum / (SUPER * SUPER)) * 2 - 1;
      }
    }
  }
}

function drawShape(canvas: Float32Array, S: number, o: SceneObject, cx: number, cy: number, side: number): void {
  const r = side / 2;
  const rgb = RGB[o.colour];
  for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(S, Math.ceil(cy + r)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(S, Math.ceil(cx + r)); x++) {
      const px = x + 0.5 - cx;
      const py = y + 0.5 - cy;
      let inside: boolean;
      if (o.shape === 'circle') inside = px * px + py * py <= r * r;
      else if (o.shape === 'square') inside = Math.abs(px) <= r * 0.85 && Math.abs(py) <= r * 0.85;
      else {
        // Upward triangle: apex at top, base at bottom; half-width grows linearly downwards.
        const t = (py + r) / (2 * r);
        inside = t >= 0 && t <= 1 && Math.abs(px) <= t * r;
      }
      if (inside) canvas.set(rgb, (y * S + x) * 3);
    }
  }
}

/** Canonical labels for the evaluation classifier: objects in reading order (top/left first). */
export interface SceneLabels {
  layout: 'single' | 'vertical' | 'horizontal';
  position: Position;
  objects: SceneObject[];
}

export function sceneLabels(spec: SceneSpec): SceneLabels {
  if (spec.kind === 'single') return { layout: 'single', position: spec.position, objects: [spec.object] };
  const firstIsTopLeft = spec.relation === 'above' || spec.relation === 'left';
  return {
    layout: spec.relation === 'above' || spec.relation === 'below' ? 'vertical' : 'horizontal',
    position: 'center',
    objects: firstIsTopLeft ? [spec.first, spec.second] : [spec.second, spec.first],
  };
}
