/**
 * `dombridge replay --list | head`: once the reader has what it wants it closes the pipe, and the next write fails
 * with EPIPE. That is the reader's choice, not a fault of the command: end at once, quietly, with exit status 0
 * (what was printed is what was asked for). Any other error of stdout/stderr (a full disk) is still reported.
 */
export function endQuietlyOnClosedOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr], exit: (code: number) => void = (c) => process.exit(c)): void {
  for (const s of streams) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') exit(0);
      else throw e;
    });
  }
}
