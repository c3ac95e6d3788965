/** Counts turns in progress so that shutdown can wait for them to finish. */
import type { Middleware } from 'botbuilder';

export class InflightTurns {
  private active = 0;
  private waiters: Array<() => void> = [];

  get count(): number {
    return this.active;
  }

  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      if (this.active === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves when no turn is running, or after timeoutMs; true when drained. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  middleware(): Middleware {
    return { onTurn: (_context, next) => this.track(next) };
  }
}
