/**
 * The object model's training data: one shape, centred and big, named by colour and shape only
 * ("red circle"). Size and place are the layout stage's job (diffusion/compose.ts), so the
 * object model only has to get colour and shape right.
 */
import { COLOURS, SHAPES, type Word } from '../model/text.js';
import { renderScene, type SceneObject, type SceneSpec } from './scenes.js';

/** A random big object (colour and shape uniform). */
export function randomObject(rand: () => number): SceneObject {
  const colour = COLOURS[Math.floor(rand() * COLOURS.length)]!;
  const shape = SHAPES[Math.floor(rand() * SHAPES.length)]!;
  return { colour, shape, size: 'big', sizeNamed: false };
}

/** The object model's prompt for an object: colour and shape (its size is ignored). */
export function objectWords(object: Pick<SceneObject, 'colour' | 'shape'>): Word[] {
  return [object.colour, object.shape];
}

/**
 * Renders a big object as the scene renderer draws a centred single, but exactly centred: the
 * layout stage re-centres every object anyway, and without the placement jitter the model only
 * has to learn 12 shapes (sizes still vary by the renderer's 8 %).
 */
export function renderObject(object: SceneObject, rand: () => number, out: Float32Array, offset: number): void {
  const spec: SceneSpec = {
    kind: 'single',
    object: { ...object, size: 'big' },
    position: 'center',
    positionNamed: false,
  };
  renderScene(spec, rand, out, offset, 0);
}
