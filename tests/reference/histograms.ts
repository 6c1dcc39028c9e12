/**
 * Histograms against the numpy reference (tests/fixtures/histograms.json, written by
 * scripts/make_fixtures.py): the fixture's networks as problems, and the comparison every backend
 * must pass. Shared by the CPU test (tests/engine/histograms.test.ts) and the GPU one
 * (tests/gpu/histograms.test.ts), and usable from a browser page.
 */
import type { Problem } from '../../src/engine/problem.ts';
import type { LayerStatistics } from '../../src/engine/results.ts';
import { parseSpec, type SpecInput } from '../../src/engine/spec.ts';
import { ACTIVATIONS, type ActivationName } from '../../src/engine/activations.ts';

export interface HistogramLayer {
  readonly min: number;
  readonly max: number;
  readonly counts: readonly number[];
  /** Every backend must match this layer exactly (see make_fixtures.py section 7). */
  readonly exact: boolean;
  /** How many values the layer has (all finite). */
  readonly values: number;
  /** How many lie exactly on an inner bin edge (they belong to the upper bin). */
  readonly onEdge: number;
  /**
   * Each value's distance to the nearest inner bin edge, in bins, rounded down to 4 digits (null:
   * one bin holds all); null for exact layers, where no value may move.
   */
  readonly distances: readonly (number | null)[] | null;
}

export interface HistogramCase {
  readonly name: string;
  readonly activation: ActivationName;
  readonly alpha: number;
  readonly sizes: readonly number[];
  readonly batch: number;
  readonly bins: number;
  readonly outputActivation: 'linear' | 'same';
  readonly residual: boolean;
  readonly batchnorm: boolean;
  /** Dyadic weights and inputs: every activation is exact in f32 and f64. */
  readonly exactValues: boolean;
  readonly weights: readonly (readonly number[])[];
  readonly biases: readonly (readonly number[])[] | null;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly layers: readonly HistogramLayer[];
}

/** The fixture case as a problem any backend runs (runProblemOn). */
export function histogramProblem(c: HistogramCase): Problem {
  const depth = c.sizes.length - 2;
  const input: SpecInput = {
    activation: c.activation,
    ...(ACTIVATIONS[c.activation].defaultAlpha !== undefined ? { alpha: c.alpha } : {}),
    depth,
    width: c.sizes[1]!,
    inputs: c.sizes[0]!,
    outputs: c.sizes.at(-1)!,
    batch: c.batch,
    bins: c.bins,
    'output-activation': c.outputActivation,
    residual: c.residual,
    batchnorm: c.batchnorm,
    // Any σ_b > 0 tells the backends the layers have biases; the values are the fixture's.
    'sigma-b': c.biases ? 1 : 0,
  };
  const spec = parseSpec(input);
  return {
    spec,
    sizes: c.sizes,
    weights: c.weights.map((w) => Float64Array.from(w)),
    biases: c.sizes.slice(1).map((_n, i) => (c.biases ? Float64Array.from(c.biases[i]!) : null)),
    x: Float64Array.from(c.x),
    y: Float64Array.from(c.y),
  };
}

export interface Precision {
  /** Unit roundoff of the backend's arithmetic: 2⁻⁵² (cpu64) or 2⁻²³ (cpu, webgpu). */
  readonly epsilon: number;
  /**
   * Ulps an activation evaluation may be off by: a few on the CPU, 64 on the GPU (WGSL's exp and
   * tanh are not correctly rounded; TOLERANCES.f32GpuElementwise).
   */
  readonly activationUlps: number;
}

export const F64: Precision = { epsilon: 2 ** -52, activationUlps: 4 };
export const F32_CPU: Precision = { epsilon: 2 ** -23, activationUlps: 4 };
export const F32_GPU: Precision = { epsilon: 2 ** -23, activationUlps: 64 };

export interface HistogramComparison {
  readonly problems: string[];
  /** Values the comparison allowed to move one bin (exact layers: none). */
  readonly movable: number;
  readonly values: number;
  readonly exactLayers: number;
}

/**
 * Compares a run's histograms with the fixture's. Exact layers: min, max and every count equal.
 * Elsewhere: min and max within the backend's value error bound e — by the usual forward-error
 * argument, layer l's activations carry at most l·(n_in + ulps)·ε relative to the layer's scale
 * (each dot product of n_in terms, then the activation) — and the counts may differ only by
 * values whose exact position lies within δ = bins·2e/(max − min) + 8·ε·bins of an inner edge
 * (their own error, the min's and the max's, and the rule's rounding), each moving one bin.
 */
export function compareHistograms(
  stats: LayerStatistics,
  c: HistogramCase,
  precision: Precision,
): HistogramComparison {
  const problems: string[] = [];
  let movable = 0;
  let values = 0;
  let exactLayers = 0;
  const { bins } = c;
  if (stats.histograms.bins !== bins) problems.push(`bins ${stats.histograms.bins}, not ${bins}`);
  c.layers.forEach((reference, i) => {
    const layer = i + 1;
    const counts = Array.from(stats.histograms.counts.subarray(i * bins, (i + 1) * bins));
    const min = stats.histograms.min[i]!;
    const max = stats.histograms.max[i]!;
    const total = reference.values;
    values += total;
    if (stats.histograms.nonFinite[i] !== 0)
      problems.push(`layer ${layer}: ${stats.histograms.nonFinite[i]} non-finite values`);
    const sum = counts.reduce((a, b) => a + b, 0);
    if (sum !== total) problems.push(`layer ${layer}: the bins hold ${sum} of ${total} values`);
    if (reference.exact) {
      exactLayers++;
      if (min !== reference.min || max !== reference.max)
        problems.push(
          `layer ${layer}: range [${min}, ${max}], not [${reference.min}, ${reference.max}]`,
        );
      if (counts.join() !== reference.counts.join())
        problems.push(`layer ${layer}: counts ${counts.join()} , not ${reference.counts.join()}`);
      return;
    }
    const scale = Math.max(Math.abs(reference.min), Math.abs(reference.max));
    const maxWidth = Math.max(...c.sizes);
    const valueError = c.exactValues
      ? 0
      : layer * (maxWidth + precision.activationUlps) * precision.epsilon * scale;
    if (Math.abs(min - reference.min) > valueError || Math.abs(max - reference.max) > valueError)
      problems.push(
        `layer ${layer}: range [${min}, ${max}] vs [${reference.min}, ${reference.max}], ` +
          `allowed ±${valueError.toExponential(2)}`,
      );
    const width = reference.max - reference.min;
    const delta = (bins * 2 * valueError) / width + 8 * precision.epsilon * bins;
    const near = (reference.distances ?? []).filter((d) => d !== null && d < delta).length;
    movable += near;
    let moved = 0;
    counts.forEach((count, bin) => (moved += Math.abs(count - reference.counts[bin]!)));
    if (moved > 2 * near)
      problems.push(
        `layer ${layer}: counts ${counts.join()} differ from ${reference.counts.join()} by ` +
          `${moved}, but only ${near} values lie within ${delta.toExponential(2)} bins of an edge`,
      );
  });
  return { problems, movable, values, exactLayers };
}
