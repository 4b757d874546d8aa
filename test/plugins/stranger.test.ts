import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldPlugin } from '../../packages/bot/src/cli/commands/plugins.js';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '../..');

/** The npm registry answers (npm install of the scaffold's dev dependencies needs it). */
function registryReachable(): boolean {
  try {
    execFileSync('npm', ['ping'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

const online = registryReachable();
if (!online) console.warn('stranger.test.ts: skipped, the npm registry is not reachable (npm ping failed)');

/**
 * What a third party does, outside this repository: `hearth plugins new` into a folder of their
 * own, then `npm install && npm test` there with nothing but npm and the registry. No links into
 * the checkout: the SDK arrives as a tarball packed from a build of packages/sdk.
 */
describe.skipIf(!online)('a plugin written outside the repository', () => {
  let dir: string;
  beforeAll(() => {
    const parent = mkdtempSync(join(tmpdir(), 'hearth-stranger-'));
    expect(parent.startsWith(repo)).toBe(false);
    dir = scaffoldPlugin('my-plugin', { dir: parent }).dir;
  }, 120_000); // builds the SDK when its dist/ is stale
  afterAll(() => {});

  it('depends on a packed SDK tarball, carries its own vitest config and @types/node', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@hearth/sdk']).toBe('file:vendor/hearth-sdk-0.2.0.tgz');
    expect(existsSync(join(dir, 'vendor/hearth-sdk-0.2.0.tgz'))).toBe(true);
    expect(pkg.devDependencies['@types/node']).toBeDefined();
    expect(existsSync(join(dir, 'vitest.config.ts'))).toBe(true);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('`/my-plugin greet`');
    expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toContain('MCP `my-plugin_greet`');
  });

  it('npm install && npm test && npm run build pass with the registry alone', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      CI: '1',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
    await run('npm', ['install', '--prefer-offline'], { cwd: dir, env, timeout: 150_000 });
    const test = await run('npm', ['test'], { cwd: dir, env, timeout: 60_000 }).catch(
      (err: { stdout: string; stderr: string }) => {
        throw new Error(`npm test failed:\n${err.stdout}\n${err.stderr}`);
      },
    );
    expect(test.stdout).toMatch(/Tests\s+2 passed/);
    await run('npm', ['run', 'build'], { cwd: dir, env, timeout: 60_000 });
    expect(existsSync(join(dir, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist/index.d.ts'))).toBe(true);
  }, 280_000);
});
