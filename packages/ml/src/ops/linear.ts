/**
 * Linear-algebra ops with hand-written gradients for tfjs-wasm.
 *
 * tfjs-wasm has no `UnsortedSegmentSum` kernel (the gather/embedding gradient) and its matMul with
 * transpose flags or rank > 2 inputs is about 10x slower than a plain 2-D matMul. These ops keep
 * every backward matmul 2-D and transpose explicitly with `tf.transpose`.
 * @packageDocumentation
 */
import { tf } from '../backend.js';

type Tensor = tf.Tensor;

/** tf.customGrad with positional tensor arguments followed by the save function. */
function customGrad(f: (...args: never[]) => { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor[] }) {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** 2-D matmul `a [m,k] @ b [k,n]` whose gradient uses explicit transposes (no transpose flags). */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`matmul expects 2-D tensors, got ranks ${a.rank} and ${b.rank}`);
  if (a.shape[1] !== b.shape[0]) throw new Error(`matmul shape mismatch: [${a.shape}] @ [${b.shape}]`);
  const op = customGrad((x: Tensor, w: Tensor, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor2D[];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D)];
      },
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/** `x [..., in] @ w [in, out]` for any rank of `x`: flattens to 2-D, multiplies, restores the shape. */
export function linear(x: Tensor, w: tf.Tensor2D): Tensor {
  const inDim = x.shape[x.rank - 1];
  if (inDim !== w.shape[0]) throw new Error(`linear: input has ${inDim} features, weight expects ${w.shape[0]}`);
  const lead = x.shape.slice(0, -1);
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inDim]) as tf.Tensor2D);
  const y = matmul(flat, w);
  return x.rank === 2 ? y : tf.reshape(y, [...lead, w.shape[1]]);
}

/**
 * Batched matmul `a [b,m,k] @ b [b,k,n]` with a gradient made of plain (untransposed-flag) batched
 * matmuls on explicitly transposed operands. Used for attention scores and mixing.
 */
export function batchMatmul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.rank !== 3 || b.rank !== 3)
    throw new Error(`batchMatmul expects 3-D tensors, got ranks ${a.rank} and ${b.rank}`);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(`batchMatmul shape mismatch: [${a.shape}] @ [${b.shape}]`);
  }
  const op = customGrad((x: Tensor, w: Tensor, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.matMul(x as tf.Tensor3D, w as tf.Tensor3D),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sw] = saved as tf.Tensor3D[];
        const d = dy as tf.Tensor3D;
        return [tf.matMul(d, tf.transpose(sw, [0, 2, 1])), tf.matMul(tf.transpose(sx, [0, 2, 1]), d)];
      },
    };
  });
  return op(a, b) as tf.Tensor3D;
}

/**
 * Embedding lookup `table [vocab, dim]` at integer `ids` (any shape), returning `[...ids.shape, dim]`.
 * The gradient is `oneHot(ids)^T @ dy`, a 2-D matmul, instead of the missing UnsortedSegmentSum.
 */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor): Tensor {
  if (ids.dtype !== 'int32') throw new Error(`embedding ids must be int32, got ${ids.dtype}`);
  const [vocab, dim] = table.shape;
  const flatIds = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const op = customGrad((t: Tensor, save: tf.GradSaveFunc) => {
    save([flatIds]);
    return {
      value: tf.gather(t, flatIds),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const hot = tf.oneHot(saved[0] as tf.Tensor1D, vocab) as tf.Tensor2D;
        return [tf.matMul(tf.transpose(tf.cast(hot, 'float32')), dy as tf.Tensor2D)];
      },
    };
  });
  const rows = op(table) as tf.Tensor2D;
  return tf.reshape(rows, [...ids.shape, dim]);
}
