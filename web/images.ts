/**
 * Images in and out of the page. Decoding is the browser's (createImageBitmap → canvas →
 * getImageData → imageFromRgba), so the page needs none of the Node decoders; drawing turns an
 * Image (floats in [0, 1]) into 8-bit RGBA with the same rounding as the PNG writer.
 */
import { FusegradError } from '../src/errors.ts';
import { imageFromRgba, type Image } from '../src/io/image.ts';

export async function decodeImageFile(file: Blob, name: string): Promise<Image> {
  let bitmap: ImageBitmap;
  try {
    // Raw sample values: no colour-profile conversion, no premultiplied alpha.
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new FusegradError(`${name}: the browser cannot decode this file as an image`);
  }
  try {
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new FusegradError('this browser gives no 2D canvas to decode images with');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return imageFromRgba(data, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** 8-bit level of a value in [0, 1]: clamped, rounded, NaN → 0 (as src/io/encode.ts). */
export function toByte(v: number): number {
  return v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
}

export function imageToRgba(image: Image): Uint8ClampedArray<ArrayBuffer> {
  const n = image.width * image.height;
  const rgba = new Uint8ClampedArray(n * 4);
  const { data, channels } = image;
  for (let i = 0; i < n; i++) {
    const r = toByte(data[i * channels]);
    rgba[4 * i] = r;
    rgba[4 * i + 1] = channels === 3 ? toByte(data[i * 3 + 1]) : r;
    rgba[4 * i + 2] = channels === 3 ? toByte(data[i * 3 + 2]) : r;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

/** Sizes the canvas to the image and draws it 1:1 (CSS does the on-screen scaling). */
export function drawImage(canvas: HTMLCanvasElement, image: Image): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(new ImageData(imageToRgba(image), image.width, image.height), 0, 0);
}

/** Saves a canvas as a PNG through a blob URL (nothing leaves the machine). */
export function downloadCanvas(canvas: HTMLCanvasElement, fileName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) return reject(new Error('the canvas could not be encoded as PNG'));
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      resolve();
    }, 'image/png');
  });
}
