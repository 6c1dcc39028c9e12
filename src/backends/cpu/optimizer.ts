/**
 * One optimizer step over a range of a parameter array: minibatch SGD, SGD with momentum
 * (PyTorch's convention: v ← μv + g, p ← p − lr·v) or Adam (Kingma & Ba 2015, Algorithm 1). The
 * arithmetic is f64 whatever the parameter's precision, element by element, so splitting a
 * parameter's rows between threads changes nothing but the order in which the returned sums are
 * added. Training (training.ts) steps biases with it on the coordinating thread, and the lanes
 * step the weights' rows with it (pass-rows.ts updateRows).
 *
 * The settings travel as numbers (a shared Float64Array on a team of threads), laid out by
 * OPTIMIZER_SETTINGS.
 */
import type { FloatArray } from './pass-rows.ts';

/** Word offsets of an optimizer's settings array. */
export const OPTIMIZER_SETTINGS = {
  /** 0: SGD (with momentum when first moments are given), 1: Adam. */
  kind: 0,
  learningRate: 1,
  momentum: 2,
  beta1: 3,
  beta2: 4,
  epsilon: 5,
  /** The 1-based step being taken (Adam's bias correction). */
  step: 6,
  /** Gradients are sums over the batch: each is divided by this. */
  batch: 7,
  words: 8,
} as const;

export const OPTIMIZER_KIND = { sgd: 0, adam: 1 } as const;

/**
 * Steps parameter[start, end) in place by gradient[j] / batch, with optional moments (SGD with
 * momentum: `first`; Adam: `first` and `second`), and returns [Σ p² before the step, Σ Δp² with
 * Δp as stored, i.e. after rounding to the parameter's precision].
 */
export function optimizerStep(
  settings: Float64Array,
  parameter: FloatArray,
  gradient: ArrayLike<number>,
  first: Float64Array | null,
  second: Float64Array | null,
  start: number,
  end: number,
): [weightSquares: number, deltaSquares: number] {
  const S = OPTIMIZER_SETTINGS;
  const lr = settings[S.learningRate]!;
  const batch = settings[S.batch]!;
  // One loop per optimizer, each storing the new value and reading back what was stored (the
  // parameter's precision rounds it), with no call per element.
  let weightSquares = 0;
  let deltaSquares = 0;
  if (settings[S.kind] === OPTIMIZER_KIND.adam) {
    const beta1 = settings[S.beta1]!;
    const beta2 = settings[S.beta2]!;
    const epsilon = settings[S.epsilon]!;
    const t = settings[S.step]!;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    const m = first!;
    const v = second!;
    for (let j = start; j < end; j++) {
      const g = gradient[j]! / batch;
      const mj = (m[j] = beta1 * m[j]! + (1 - beta1) * g);
      const vj = (v[j] = beta2 * v[j]! + (1 - beta2) * g * g);
      const old = parameter[j]!;
      parameter[j] = old - (lr * (mj / correction1)) / (Math.sqrt(vj / correction2) + epsilon);
      const delta = parameter[j]! - old;
      weightSquares += old * old;
      deltaSquares += delta * delta;
    }
  } else if (first) {
    const momentum = settings[S.momentum]!;
    for (let j = start; j < end; j++) {
      const velocity = (first[j] = momentum * first[j]! + gradient[j]! / batch);
      const old = parameter[j]!;
      parameter[j] = old - lr * velocity;
      const delta = parameter[j]! - old;
      weightSquares += old * old;
      deltaSquares += delta * delta;
    }
  } else {
    for (let j = start; j < end; j++) {
      const old = parameter[j]!;
      parameter[j] = old - lr * (gradient[j]! / batch);
      const delta = parameter[j]! - old;
      weightSquares += old * old;
      deltaSquares += delta * delta;
    }
  }
  return [weightSquares, deltaSquares];
}
