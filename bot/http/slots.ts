/**
 * A bound on work of one kind running at once in this process, refusing rather than queueing:
 * a caller over the bound is answered at once (e.g. 429 with Retry-After), so memory held by
 * that work (request bodies read whole) stays bounded whatever arrives.
 */
export class Slots {
  private active = 0;
  /** The most ever held at once (tests, metrics). */
  peak = 0;

  constructor(readonly max: number) {}

  get inUse(): number {
    return this.active;
  }

  /** A slot and the function that gives it back (once), or undefined when all are taken. */
  tryTake(): (() => void) | undefined {
    if (this.active >= this.max) return undefined;
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.active--;
    };
  }
}
