/**
 * A small Module base, PyTorch-shaped: a module owns named tensors (trainable parameters and
 * buffers such as BatchNorm's running statistics) and named child modules; names join with '.'
 * into state-dict keys ("cov1.conv.weight"), which is what weights files (safetensors) hold.
 */
import type { TensorEntry } from '../io/safetensors.ts';
import { expectTensor } from '../io/safetensors.ts';
import { runtime } from '../tensor/context.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface OwnTensor {
  tensor: Tensor;
  /** false for buffers (running statistics): saved and loaded, never optimised */
  trainable: boolean;
}

export abstract class Module {
  training = true;

  /** this module's own tensors by name (not its children's) */
  protected ownTensors(): Record<string, OwnTensor> {
    return {};
  }

  /** child modules by name */
  protected children(): Record<string, Module> {
    return {};
  }

  /** Every tensor in the tree with its state-dict key, in definition order. */
  namedTensors(prefix = ''): [string, OwnTensor][] {
    const out: [string, OwnTensor][] = Object.entries(this.ownTensors()).map(([k, t]) => [prefix + k, t]);
    for (const [name, child] of Object.entries(this.children())) out.push(...child.namedTensors(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedTensors().filter(([, t]) => t.trainable).map(([, t]) => t.tensor);
  }

  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** train(true) for batch statistics, train(false) for inference (running statistics). */
  train(on = true): this {
    this.training = on;
    for (const child of Object.values(this.children())) child.train(on);
    return this;
  }

  /**
   * Copies weights from a state dict into this module's tensors. Every tensor of the module
   * must be present with its exact shape and finite values (FusegradError naming the key
   * otherwise); keys the module does not have are returned, for the caller to judge.
   */
  loadStateDict(entries: Map<string, TensorEntry>, fileName: string, prefix = ''): string[] {
    const used = new Set<string>();
    const rt = runtime();
    for (const [name, own] of this.namedTensors()) {
      const key = prefix + name;
      const data = expectTensor(entries, key, own.tensor.shape, fileName);
      used.add(key);
      if (data.length) rt.write(own.tensor.buffer, data);
    }
    return [...entries.keys()].filter((k) => !used.has(k));
  }

  /** The state dict as host arrays, for writeSafetensors. */
  async stateDict(prefix = ''): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, own] of this.namedTensors()) out[prefix + name] = { shape: [...own.tensor.shape], data: await own.tensor.read() };
    return out;
  }

  dispose(): void {
    for (const [, own] of this.namedTensors()) own.tensor.dispose();
  }
}
