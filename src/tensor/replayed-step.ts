/**
 * A training step run through Runtime.capture: the first run() runs the step and records it,
 * later ones replay the recording (src/gpu/recording.ts says what a step may do). run() returns
 * the step's result, a loss, which the recording owns: every replay rewrites it, and dispose()
 * frees it with the recording.
 */
import type { StepRecording } from '../gpu/recording.ts';
import { runtime } from './context.ts';
import type { Disposable } from './scope.ts';

export class ReplayedStep<T extends Disposable> {
  private recorded: { result: T; recording: StepRecording } | null = null;

  constructor(private readonly step: () => T) {}

  run(): T {
    const rt = runtime();
    if (this.recorded) rt.replay(this.recorded.recording);
    else this.recorded = rt.capture(this.step);
    return this.recorded.result;
  }

  /** the recording, once run() has made it */
  get recording(): StepRecording | null {
    return this.recorded?.recording ?? null;
  }

  dispose(): void {
    this.recorded?.recording.dispose();
    this.recorded?.result.dispose();
    this.recorded = null;
  }
}
