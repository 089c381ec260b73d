/**
 * The built-in sample pair (`fusegrad fuse --sample`): a synthetic road at night, generated in
 * code so the project ships no image files. It is built so that fusion has something to do:
 *  - the visible image has what IR lacks: brick texture, a dashed road marking, a sign with
 *    high-contrast bars, a sky gradient and fine noise texture;
 *  - the IR image has what the visible image barely shows: two warm people and a warm car engine,
 *    standing in a region that is in deep shadow in the visible image;
 *  - IR also holds a smooth, low-contrast, blurred version of the same geometry, so the pair is aligned.
 * Deterministic: a fixed-seed PRNG, no Date or Math.random. Layout is in fractions of the image
 * size, so any size works (shapes stretch with the aspect ratio).
 */
import { greyImage, rgbImage } from './image.ts';
import type { Image } from './image.ts';
import { mulberry32 } from '../random.ts';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SamplePair {
  ir: Image;
  vis: Image;
  /** Pixel boxes around the warm objects (people, engine): bright in IR, near black in VIS. */
  hotSpots: Box[];
}

type Rgb = readonly [number, number, number];

interface Canvas {
  W: number;
  H: number;
  vis: Float32Array; // RGB interleaved
  ir: Float32Array;
}


/** Calls fn for every pixel whose centre lies in the box given in fractions [u0, u1) × [v0, v1). */
function forBox(c: Canvas, u0: number, v0: number, u1: number, v1: number, fn: (x: number, y: number, i: number) => void): void {
  const x0 = Math.max(0, Math.round(u0 * c.W)), x1 = Math.min(c.W, Math.round(u1 * c.W));
  const y0 = Math.max(0, Math.round(v0 * c.H)), y1 = Math.min(c.H, Math.round(v1 * c.H));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) fn(x, y, y * c.W + x);
}

function setVis(c: Canvas, i: number, rgb: Rgb): void {
  c.vis[3 * i] = rgb[0];
  c.vis[3 * i + 1] = rgb[1];
  c.vis[3 * i + 2] = rgb[2];
}

const HORIZON = 0.35, ROAD_TOP = 0.6, SHADOW_U = 0.57, SHADOW_BOTTOM = 0.82;

/** Night sky: a dark blue gradient, lighter near the horizon (city glow). Cold, flat in IR. */
function paintSky(c: Canvas): void {
  forBox(c, 0, 0, 1, HORIZON, (_x, y, i) => {
    const t = y / (HORIZON * c.H);
    setVis(c, i, [0.02 + 0.18 * t, 0.03 + 0.15 * t, 0.1 + 0.18 * t]);
    c.ir[i] = 0.08 + 0.06 * t;
  });
}

/** Distant ground between horizon and road: dull in both. */
function paintBackground(c: Canvas): void {
  forBox(c, 0, HORIZON, 1, ROAD_TOP, (_x, _y, i) => {
    setVis(c, i, [0.16, 0.18, 0.15]);
    c.ir[i] = 0.3;
  });
}

/** Street-lit brick wall: bricks and mortar lines in VIS, a uniform warm-ish surface in IR. */
function paintWall(c: Canvas): void {
  const bh = Math.max(3, c.H / 24), bw = 2.2 * bh, mortar = Math.max(1, 0.15 * bh);
  forBox(c, 0, 0.22, 0.45, ROAD_TOP, (x, y, i) => {
    const row = Math.floor(y / bh);
    const xs = x + (row % 2) * bw * 0.5; // every other row is offset by half a brick
    const inMortar = y - row * bh < mortar || xs % bw < mortar;
    setVis(c, i, inMortar ? [0.72, 0.7, 0.66] : [0.55, 0.27, 0.19]);
    c.ir[i] = 0.36;
  });
}

/** Asphalt: mid-grey in VIS, the warmest large surface in IR (it keeps the day's heat). */
function paintRoad(c: Canvas): void {
  forBox(c, 0, ROAD_TOP, 1, 1, (_x, _y, i) => {
    setVis(c, i, [0.23, 0.23, 0.24]);
    c.ir[i] = 0.42;
  });
}

/** Dashed white centre line: sharp and bright in VIS, only slightly cooler than asphalt in IR. */
function paintMarking(c: Canvas): void {
  forBox(c, 0, 0.77, 1, 0.8, (x, _y, i) => {
    if ((x / c.W) % 0.14 > 0.08) return; // dashes of 8% of the width, gaps of 6%
    setVis(c, i, [0.92, 0.92, 0.88]);
    c.ir[i] = 0.38;
  });
}

/** A blue sign on a pole, with white lettering-like bars; in IR a dim, featureless board. */
function paintSign(c: Canvas): void {
  forBox(c, 0.525, 0.26, 0.535, ROAD_TOP, (_x, _y, i) => { setVis(c, i, [0.45, 0.45, 0.47]); c.ir[i] = 0.26; });
  forBox(c, 0.46, 0.12, 0.6, 0.28, (_x, _y, i) => { setVis(c, i, [0.08, 0.25, 0.65]); c.ir[i] = 0.2; });
  for (let k = 0; k < 5; k++) {
    const u0 = 0.475 + k * 0.024;
    const tall = k % 2 === 0;
    forBox(c, u0, tall ? 0.15 : 0.18, u0 + 0.012, 0.25, (_x, _y, i) => setVis(c, i, [0.95, 0.95, 0.95]));
  }
}

