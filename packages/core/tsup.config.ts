import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// One entry per public subpath in package.json "exports".
export default defineConfig(
  packageBuild([
    'src/index.ts',
    'src/knowledge/index.ts',
    'src/local-models/index.ts',
    'src/mcp-client/index.ts',
    'src/providers/index.ts',
    'src/providers/gguf/index.ts',
    'src/storage/index.ts',
    'src/queue/index.ts',
    'src/ops/index.ts',
  ]),
);
