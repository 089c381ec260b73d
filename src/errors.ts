/**
 * The one error type for things a user can fix: a bad file, a bad flag, a missing GPU driver.
 * The CLI prints `message` alone (no stack trace) and exits with `exitCode` (2 = user mistake).
 * Anything that is not a FusegradError is a bug in fusegrad and is shown with its stack.
 */
export class FusegradError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'FusegradError';
  }
}
