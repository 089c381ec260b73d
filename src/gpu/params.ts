/**
 * Builder for a kernel's uniform `params` struct. Every field is a 4-byte scalar (u32, i32 or f32)
 * in declaration order, and arrays are `vec4<u32>` groups, so the WGSL struct layout is the plain
 * sequence of words with no hidden padding. The byte size is rounded up to 16 as uniforms need.
 */
export class Params {
  private words: number[] = [];
  private kinds: ('u' | 'i' | 'f')[] = [];

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`params: ${value} is not a u32`);
    this.words.push(value); this.kinds.push('u'); return this;
  }

  i32(value: number): this {
    if (!Number.isInteger(value)) throw new Error(`params: ${value} is not an i32`);
    this.words.push(value); this.kinds.push('i'); return this;
  }

  f32(value: number): this {
    this.words.push(value); this.kinds.push('f'); return this;
  }

  /** A `array<vec4<u32>, groups>` field: values padded with `fill` to 4·groups entries. */
  u32s(values: readonly number[], groups: number, fill = 0): this {
    if (values.length > groups * 4) throw new Error(`params: ${values.length} values do not fit ${groups} vec4s`);
    for (let i = 0; i < groups * 4; i++) this.u32(i < values.length ? values[i] : fill);
    return this;
  }

  /** Pads to the next 16-byte boundary (vec4 fields must start there). */
  align16(): this {
    while (this.words.length % 4) this.u32(0);
    return this;
  }

  /** Bytes the struct takes: whole vec4s, at least one. */
  get byteLength(): number {
    return Math.max(4, Math.ceil(this.words.length / 4) * 4) * 4;
  }

  /** Writes the struct at `offset` of `view` (the runtime's uniform arena) and returns its byteLength. */
  writeTo(view: DataView, offset: number): number {
    const n = this.byteLength;
    for (let i = 0; i < n / 4; i++) {
      const w = i < this.words.length ? this.words[i] : 0;
      const kind = this.kinds[i];
      if (kind === 'f') view.setFloat32(offset + i * 4, w, true);
      else if (kind === 'i') view.setInt32(offset + i * 4, w, true);
      else view.setUint32(offset + i * 4, w, true);
    }
    return n;
  }
}
