/**
 * A SIREN as one op (src/ops/siren_mlp.ts), float64: the chain of the layer references.
 * inputs: x [N, in], then W [out, in] and b [out] of each layer; every layer but the last is a
 * sine layer, the last linear.
 */
import { linear, sineLinear, type SineLinearParams } from './sine_linear.ts';
import type { CpuTensor, RefOp } from './tensor.ts';

function layerOps(inputs: CpuTensor[]): { x: CpuTensor; layers: [CpuTensor, CpuTensor][] } {
  if (inputs.length < 3 || inputs.length % 2 === 0) throw new Error(`sirenMlp: expected x then W, b per layer, got ${inputs.length} inputs`);
  const layers: [CpuTensor, CpuTensor][] = [];
  for (let k = 1; k < inputs.length; k += 2) layers.push([inputs[k], inputs[k + 1]]);
  return { x: inputs[0], layers };
}

/** Each layer's input, and the output. */
function forwardAll(inputs: CpuTensor[], params: SineLinearParams): { layerInputs: CpuTensor[]; y: CpuTensor } {
  const { x, layers } = layerOps(inputs);
  const layerInputs: CpuTensor[] = [];
  let h = x;
  layers.forEach(([w, b], l) => {
    layerInputs.push(h);
    h = l < layers.length - 1 ? sineLinear.forward([h, w, b], params) : linear.forward([h, w, b]);
  });
  return { layerInputs, y: h };
}

export const sirenMlp: RefOp<SineLinearParams> = {
  name: 'sirenMlp',
  forward(inputs, params) {
    return forwardAll(inputs, params).y;
  },
  backward(inputs, params, gradOut) {
    const { layers } = layerOps(inputs);
    const { layerInputs } = forwardAll(inputs, params);
    const grads: CpuTensor[] = new Array(inputs.length);
    let g = gradOut;
    for (let l = layers.length - 1; l >= 0; l--) {
      const [w, b] = layers[l];
      const [dx, dw, db] = l < layers.length - 1
        ? sineLinear.backward([layerInputs[l], w, b], params, g)
        : linear.backward([layerInputs[l], w, b], undefined, g);
      grads[1 + 2 * l] = dw;
      grads[2 + 2 * l] = db;
      g = dx;
    }
    grads[0] = g;
    return grads;
  },
};
