import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild(['src/index.ts', 'src/knowledge/index.ts', 'src/local-models/index.ts', 'src/providers/index.ts']),
);
