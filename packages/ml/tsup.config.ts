import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild(['src/index.ts', 'src/ops/linear.ts', 'src/ops/conv.ts', 'src/image/index.ts']),
);
