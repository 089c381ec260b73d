/**
 * The loss curve: a small canvas plot, log-scaled loss against step, redrawn whole at each read
 * (a few hundred points at most; no incremental drawing needed).
 */
export class LossPlot {
  private points: { step: number; loss: number }[] = [];
  private totalSteps = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(totalSteps: number): void {
    this.points = [];
    this.totalSteps = Math.max(1, totalSteps);
    this.draw();
  }

  add(step: number, loss: number): void {
    if (Number.isFinite(loss) && loss > 0) this.points.push({ step, loss });
    this.draw();
  }

  private draw(): void {
    const { canvas } = this;
    const context = canvas.getContext('2d');
    if (!context) return;
    // Crisp on high-DPI screens: the backing store follows the CSS size times the pixel ratio.
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth || 320, cssHeight = canvas.clientHeight || 140;
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, cssWidth, cssHeight);
    const left = 44, right = 8, top = 8, bottom = 20;
    const plotW = cssWidth - left - right, plotH = cssHeight - top - bottom;
    context.strokeStyle = '#5557';
    context.strokeRect(left, top, plotW, plotH);
    context.fillStyle = '#888';
    context.font = '11px system-ui, sans-serif';
    context.textAlign = 'left';
    context.fillText('0', left, cssHeight - 5);
    context.textAlign = 'right';
    context.fillText(`${this.totalSteps} steps`, left + plotW, cssHeight - 5);
    context.textAlign = 'left';
    if (this.points.length === 0) return;
    const logs = this.points.map((p) => Math.log10(p.loss));
    let lo = Math.min(...logs), hi = Math.max(...logs);
    if (hi - lo < 1e-6) { lo -= 0.5; hi += 0.5; }
    const x = (step: number) => left + (plotW * step) / this.totalSteps;
    const y = (log: number) => top + (plotH * (hi - log)) / (hi - lo);
    context.fillText(formatLoss(10 ** hi), 2, top + 9);
    context.fillText(formatLoss(10 ** lo), 2, top + plotH);
    context.strokeStyle = '#e8743b';
    context.lineWidth = 1.5;
    context.beginPath();
    this.points.forEach((p, i) => (i === 0 ? context.moveTo(x(p.step), y(logs[i])) : context.lineTo(x(p.step), y(logs[i]))));
    context.stroke();
  }
}

function formatLoss(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
}
