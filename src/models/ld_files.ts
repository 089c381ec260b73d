/**
 * LD-Lite and LDFusion from safetensors files: Node only (it reads the file system), so it is
 * kept apart from the model files, which the browser bundle includes.
 */
import { readFileBytes } from '../io/files.ts';
import { ldfusionFromSafetensors, type LDFusion } from './ldfusion.ts';
import { ldliteFromSafetensors, type LDLite } from './ldlite.ts';

/** LD-Lite from one safetensors file (the authors' weight/final.pt, converted). */
export async function loadLdlite(file: string): Promise<LDLite> {
  return ldliteFromSafetensors(await readFileBytes(file), file);
}

/** LDFusion from its encoder and decoder safetensors files. */
export async function loadLdfusion(encoderFile: string, decoderFile: string): Promise<LDFusion> {
  return ldfusionFromSafetensors(await readFileBytes(encoderFile), await readFileBytes(decoderFile), encoderFile, decoderFile);
}
