/**
 * Reverse-mode autodiff. Ops call `record()` to attach a GradNode to their output; `backward()`
 * walks the tape in reverse topological order (iteratively: no recursion per edge) and
 * accumulates gradients with `+=`, micrograd-style. Gradients of leaves (parameters) land in
 * `.grad` and are kept; every intermediate gradient is disposed as soon as it has been used.
 */
import { isGradEnabled, noGrad } from './context.ts';
import { keep, tidy } from './scope.ts';
import { Tensor, shapeString, type GradNode } from './tensor.ts';
import { add } from '../ops/binary.ts';
import { full, unitScalar } from './create.ts';
import { reshape } from '../ops/shape.ts';

/** Attaches the backward rule to `output` when grad is on and some input needs a gradient. */
export function record(output: Tensor, op: string, inputs: Tensor[], backward: GradNode['backward']): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    output.requiresGrad = true;
    output.node = { op, inputs, backward };
  }
  return output;
}

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Each stack entry: a tensor and the index of the next input to visit.
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].node?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order; // inputs before the tensors made from them
}

/**
 * Computes d(root)/d(leaf) for every leaf with requiresGrad, accumulating into leaf.grad.
 * `gradient` defaults to ones (root is usually a scalar loss). The tape is freed afterwards.
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  // Gradients are not differentiated again (PyTorch's create_graph=False): no tape while we walk.
  noGrad(() => backwardPass(root, gradient));
}

function backwardPass(root: Tensor, gradient?: Tensor): void {
  if (root.graphFreed) throw new Error(`backward(): the graph of ${root} was already freed by an earlier backward(); run the forward pass again`);
  if (!root.requiresGrad) throw new Error(`backward(): ${root} does not require grad (no parameter with requiresGrad in its graph?)`);
  if (gradient && gradient.size !== root.size) throw new Error(`backward(): gradient ${shapeString(gradient.shape)} does not match ${shapeString(root.shape)}`);
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>();
  // Own every gradient we hold: views of caller-given tensors, never the tensors themselves.
  // The default seed of a scalar root is the runtime's constant 1 (no pass of its own).
  const seed = () => (root.size === 1 ? unitScalar(root.shape) : full(root.shape, 1));
  grads.set(root, gradient ? reshape(gradient, root.shape) : seed());

  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    const g = grads.get(t);
    if (!g) continue;
    grads.delete(t);
    if (t.graphFreed) throw new Error(`backward(): ${t} was made by a graph that an earlier backward() freed; run the forward pass again`);
    if (!t.node) {
      // A leaf: accumulate into .grad, which outlives any tidy() scope.
      if (t.grad) {
        const sum = add(t.grad, g);
        t.grad.dispose();
        g.dispose();
        t.grad = keep(sum);
      } else {
        t.grad = keep(g);
      }
      continue;
    }
    // Temporaries of the rule are freed here; only the gradients it returns survive.
    const node = t.node;
    const inputGrads = tidy(() => node.backward(g));
    node.inputs.forEach((input, k) => {
      let gi = inputGrads[k];
      if (!gi || !input.requiresGrad) {
        if (gi && gi !== g) gi.dispose();
        return;
      }
      if (gi === g) gi = reshape(g, input.shape); // a pass-through rule: take our own view
      if (gi.size !== input.size) throw new Error(`${node.op} backward: gradient ${shapeString(gi.shape)} for input ${shapeString(input.shape)}`);
      const previous = grads.get(input);
      if (previous) {
        grads.set(input, add(previous, gi));
        previous.dispose();
        gi.dispose();
      } else {
        grads.set(input, gi);
      }
    });
    g.dispose();
    t.node = null; // free the tape as we go (no retain_graph)
    t.graphFreed = true;
  }
}

/** Drops the gradients of these tensors (before the next accumulation). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) {
    t.grad?.dispose();
    t.grad = null;
  }
}
