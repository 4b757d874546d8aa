import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

// Command files are separate entries: the CLI discovers them in dist/cli/commands at run time.
export default defineConfig(
  packageBuild([
    'src/index.ts',
    'src/discord/index.ts',
    'src/mcp/index.ts',
    'src/cli/main.ts',
    'src/cli/commands/*.ts',
  ]),
);
