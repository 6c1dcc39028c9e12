/**
 * One line that says what a run's per-layer gradient norms show, computed from the numbers: all
 * zero, non-finite, vanishing or exploding by how many orders of magnitude from the output layer
 * to layer 1, or flowing (within one order, the threshold the engine's diagnoseRun uses too).
 */
export type VerdictKind = 'zero' | 'nonfinite' | 'vanishing' | 'exploding' | 'flows';

export interface GradientVerdict {
  readonly kind: VerdictKind;
  /** log₁₀(‖δ⁽ᴸ⁾‖ / ‖δ⁽¹⁾‖): positive when gradients shrink toward the input; null if undefined. */
  readonly orders: number | null;
  readonly text: string;
}

/** ‖δ⁽¹⁾‖ / ‖δ⁽ᴸ⁾‖: how much of the output layer's gradient reaches layer 1. */
export function firstToLastRatio(gradNorm: ArrayLike<number>): number {
  return gradNorm[0]! / gradNorm[gradNorm.length - 1]!;
}

export function gradientVerdict(gradNorm: ArrayLike<number>): GradientVerdict {
  const values = Array.from(gradNorm);
  const nonFinite = values.filter((v) => !Number.isFinite(v)).length;
  if (nonFinite > 0) {
    return {
      kind: 'nonfinite',
      orders: null,
      text: `overflow: ${nonFinite} of ${values.length} layers have non-finite gradients`,
    };
  }
  if (values.every((v) => v === 0)) {
    return { kind: 'zero', orders: null, text: 'all zero: no gradient reaches any layer' };
  }
  const first = values[0]!;
  const output = values[values.length - 1]!;
  const orders = Math.log10(output / first);
  if (orders > 1) {
    return {
      kind: 'vanishing',
      orders,
      text:
        first === 0
          ? 'vanishes: layer 1’s gradient is exactly zero'
          : `vanishes: ${orders.toFixed(1)} orders of magnitude smaller at layer 1 than at the output`,
    };
  }
  if (orders < -1) {
    return {
      kind: 'exploding',
      orders,
      text:
        output === 0
          ? 'the output layer’s gradient is zero but earlier layers’ are not'
          : `explodes: ${(-orders).toFixed(1)} orders of magnitude larger at layer 1 than at the output`,
    };
  }
  return {
    kind: 'flows',
    orders,
    text: `flows: layer 1 gets ${(first / output).toPrecision(3)} × the output layer’s gradient (within one order of magnitude)`,
  };
}
