/**
 * One optimiser step on plain Float64Arrays with torch.optim semantics (single-tensor path,
 * no amsgrad, no maximize). Inputs are never modified; new arrays are returned.
 */

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient (Adam, not AdamW's decoupled decay) */
  weightDecay?: number;
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  /** PyTorch's dampening; only used from the second step on */
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

function sameLength(...arrays: Float64Array[]): void {
  if (arrays.some((a) => a.length !== arrays[0].length)) {
    throw new Error(`optimiser arrays differ in length: ${arrays.map((a) => a.length).join(', ')}`);
  }
}

/** torch.lerp for one element: uses the form that is exact at the nearer end (ATen's Lerp.h). */
export function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}

/**
 * torch.optim.Adam for one tensor. `step` is the 1-based step count after this update
 * (PyTorch increments state['step'] before using it). Per element:
 *   g = grad + weightDecay·param
 *   m = lerp(m, g, 1 − β1);  v = β2·v + (1 − β2)·g²
 *   denom = sqrt(v) / sqrt(1 − β2^step) + eps;  stepSize = lr / (1 − β1^step)
 *   param = param − stepSize·m / denom
 */
export function adamStep(
  param: Float64Array,
  grad: Float64Array,
  m: Float64Array,
  v: Float64Array,
  step: number,
  { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 }: AdamOptions,
): { param: Float64Array; m: Float64Array; v: Float64Array } {
  sameLength(param, grad, m, v);
  if (!Number.isInteger(step) || step < 1) throw new Error(`adam step must be an integer ≥ 1, got ${step}`);
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  const out = { param: new Float64Array(param.length), m: new Float64Array(m.length), v: new Float64Array(v.length) };
  for (let i = 0; i < param.length; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * param[i] : grad[i];
    const mi = lerp(m[i], g, 1 - beta1);
    const vi = v[i] * beta2 + (1 - beta2) * g * g; // mul_(β2).addcmul_(g, g, value=1−β2)
    const denom = Math.sqrt(vi) / biasCorrection2Sqrt + eps;
    out.m[i] = mi;
    out.v[i] = vi;
    out.param[i] = param[i] - (stepSize * mi) / denom; // addcdiv_(m, denom, value=−stepSize)
  }
  return out;
}

/**
 * torch.optim.SGD for one tensor. Pass buf = null on the first step (no momentum buffer yet);
 * with momentum the first buffer is the (decayed) gradient itself. Per element:
 *   d = grad + weightDecay·param
 *   buf = first step ? d : momentum·buf + (1 − dampening)·d
 *   d = nesterov ? d + momentum·buf : buf          (only when momentum ≠ 0)
 *   param = param − lr·d
 * Returns buf = null when momentum is 0 (PyTorch keeps none either).
 */
export function sgdStep(
  param: Float64Array,
  grad: Float64Array,
  buf: Float64Array | null,
  { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: SgdOptions,
): { param: Float64Array; buf: Float64Array | null } {
  sameLength(param, grad, ...(buf ? [buf] : []));
  const out = new Float64Array(param.length);
  const newBuf = momentum !== 0 ? new Float64Array(param.length) : null;
  for (let i = 0; i < param.length; i++) {
    let d = weightDecay !== 0 ? grad[i] + weightDecay * param[i] : grad[i];
    if (newBuf) {
      newBuf[i] = buf ? buf[i] * momentum + (1 - dampening) * d : d;
      d = nesterov ? d + momentum * newBuf[i] : newBuf[i];
    }
    out[i] = param[i] - lr * d;
  }
  return { param: out, buf: newBuf };
}
