/**
 * Runs a pass now, or once more after the one running: kicks during a pass
 * add up to one more pass, and passes never overlap. What the scheduler and
 * retention share: work that reads the current state each time, so a kick
 * only has to say "look again".
 */
export class Passes {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<void>,
    /** A failed pass is told here; the next kick runs again. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves (never rejects) when the passes this kick caused are done. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch(this.onError);
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** No pass starts any more; resolves once the one running is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
