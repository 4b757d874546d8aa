/**
 * Ids already handled, so an event Discord (or a resumed session's replay) delivers twice is acted
 * on once. Bounded: a least-recently-seen id is forgotten first, and duplicates arrive within
 * seconds, long before `capacity` newer ids push one out.
 */
export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time `id` is offered; false for a repeat (which also refreshes it). */
  first(id: string): boolean {
    const seen = this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return !seen;
  }

  get size(): number {
    return this.ids.size;
  }
}
