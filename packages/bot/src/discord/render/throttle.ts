/**
 * Latest-value-wins throttle for message edits: at most one call per `intervalMs`, never two at
 * once, and `flush` delivers the last pushed value. Errors of one edit are reported, not thrown,
 * so a failed edit never stops the work it reports on.
 */
export class EditThrottle<T> {
  private pending: { value: T } | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (value: T) => Promise<unknown>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  push(value: T): void {
    if (this.closed) return;
    this.pending = { value };
    this.schedule();
  }

  /** Stops timed edits, waits for the one in flight, then sends the last pending value (if any). */
  async flush(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.inFlight;
    if (this.pending) await this.fire();
  }

  /** Drops pending edits and waits for the one in flight. */
  async cancel(): Promise<void> {
    this.closed = true;
    this.pending = undefined;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    const wait = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) void this.fire();
    }, wait);
  }

  private fire(): Promise<void> {
    const item = this.pending;
    if (!item) return Promise.resolve();
    this.pending = undefined;
    this.last = Date.now();
    this.inFlight = this.send(item.value)
      .then(
        () => {},
        (err) => this.onError(err),
      )
      .finally(() => {
        this.inFlight = undefined;
        this.last = Date.now();
        if (this.pending && !this.closed) this.schedule();
      });
    return this.inFlight;
  }
}
