/**
 * The compare slider: the visible image and the fused one stacked in one frame, the fused one
 * clipped to the right of the handle. Both canvases fill the frame through CSS, so inputs and a
 * super-resolved output of different sizes line up without resampling.
 */
export function setupCompare(frame: HTMLElement, top: HTMLCanvasElement, slider: HTMLInputElement): void {
  const apply = () => {
    const percent = Number(slider.value);
    top.style.clipPath = `inset(0 0 0 ${percent}%)`;
    frame.style.setProperty('--split', `${percent}%`);
  };
  slider.addEventListener('input', apply);
  // Dragging on the picture itself moves the split too.
  frame.addEventListener('pointermove', (event) => {
    if (event.buttons !== 1) return;
    const box = frame.getBoundingClientRect();
    slider.value = String(Math.round((100 * (event.clientX - box.left)) / box.width));
    apply();
  });
  apply();
}