/** Fine noise texture in VIS (what makes the visible image detailed); same offset on R, G, B. */
function addTexture(c: Canvas, rnd: () => number): void {
  for (let i = 0; i < c.W * c.H; i++) {
    const n = (rnd() - 0.5) * 0.08;
    for (let k = 0; k < 3; k++) c.vis[3 * i + k] += n;
  }
}

/** Deep shadow over the right-hand side (no street light there): VIS nearly black, IR unaffected. */
function paintShadow(c: Canvas): void {
  forBox(c, SHADOW_U, HORIZON, 1, SHADOW_BOTTOM, (_x, _y, i) => {
    for (let k = 0; k < 3; k++) c.vis[3 * i + k] *= 0.15;
  });
}

/** Pixel box of a box given in fractions (for hotSpots). */
function pixelBox(c: Canvas, u0: number, v0: number, u1: number, v1: number): Box {
  const x = Math.max(0, Math.floor(u0 * c.W)), y = Math.max(0, Math.floor(v0 * c.H));
  return { x, y, w: Math.min(c.W, Math.ceil(u1 * c.W)) - x, h: Math.min(c.H, Math.ceil(v1 * c.H)) - y };
}

/** A parked car in the shadow: barely a silhouette in VIS; warm body and a hot engine in IR. */
function paintCar(c: Canvas): Box {
  forBox(c, 0.6, 0.6, 0.8, 0.72, (_x, _y, i) => { setVis(c, i, [0.05, 0.05, 0.06]); c.ir[i] = 0.5; });
  forBox(c, 0.66, 0.55, 0.77, 0.6, (_x, _y, i) => { setVis(c, i, [0.06, 0.07, 0.08]); c.ir[i] = 0.45; }); // cabin
  const engine = [0.6, 0.6, 0.67, 0.68] as const;
  forBox(c, ...engine, (_x, _y, i) => { c.ir[i] = 0.88; });
  return pixelBox(c, ...engine);
}

/** A standing person (head, torso, legs), feet at (cu, vFeet), `tall` as a fraction of the height. */
function paintPerson(c: Canvas, cu: number, vFeet: number, tall: number): Box {
  const cx = cu * c.W, fy = vFeet * c.H, ph = tall * c.H;
  const inside = (x: number, y: number): boolean => {
    const head = Math.hypot(x - cx, y - (fy - 0.88 * ph)) < 0.1 * ph;
    const torso = ((x - cx) / (0.15 * ph)) ** 2 + ((y - (fy - 0.58 * ph)) / (0.24 * ph)) ** 2 < 1;
    const legs = y > fy - 0.4 * ph && y < fy && Math.abs(Math.abs(x - cx) - 0.06 * ph) < 0.045 * ph;
    return head || torso || legs;
  };
  const box = pixelBox(c, (cx - 0.17 * ph) / c.W, (fy - ph) / c.H, (cx + 0.17 * ph) / c.W, vFeet);
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue;
      const i = y * c.W + x;
      setVis(c, i, [0.025, 0.025, 0.03]);
      c.ir[i] = 0.93;
    }
  }
  return box;
}

/** IR cameras are blurry: two passes of a separable box blur over the IR plane. */
function blurIr(c: Canvas, radius: number): void {
  const { W, H } = c;
  const tmp = new Float32Array(W * H);
  const pass = (src: Float32Array, dst: Float32Array, horizontal: boolean): void => {
    const len = horizontal ? W : H, lines = horizontal ? H : W;
    for (let l = 0; l < lines; l++) {
      for (let k = 0; k < len; k++) {
        let sum = 0;
        for (let d = -radius; d <= radius; d++) {
          const kk = Math.min(len - 1, Math.max(0, k + d)); // clamp at the borders
          sum += src[horizontal ? l * W + kk : kk * W + l];
        }
        dst[horizontal ? l * W + k : k * W + l] = sum / (2 * radius + 1);
      }
    }
  };
  for (let n = 0; n < 2; n++) {
    pass(c.ir, tmp, true);
    pass(tmp, c.ir, false);
  }
}

function addIrNoise(c: Canvas, rnd: () => number): void {
  for (let i = 0; i < c.ir.length; i++) c.ir[i] += (rnd() - 0.5) * 0.02;
}

function clamp01(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = Math.min(1, Math.max(0, a[i]));
}

export function makeSamplePair(width = 256, height = 192): SamplePair {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new RangeError(`makeSamplePair: size must be integers of at least 16, got ${width}x${height}`);
  }
  const c: Canvas = { W: width, H: height, vis: new Float32Array(width * height * 3), ir: new Float32Array(width * height) };
  const rnd = mulberry32(0x5eed1e55);
  paintSky(c);
  paintBackground(c);
  paintWall(c);
  paintRoad(c);
  paintMarking(c);
  paintSign(c);
  addTexture(c, rnd);
  paintShadow(c);
  const hotSpots = [paintCar(c), paintPerson(c, 0.85, 0.76, 0.32), paintPerson(c, 0.93, 0.74, 0.3)];
  blurIr(c, Math.max(1, Math.round(height / 192)));
  addIrNoise(c, rnd);
  clamp01(c.vis);
  clamp01(c.ir);
  return { ir: greyImage(width, height, c.ir), vis: rgbImage(width, height, c.vis), hotSpots };
}
