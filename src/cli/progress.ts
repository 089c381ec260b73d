/** Progress for long fits: a bar on a terminal, JSON lines otherwise (for scripts and logs). */
import type { FitProgress } from '../fusion/inr.ts';

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export function progressReporter(json: boolean): { update(p: FitProgress): void; done(): void } {
  const tty = !json && !!process.stderr.isTTY;
  return {
    update(p) {
      if (!tty) {
        process.stderr.write(`${JSON.stringify({ event: 'progress', step: p.step, steps: p.steps, loss: Number(p.loss.toPrecision(6)), stepsPerSecond: Number(p.stepsPerSecond.toFixed(3)) })}\n`);
        return;
      }
      const width = 30;
      const filled = Math.round((p.step / p.steps) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      process.stderr.write(`\r${bar} ${p.step}/${p.steps}  loss ${p.loss.toFixed(5)}  ${p.stepsPerSecond.toFixed(2)} steps/s  ETA ${formatSeconds(p.etaSeconds)}   `);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
