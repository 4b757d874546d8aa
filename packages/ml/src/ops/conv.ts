/**
 * 2-D convolution with hand-written gradients. tfjs-wasm has no `Conv2DBackpropFilter` kernel, so
 * autograd through `tf.conv2d` falls back to slow paths or fails; here both gradients are plain
 * forward convolutions, which wasm runs fast:
 * - filter gradient: a convolution of the transposed (channels-as-batch) padded input with the
 *   transposed output gradient used as the kernel;
 * - input gradient: a 'same' convolution of the output gradient with the spatially flipped kernel
 *   whose in/out channels are swapped.
 * Stride 1, 'same' padding, odd square or rectangular kernels, NHWC.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `tf.conv2d(x, filter, 1, 'same')` whose gradients run as forward convolutions.
 * @param x input `[batch, height, width, inChannels]`
 * @param filter kernel `[kh, kw, inChannels, outChannels]`, kh and kw odd
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, inC] = filter.shape;
  if (kh % 2 === 0 || kw % 2 === 0)
    throw new Error(`conv2d: kernel ${kh}x${kw} must have odd sides for 'same' padding`);
  if (x.shape[3] !== inC) throw new Error(`conv2d: input has ${x.shape[3]} channels, kernel expects ${inC}`);
  if (kh === 1 && kw === 1) return pointwise(x, filter);
  const op = tf.customGrad((xIn, fIn, save) => {
    const keep = save as tf.GradSaveFunc;
    const xs = xIn as tf.Tensor4D;
    const fs = fIn as tf.Tensor4D;
    keep([xs, fs]);
    return {
      value: tf.conv2d(xs, fs, 1, 'same'),
      gradFunc: (dy, saved) => {
        const [xSaved, fSaved] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        return [inputGradient(dy4, fSaved), filterGradient(xSaved, dy4, kh, kw)];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

/** dL/dx: 'same' convolution of dy with the flipped kernel, in/out channels swapped. */
function inputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, flipped, 1, 'same');
  });
}

/**
 * dL/dW[i,j,ci,co] = sum_{b,h,w} xpad[b,h+i,w+j,ci] * dy[b,h,w,co]: a 'valid' convolution where the
 * input channels act as the batch, the batch acts as channels and dy (as `[H, W, B, outC]`) is the kernel.
 */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    const padded = tf.pad(x, [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ]);
    const xT = padded.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [inC, H+2ph, W+2pw, B]
    const dyT = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [H, W, B, outC]
    const g = tf.conv2d(xT, dyT, 1, 'valid'); // [inC, kh, kw, outC]
    return g.transpose([1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** A 1x1 convolution as a matmul with explicit transposes in its gradient (no transpose flags). */
function pointwise(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, inC] = x.shape;
  const outC = filter.shape[3];
  const op = tf.customGrad((xIn, fIn, save) => {
    const keep = save as tf.GradSaveFunc;
    const x2 = (xIn as tf.Tensor).reshape([b * h * w, inC]) as tf.Tensor2D;
    const f2 = (fIn as tf.Tensor).reshape([inC, outC]) as tf.Tensor2D;
    keep([x2, f2]);
    return {
      value: tf.matMul(x2, f2).reshape([b, h, w, outC]),
      gradFunc: (dy, saved) => {
        const [xs, fs] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = (dy as tf.Tensor).reshape([b * h * w, outC]) as tf.Tensor2D;
        const dx = tf.matMul(dy2, fs.transpose()).reshape([b, h, w, inC]);
        const df = tf.matMul(xs.transpose(), dy2).reshape([1, 1, inC, outC]);
        return [dx, df];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

/**
 * `x @ w` for 2-D tensors with a gradient built from explicit transposes, which tfjs-wasm runs
 * about 10x faster than matMul with transpose flags.
 */
export function matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((xIn, wIn, save) => {
    const keep = save as tf.GradSaveFunc;
    keep([xIn as tf.Tensor, wIn as tf.Tensor]);
    return {
      value: tf.matMul(xIn as tf.Tensor2D, wIn as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, ws.transpose()), tf.matMul(xs.transpose(), d)];
      },
    };
  });
  return op(x, w) as tf.Tensor2D;
}
