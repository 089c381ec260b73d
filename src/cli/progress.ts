/**
 * Progress for long work (an INRFuse fit, a CNN run in strips): a bar on a terminal, JSON lines
 * otherwise (for scripts and logs).
 */
import type { FitProgress } from '../fusion/inr.ts';

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A fit's ETA past which the CLI suggests quicker settings (see slowFitHint). */
export const SLOW_FIT_SECONDS = 600;

/**
 * One line for a fit that will take long: how long, and quicker settings, for a fit `hidden`
 * wide of `steps` steps (the sample's preset, 64 wide and 200 steps, where these are larger).
 */
export function slowFitHint(p: FitProgress, swiftshader: boolean, hidden: number, steps: number): string {
  const quicker = [hidden > 64 ? '--hidden 64' : '', steps > 200 ? '--steps 200' : ''].filter(Boolean).join(' ');
  const perStep = 1 / p.stepsPerSecond;
  return `this fit will take about ${formatSeconds(p.etaSeconds)} more at ${perStep < 10 ? `${perStep.toFixed(1)}s` : formatSeconds(perStep)} a step` +
    `${swiftshader ? ' (CPU emulation)' : ''}; ${quicker ? `${quicker} or ` : ''}--model didfuse take${quicker ? '' : 's'} far less`;
}

export interface ProgressReporter {
  /** a fit's loss read */
  update(p: FitProgress): void;
  /** a CNN's strips: `done` of `total` finished after `seconds` */
  strips(done: number, total: number, seconds: number): void;
  /** a line of its own that the bar does not overwrite */
  note(message: string): void;
  done(): void;
}

export function progressReporter(json: boolean): ProgressReporter {
  const tty = !json && !!process.stderr.isTTY;
  let barShown = false;
  const bar = (done: number, total: number, text: string) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}  ${text}   `);
    barShown = true;
  };
  const line = (event: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(event)}\n`);
  return {
    update(p) {
      if (!tty) {
        line({
          event: 'progress', step: p.step, steps: p.steps, loss: Number(p.loss.toPrecision(6)),
          stepsPerSecond: Number(p.stepsPerSecond.toPrecision(4)), etaSeconds: Math.round(p.etaSeconds),
        });
        return;
      }
      bar(p.step, p.steps, `loss ${p.loss.toFixed(5)}  ${p.stepsPerSecond.toFixed(2)} steps/s  ETA ${formatSeconds(p.etaSeconds)}`);
    },
    strips(done, total, seconds) {
      const eta = (seconds / done) * (total - done);
      if (!tty) {
        line({ event: 'progress', strip: done, strips: total, etaSeconds: Math.round(eta) });
        return;
      }
      bar(done, total, `strips  ETA ${formatSeconds(eta)}`);
    },
    note(message) {
      if (!tty) {
        line({ event: 'note', message });
        return;
      }
      process.stderr.write(`${barShown ? '\n' : ''}fusegrad: ${message}\n`);
      barShown = false;
    },
    done() {
      if (barShown) process.stderr.write('\n');
      barShown = false;
    },
  };
}
