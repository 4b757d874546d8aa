import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');

function packageJsons(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || ['node_modules', 'dist', 'test', 'fixtures'].includes(entry.name)) continue;
    const sub = join(dir, entry.name);
    if (existsSync(join(sub, 'package.json'))) out.push(join(sub, 'package.json'));
    out.push(...packageJsons(sub));
  }
  return out;
}

describe('what a stranger needs at the top of the repository', () => {
  it('.env.example lists every environment variable the README documents', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| variable'), readme.indexOf('Guides:'));
    const documented = [...new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!))];
    expect(documented.length).toBeGreaterThanOrEqual(10);
    const example = readFileSync(join(repo, '.env.example'), 'utf8');
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(documented.filter((v) => !listed.includes(v))).toEqual([]);
  });

  it('has a LICENSE, a CONTRIBUTING guide, and every package states the same license', () => {
    expect(readFileSync(join(repo, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(existsSync(join(repo, 'CONTRIBUTING.md'))).toBe(true);
    const packages = packageJsons(join(repo, 'packages'));
    expect(packages.length).toBeGreaterThanOrEqual(6);
    for (const file of packages) expect(JSON.parse(readFileSync(file, 'utf8')).license, file).toBe('MIT');
    expect(readFileSync(join(repo, 'packages/sdk/LICENSE'), 'utf8')).toBe(readFileSync(join(repo, 'LICENSE'), 'utf8'));
  });
});
