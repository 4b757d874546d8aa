import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HearthError } from '@hearth/sdk';
import { coreAsset } from '../assets.js';

/** A persona: system prompt, few-shot examples and output format, from a Markdown file with front matter. */
export interface Persona {
  name: string;
  description: string;
  system: string;
  examples: { user: string; assistant: string }[];
  outputFormat: string;
  temperature?: number;
  maxTokens?: number;
  /** File it came from. */
  file: string;
}

/** The personas shipped with Hearth (packages/core/assets/personas). */
export const BUILTIN_PERSONAS_DIR = coreAsset('personas');

/**
 * Parses a persona file:
 * ```
 * ---
 * name: default
 * description: ...
 * temperature: 0.3
 * maxTokens: 400
 * ---
 * System prompt...
 * ## Examples
 * ### User
 * ...
 * ### Assistant
 * ...
 * ## Output format
 * ...
 * ```
 */
export function parsePersona(text: string, file: string): Persona {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  const meta: Record<string, string> = {};
  const body = match ? (match[2] ?? '') : text;
  for (const line of (match?.[1] ?? '').split(/\r?\n/)) {
    const kv = /^\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (kv?.[1]) meta[kv[1]] = (kv[2] ?? '').replace(/^["']|["']$/g, '');
  }
  const sections = splitSections(body);
  const name = meta.name || basename(file).replace(/\.md$/i, '');
  if (!/^[\w-]{1,40}$/.test(name))
    throw new HearthError('invalid_persona', `Persona file ${file}: name "${name}" must be letters, digits, - or _.`);
  const system = sections.main.trim();
  if (!system)
    throw new HearthError(
      'invalid_persona',
      `Persona file ${file} has no system prompt (text after the front matter).`,
    );
  return {
    name,
    description: meta.description ?? '',
    system,
    examples: parseExamples(sections.examples, file),
    outputFormat: sections.output.trim(),
    temperature: numberOr(meta.temperature, file, 'temperature'),
    maxTokens: numberOr(meta.maxTokens, file, 'maxTokens'),
    file,
  };
}

function splitSections(body: string): { main: string; examples: string; output: string } {
  const out = { main: '', examples: '', output: '' };
  let current: keyof typeof out = 'main';
  for (const line of body.split(/\r?\n/)) {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading?.[1] && /^examples?$/i.test(heading[1])) current = 'examples';
    else if (heading?.[1] && /^output format$/i.test(heading[1])) current = 'output';
    else out[current] += `${line}\n`;
  }
  return out;
}

function parseExamples(text: string, file: string): Persona['examples'] {
  const examples: Persona['examples'] = [];
  let role: 'user' | 'assistant' | undefined;
  let user = '';
  let assistant = '';
  const flush = () => {
    if (user.trim() && assistant.trim()) examples.push({ user: user.trim(), assistant: assistant.trim() });
    user = '';
    assistant = '';
  };
  for (const line of text.split('\n')) {
    const heading = /^###\s+(user|assistant)\s*$/i.exec(line);
    if (heading?.[1]) {
      const next = heading[1].toLowerCase() as 'user' | 'assistant';
      if (next === 'user' && role === 'assistant') flush();
      role = next;
    } else if (role === 'user') user += `${line}\n`;
    else if (role === 'assistant') assistant += `${line}\n`;
  }
  if (role === 'user' && user.trim() && !assistant.trim()) {
    throw new HearthError(
      'invalid_persona',
      `Persona file ${file}: the last example has a "### User" part but no "### Assistant" part.`,
    );
  }
  flush();
  return examples;
}

function numberOr(value: string | undefined, file: string, key: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new HearthError('invalid_persona', `Persona file ${file}: ${key} "${value}" is not a number.`);
  return n;
}

/** Loads every `*.md` persona of the given folders; later folders override earlier ones by name. */
export function loadPersonas(dirs: (string | undefined)[]): Map<string, Persona> {
  const personas = new Map<string, Persona>();
  for (const dir of dirs) {
    if (!dir || !existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      if (!entry.toLowerCase().endsWith('.md')) continue;
      const file = join(dir, entry);
      const persona = parsePersona(readFileSync(file, 'utf8'), file);
      personas.set(persona.name, persona);
    }
  }
  return personas;
}
