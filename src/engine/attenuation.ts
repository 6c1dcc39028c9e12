/**
 * The chapter's gradient attenuation bound and its table (§17.5, "The Sigmoid Case"), computed
 * from the activation table rather than typed in, and the measured attenuation it is compared
 * with.
 *
 * Backpropagation gives δ⁽ˡ⁾ = diag(f′(z⁽ˡ⁾)) W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾ (§17.5). Counting only the
 * activation's factor, each layer shrinks the gradient by at most max|f′|, so k layers below the
 * output it is attenuated by at most (max|f′|)^k: 0.25^k for sigmoid. That bound ignores the
 * weights: the full bound is Π‖W⁽ˡ⁾‖₂ · (max|f′|)^k, and a measured attenuation can exceed
 * (max|f′|)^k wherever the weights amplify (‖W‖₂ > 1).
 */
import { activationProperties, resolveAlpha, type ActivationName } from './activations.ts';

/** The layer counts k the chapter's attenuation table lists. */
export const CHAPTER_ATTENUATION_LAYERS: readonly number[] = [1, 3, 5, 10, 20];

/** The chapter's table runs to k = 20. */
export const ATTENUATION_TABLE_LAYERS = 20;

export interface ActivationChoice {
  readonly activation: ActivationName;
  /** The activation's parameter; ignored (0) for activations without one. */
  readonly alpha?: number;
}

/** max|f′| of an activation, measured numerically from the activation table. */
export function maxAbsDerivative(activation: ActivationName, alpha?: number): number {
  return activationProperties(activation, resolveAlpha(activation, alpha)).maxAbsDerivative;
}

/** The chapter's bound on the attenuation over k layers: (max|f′|)^k. */
export function attenuationBound(
  activation: ActivationName,
  alpha: number | undefined,
  k: number,
): number {
  return maxAbsDerivative(activation, alpha) ** k;
}

export interface AttenuationRow {
  /** Layers the gradient has passed through, k. */
  readonly layers: number;
  /** (max|f′|)^k, one per activation, in the order asked. */
  readonly bounds: readonly number[];
  /** Whether the chapter's own table has this row. */
  readonly inChapter: boolean;
}

/** The attenuation table for k = 1..maxLayers, one bound column per activation. */
export function attenuationTable(
  activations: readonly ActivationChoice[],
  maxLayers: number = ATTENUATION_TABLE_LAYERS,
): AttenuationRow[] {
  const maxima = activations.map((a) => maxAbsDerivative(a.activation, a.alpha));
  const rows: AttenuationRow[] = [];
  for (let k = 1; k <= maxLayers; k++) {
    rows.push({
      layers: k,
      bounds: maxima.map((max) => max ** k),
      inChapter: CHAPTER_ATTENUATION_LAYERS.includes(k),
    });
  }
  return rows;
}

/**
 * Measured attenuation relative to the output layer: entry k is ‖δ⁽ᴸ⁻ᵏ⁾‖ / ‖δ⁽ᴸ⁾‖ for
 * k = 0..L−1, where `gradNorm` is indexed by layer − 1 (input side first) and L is its length. So
 * entry 0 is 1 and the last entry is layer 1's ratio: the same axis as the bound (max|f′|)^k.
 * When the output norm is 0 or non-finite the ratios are NaN or ±∞, and are reported as such.
 */
export function attenuationFromOutput(gradNorm: ArrayLike<number>): Float64Array {
  const layers = gradNorm.length;
  const out = new Float64Array(layers);
  if (layers === 0) return out;
  const outputNorm = gradNorm[layers - 1]!;
  for (let k = 0; k < layers; k++) out[k] = gradNorm[layers - 1 - k]! / outputNorm;
  return out;
}

/** The power of ten nearest a positive value (the chapter's "≈ 10⁻⁶"); NaN otherwise. */
export function nearestPowerOfTen(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return NaN;
  return Math.round(Math.log10(value));
}
