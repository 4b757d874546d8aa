/**
 * Which shards this machine runs. Several machines share one bot by each running a range of the
 * same total: `--shards 0-3 --shard-count 8` here, `--shards 4-7 --shard-count 8` there.
 */
export interface ShardPlan {
  /** Shard ids to run in this machine's processes; undefined: every id of `total`. */
  ids?: number[];
  /** Shards of the whole bot, or `auto` (Discord's recommendation, asked at start). */
  total: number | 'auto';
}

/** The most shards a bot may have here (Discord's large bots run a few thousand). */
const MAX_SHARDS = 16_384;

function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > MAX_SHARDS)
    throw new Error(`${flag} wants a whole number from ${min} to ${MAX_SHARDS}, not "${text}"`);
  return n;
}

/**
 * Reads `--shards auto|N|A-B` and `--shard-count N` into a plan (undefined: no sharding, one
 * process). `--shards N` alone is N shards all run here; with `--shard-count` it is the one shard
 * id N. A range needs `--shard-count`. Errors name the flag and what it wants.
 */
export function parseShardPlan(shards: string | undefined, shardCount: string | undefined): ShardPlan | undefined {
  const count = shardCount === undefined ? undefined : wholeNumber('--shard-count', shardCount.trim(), 1);
  if (shards === undefined) return count === undefined ? undefined : { total: count };
  const spec = shards.trim();
  if (spec === 'auto') {
    if (count !== undefined)
      throw new Error('--shards auto asks Discord for the shard count: leave out --shard-count, or give ids (0-3)');
    return { total: 'auto' };
  }
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(spec);
  if (range) {
    if (count === undefined)
      throw new Error(`--shards ${spec} is a range of shard ids: say how many shards the bot has with --shard-count`);
    const from = wholeNumber('--shards', range[1]!, 0);
    const to = wholeNumber('--shards', range[2]!, 0);
    if (from > to) throw new Error(`--shards ${spec}: the range runs low to high (e.g. 0-3)`);
    if (to >= count)
      throw new Error(`--shards ${spec}: shard ids run from 0 to ${count - 1} with --shard-count ${count}`);
    return { ids: Array.from({ length: to - from + 1 }, (_, i) => from + i), total: count };
  }
  if (!/^\d+$/.test(spec))
    throw new Error(`--shards wants "auto", a number of shards, or a range of shard ids like 0-3, not "${shards}"`);
  if (count === undefined) return { total: wholeNumber('--shards', spec, 1) };
  const id = wholeNumber('--shards', spec, 0);
  if (id >= count) throw new Error(`--shards ${id}: shard ids run from 0 to ${count - 1} with --shard-count ${count}`);
  return { ids: [id], total: count };
}
