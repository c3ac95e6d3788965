/**
 * Counts turns and HTTP requests in progress so that shutdown can wait for them: a turn
 * is done only when its HTTP response (expectReplies) has been written too.
 */
import type { Middleware } from 'botbuilder';

export class InflightTurns {
  private active = 0;
  private waiters: Array<() => void> = [];

  get count(): number {
    return this.active;
  }

  /** Marks one piece of work as started; call the returned function once when it ends. */
  begin(): () => void {
    this.active++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active--;
      if (this.active === 0) for (const w of this.waiters.splice(0)) w();
    };
  }

  async track<T>(fn: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await fn();
    } finally {
      end();
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
