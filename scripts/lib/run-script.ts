/** How the GPU scripts (training, evaluation) start and end. */
import { FusegradError } from '../../src/errors.ts';
import { init, shutdown } from '../../src/index.ts';

/**
 * Runs a script: `setup` (flags) first, then the GPU comes up and `main` runs; user errors from
 * either become one line on stderr and the error's exit code, and the GPU is shut down.
 */
export function runGpuScript<T>(name: string, setup: () => T, main: (setting: T) => Promise<void>): void {
  const fail = (err: unknown) => {
    console.error(`${name}: error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof FusegradError ? err.exitCode : 1;
  };
  let setting: T;
  try {
    setting = setup();
  } catch (err) {
    fail(err);
    return;
  }
  init()
    .then(() => main(setting))
    .then(() => shutdown(), (err: unknown) => {
      fail(err);
      shutdown();
    });
}
