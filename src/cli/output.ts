const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * `provision ... | head -1`: once the reader of stdout (or stderr) is gone, every write fails
 * with EPIPE, and an unhandled stream error would end the process mid-rollout. Output to that
 * stream is switched off instead; the run, its report files and its exit code go on as usual.
 */
export function switchOffOnClosedPipe(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    const off = (_chunk: unknown, ...rest: unknown[]) => {
      const done = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (done) process.nextTick(done);
      return true;
    };
    Object.assign(stream, { write: off });
  });
}
