import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/**
 * Selects tfjs's WebAssembly backend (SIMD, one thread in Node) once per process and returns tf.
 * The pure-JS `cpu` backend is 30-250x slower, so training code must call this first.
 * Set `HEARTH_TF_BACKEND=cpu` only to debug numerical differences.
 */
export function initTf(): Promise<typeof tf> {
  ready ??= (async () => {
    const wanted = process.env.HEARTH_TF_BACKEND ?? 'wasm';
    if (wanted === 'wasm') {
      const require = createRequire(import.meta.url);
      const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      setWasmPaths(`${pathToFileURL(wasmDir).href}/`);
      await import('@tensorflow/tfjs-backend-wasm');
    }
    await tf.setBackend(wanted);
    await tf.ready();
    return tf;
  })();
  return ready;
}

export { tf };
