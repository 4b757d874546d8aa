/**
 * Shared in-process machine learning for Hearth: tfjs on the WebAssembly backend, the custom
 * gradients tfjs-wasm lacks, seeded randomness and image helpers. Used by core's local models and
 * by the diffusion and GAN plugins.
 * @packageDocumentation
 */
export { initTf, tf } from './backend.js';
export { gaussian, seededRandom } from './random.js';
