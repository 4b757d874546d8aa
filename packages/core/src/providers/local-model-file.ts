import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { coreAsset } from '../assets.js';

/** The model Hearth ships (trained by `hearth train`, Q8_0), used when no provider is configured. */
export const SHIPPED_MODEL_PATH = coreAsset('models', 'hearth-local-q8_0.gguf');

/**
 * The file behind `local`: `<dataDir>/models/hearth-local.gguf` when the user trained one, else the
 * shipped model. Kept apart from the gguf provider so checking it does not import node-llama-cpp.
 */
export function localModelFile(dataDir?: string): string {
  const own = dataDir ? join(dataDir, 'models', 'hearth-local.gguf') : undefined;
  return own && existsSync(own) ? own : SHIPPED_MODEL_PATH;
}
