import type { FieldSpec } from './fields.js';

/** Discord's limits on application command options. */
export const DISCORD_LIMITS = { options: 25, choices: 25, nameLength: 32, descriptionLength: 100 } as const;
const DISCORD_NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

/**
 * Checks that every surface can express the fields; returns one problem per field that cannot,
 * each naming the field (the host prefixes plugin and tool).
 */
export function surfaceProblems(fields: FieldSpec[]): string[] {
  const problems: string[] = [];
  if (fields.length > DISCORD_LIMITS.options) {
    problems.push(`has ${fields.length} fields; Discord allows at most ${DISCORD_LIMITS.options} options`);
  }
  let seenOptional = false;
  for (const f of fields) {
    if (!DISCORD_NAME.test(f.name)) {
      problems.push(`field "${f.name}": Discord option names are 1-32 lower-case letters, digits, "-" or "_"`);
    }
    if (f.description.length > DISCORD_LIMITS.descriptionLength) {
      problems.push(`field "${f.name}": description is ${f.description.length} characters; Discord allows 100`);
    }
    if (f.choices && f.choices.length > DISCORD_LIMITS.choices) {
      problems.push(`field "${f.name}": ${f.choices.length} choices; Discord allows 25 (use autocomplete instead)`);
    }
    if (f.choices && f.autocomplete) problems.push(`field "${f.name}": choices and autocomplete cannot be combined`);
    if (f.required && seenOptional) {
      // Discord requires required options first; the surface reorders, so this is only a note for docs.
    }
    if (!f.required) seenOptional = true;
  }
  return problems;
}
