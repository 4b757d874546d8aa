import { HearthError } from '@hearth/sdk';

/** Thrown when the wait queue is full: the caller says the bot is busy. */
export class BusyError extends HearthError {
  constructor() {
    super('busy', "I'm handling a lot of requests right now; please try again in a minute.");
  }
}

/**
 * A process-wide cap on concurrent work with a FIFO wait queue. Waiting work can be abandoned
 * through its signal (shutdown), and a full queue refuses new work instead of growing without bound.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: { start: () => void; fail: (err: unknown) => void }[] = [];

  constructor(
    private readonly max: number,
    private readonly maxQueue: number,
  ) {}

  /** Work running now and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `work` when a slot is free; `onQueued` is told the queue position when it has to wait. */
  async run<T>(
    work: () => Promise<T>,
    options: { signal?: AbortSignal; onQueued?: (position: number) => void } = {},
  ): Promise<T> {
    await this.acquire(options);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(options: { signal?: AbortSignal; onQueued?: (position: number) => void }): Promise<void> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new BusyError());
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          options.signal?.removeEventListener('abort', onAbort);
          this.running++;
          resolve();
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(options.signal?.reason);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
      options.onQueued?.(this.waiting.length);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.start();
  }
}

/** Runs tasks one after another per key (a channel), so replies keep the order of the messages. */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
