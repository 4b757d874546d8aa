/**
 * New identifiers for synthetic rows, in the style of a real id column and never equal to any real
 * value: integers continue after the largest real id; ids like `C10042` or `user-007` keep their
 * prefix, suffix and zero padding with numbers after the largest; anything else becomes `syn-<n>`.
 * An all-missing column stays missing.
 */
export function syntheticIds(cells: (string | null)[], n: number): (string | null)[] {
  const present = cells.filter((c): c is string => c !== null && c !== '');
  if (present.length === 0) return Array.from({ length: n }, () => null);
  const taken = new Set(present);
  const pattern = sharedPattern(present);
  let next = pattern ? pattern.max + 1n : 1n;
  const out: string[] = [];
  while (out.length < n) {
    const id = pattern
      ? `${pattern.prefix}${next.toString().padStart(pattern.width, '0')}${pattern.suffix}`
      : `syn-${next}`;
    next++;
    if (!taken.has(id)) out.push(id);
  }
  return out;
}

const NUMBERED = /^(.*?)(\d+)(\D*)$/;

/** The prefix/number/suffix form every real id shares, if they do. */
function sharedPattern(ids: string[]): { prefix: string; suffix: string; width: number; max: bigint } | undefined {
  const first = NUMBERED.exec(ids[0]!);
  if (!first) return undefined;
  const [, prefix, , suffix] = first;
  let max = 0n;
  const lengths = new Set<number>();
  let zeroPadded = false;
  for (const id of ids) {
    const m = NUMBERED.exec(id);
    if (!m || m[1] !== prefix || m[3] !== suffix) return undefined;
    const v = BigInt(m[2]!);
    if (v > max) max = v;
    lengths.add(m[2]!.length);
    if (m[2]!.length > 1 && m[2]!.startsWith('0')) zeroPadded = true;
  }
  // Zero padding is kept only when every real id is padded to the same width.
  const width = zeroPadded && lengths.size === 1 ? [...lengths][0]! : 0;
  return { prefix: prefix!, suffix: suffix!, width, max };
}
