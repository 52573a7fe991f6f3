import type { Logger } from '../log/logger.js';

/**
 * Runs `drainOnce` on a timer and whenever kicked, never two at a time. A kick during a run schedules one more
 * run right after it, so work committed while a run was in progress is never left waiting for the timer.
 *
 * `drainOnce` is handed a `stopping` test: a run draining a backlog checks it between messages, so stop() waits for
 * the message in hand, not for the whole backlog (which stays in its outbox for the next start).
 */
export class RelayLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly name: string, private readonly drainOnce: (stopping: () => boolean) => Promise<void>, private readonly intervalMs: number, private readonly log: Logger) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainOnce(() => this.stopped)
      .catch((e: unknown) => this.log.error(`${this.name} run failed`, { error: e instanceof Error ? e.message : String(e) }))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once no run is in progress (tests, and shutdown after stop()). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }
}
