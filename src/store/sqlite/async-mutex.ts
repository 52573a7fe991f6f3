/** A FIFO async lock: one holder at a time, waiters served in arrival order. */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The chain continues whether fn resolves or rejects; the caller still sees the rejection.
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}
