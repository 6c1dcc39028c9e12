/**
 * Verification of one backend's run against the cpu64 reference: which check to run (the whole
 * batch, or a random subset of samples when the whole would take too long), the subset problem, and
 * the per-layer comparison of the statistics with the documented tolerance (tolerance.ts).
 *
 * Why a subset is exact: without batch normalization the loss is a sum over samples and every
 * sample passes through the network on its own, so each sample's activations and δ⁽ˡ⁾ in a subset
 * are exactly what they are in the full batch. A subset's statistics are the statistics of those
 * samples, computed by both backends from the same weights, so comparing them checks the same
 * arithmetic on fewer columns. Batch normalization couples the samples (μ and σ are batch
 * statistics), so there a subset would be a different problem and the whole batch is checked.
 */
import { runFlops } from './work.ts';
import { buildProblem, philoxBatchColumns, type Problem } from './problem.ts';
import type { LayerStatistics, Precision } from './results.ts';
import { NumpyRandomState, PhiloxPurpose } from './rng.ts';
import { estimateRunBytes, MEMORY_BUDGET_BYTES, type RunSpec } from './spec.ts';
import { TOLERANCES, type Tolerance } from './tolerance.ts';

/**
 * The most multiply-adds a full cpu64 check may take: cpu64 does about 5·10⁸ multiply-adds per
 * second in V8 on a laptop core, so 3·10⁸ keeps a full check near half a second there and under
 * about 2 s on a slower machine. Above it, a subset of samples is checked.
 */
export const FULL_CHECK_MULTIPLY_ADDS = 3e8;

/**
 * Multiply-adds of one forward + backward pass: z = W·a and ∂L/∂W = δ·aᵀ at every layer and
 * δ⁽ˡ⁻¹⁾ = Wᵀ·δ⁽ˡ⁾ from layer 2 on, n_in·n_out per sample each (elementwise work is lower order).
 */
export function multiplyAdds(spec: RunSpec): number {
  // One multiply-add is two flops; the engine counts a pass's flops in one place (work.ts).
  return runFlops(spec) / 2;
}

export type CheckPlan =
  | {
      readonly kind: 'full';
      /** Why the whole batch is checked although it is above the limit (batchnorm, batch 1). */
      readonly note?: string;
    }
  | {
      readonly kind: 'subset';
      /** The samples (batch columns) checked, ascending. */
      readonly indices: readonly number[];
      readonly batch: number;
    }
  | { readonly kind: 'impossible'; readonly reason: string };

function formatCount(value: number): string {
  return value.toExponential(1).replace('e+', '·10^');
}

/** A cpu64 run of this spec fits the CPU memory budget. */
function fitsCpu64(spec: RunSpec): boolean {
  return estimateRunBytes({ ...spec, backend: 'cpu64' }) <= MEMORY_BUDGET_BYTES;
}

function tooBig(spec: RunSpec, what: string): CheckPlan {
  const gib = (estimateRunBytes({ ...spec, backend: 'cpu64' }) / 1024 ** 3).toFixed(1);
  return {
    kind: 'impossible',
    reason:
      `a cpu64 run of ${what} needs about ${gib} GiB, more than the ` +
      `${MEMORY_BUDGET_BYTES / 1024 ** 3} GiB memory budget; reduce width or depth to verify`,
  };
}

/**
 * Decides how to verify `spec`: the whole batch when its cost is within `limit` multiply-adds,
 * otherwise the largest subset of samples within it (at least one), chosen by `sampleIndices` with
 * the spec's seed. With batchnorm the whole batch is checked whatever it costs (a subset would not
 * be exact); a check that cannot fit in memory is refused with the reason.
 */
export function planCheck(spec: RunSpec, limit: number = FULL_CHECK_MULTIPLY_ADDS): CheckPlan {
  if (!(limit > 0))
    throw new RangeError(
      `full-check-limit: got ${limit}; allowed: a positive number of multiply-adds`,
    );
  const cost = multiplyAdds(spec);
  if (cost <= limit || spec.batch === 1 || spec.batchnorm) {
    if (!fitsCpu64(spec)) return tooBig(spec, 'the whole batch');
    if (cost <= limit) return { kind: 'full' };
    return {
      kind: 'full',
      note:
        spec.batch === 1
          ? `the batch is one sample, so it is checked whole (about ${formatCount(cost)} multiply-adds)`
          : `batch normalization couples the samples, so a subset would not be exact: the whole ` +
            `batch is checked (about ${formatCount(cost)} multiply-adds; this may take a while)`,
    };
  }
  const perSample = multiplyAdds({ ...spec, batch: 1 });
  const size = Math.min(spec.batch - 1, Math.max(1, Math.floor(limit / perSample)));
  if (!fitsCpu64({ ...spec, batch: size })) return tooBig({ ...spec, batch: size }, 'the weights');
  return { kind: 'subset', indices: sampleIndices(spec.batch, size, spec.seed), batch: spec.batch };
}

/**
 * `count` distinct samples of 0 … batch − 1, ascending: a partial Fisher–Yates shuffle driven by
 * MT19937 uniforms seeded with `seed` (numpy's legacy generator, rng.ts), so a check is
 * reproducible from the spec.
 */
export function sampleIndices(batch: number, count: number, seed: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > batch)
    throw new RangeError(`a subset needs 1 to ${batch} samples, got ${count}`);
  const random = new NumpyRandomState(seed >>> 0);
  const order = Array.from({ length: batch }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random.uniform() * (batch - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}

/** Columns `indices` of a rows × batch row-major matrix. */
function pickColumns(
  matrix: Float64Array,
  rows: number,
  batch: number,
  indices: readonly number[],
): Float64Array {
  const out = new Float64Array(rows * indices.length);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < indices.length; j++)
      out[r * indices.length + j] = matrix[r * batch + indices[j]!]!;
  return out;
}

function checkIndices(batch: number, indices: readonly number[]): void {
  if (indices.length === 0) throw new RangeError('a subset needs at least one sample');
  for (const i of indices)
    if (!Number.isInteger(i) || i < 0 || i >= batch)
      throw new RangeError(`sample ${i} is not in the batch of ${batch}`);
}

/**
 * The problem restricted to samples `indices`: the same weights and biases, the X and Y columns of
 * those samples, and spec.batch = indices.length.
 */
export function subsetProblem(problem: Problem, indices: readonly number[]): Problem {
  const { spec } = problem;
  checkIndices(spec.batch, indices);
  return {
    spec: { ...spec, batch: indices.length },
    sizes: problem.sizes,
    weights: problem.weights,
    biases: problem.biases,
    x: pickColumns(problem.x, spec.inputs, spec.batch, indices),
    y: pickColumns(problem.y, spec.outputs, spec.batch, indices),
  };
}

/**
 * subsetProblem(buildProblem(spec), indices) without building the whole batch where the stream
 * allows it: under Philox, value i of X or Y is a pure function of (seed, i), so only the chosen
 * columns are generated (and the weights, which do not depend on the batch). Under numpy's
 * sequential stream X follows the weights, so the whole problem is built first.
 */
export function subsetOfSpec(spec: RunSpec, indices: readonly number[]): Problem {
  if (spec.rng !== 'philox') return subsetProblem(buildProblem(spec), indices);
  checkIndices(spec.batch, indices);
  const network = buildProblem({ ...spec, batch: 1 });
  return {
    spec: { ...spec, batch: indices.length },
    sizes: network.sizes,
    weights: network.weights,
    biases: network.biases,
    x: philoxBatchColumns(spec, PhiloxPurpose.input, spec.inputs, indices),
    y: philoxBatchColumns(spec, PhiloxPurpose.target, spec.outputs, indices),
  };
}

// ---------------------------------------------------------------------------------------------
// The comparison

export const VERIFIED_STATISTICS = [
  'gradNorm',
  'weightGradNorm',
  'activationMean',
  'activationStd',
  'deadFraction',
  'saturatedFraction',
] as const;
export type VerifiedStatistic = (typeof VERIFIED_STATISTICS)[number];

/** How each statistic is labelled in a report. */
export const STATISTIC_LABELS: Record<VerifiedStatistic | 'nonFinite' | 'loss', string> = {
  gradNorm: '‖δ‖',
  weightGradNorm: '‖∂L/∂W‖',
  activationMean: 'mean a',
  activationStd: 'std a',
  deadFraction: 'dead',
  saturatedFraction: 'saturated',
  nonFinite: 'non-finite a',
  loss: 'loss',
};

export interface StatisticCheck {
  readonly statistic: VerifiedStatistic | 'nonFinite' | 'loss';
  /** The value under test and the cpu64 reference. */
  readonly test: number;
  readonly reference: number;
  /**
   * 'relative': error = |a − b| / scale (scale |b|; for a mean, max(|b|, std), since a mean near
   * zero is only meaningful on the scale of the spread). 'absolute': error = |a − b|, used for
   * fractions and counts, and where the reference scale is 0.
   */
  readonly kind: 'relative' | 'absolute';
  readonly error: number;
  /** The largest error the tolerance allows; pass ⇔ error ≤ allowed. */
  readonly allowed: number;
  readonly pass: boolean;
  /** Why, where a value was non-finite. */
  readonly note?: string;
  /**
   * Which value each side had, where either was non-finite: agreement needs the same kind on
   * both (NaN with NaN, +∞ with +∞); NaN against ∞, or +∞ against −∞, is a failure.
   */
  readonly nonFinite?: { readonly test: ValueKind; readonly reference: ValueKind };
}

/** What a number is, for comparing non-finite values: finite, NaN, +∞ or −∞. */
export type ValueKind = 'finite' | 'NaN' | '+Infinity' | '-Infinity';

export function valueKind(value: number): ValueKind {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Infinity';
  if (value === -Infinity) return '-Infinity';
  return 'finite';
}

export interface LayerCheck {
  /** 1-based, input side first. */
  readonly layer: number;
  readonly checks: readonly StatisticCheck[];
  /** The largest relative error over the layer's continuous statistics (norms, mean, std). */
  readonly maxRelativeError: number;
  readonly maxRelativeStatistic: VerifiedStatistic | null;
  readonly pass: boolean;
}

export interface VerifyReport {
  readonly layers: readonly LayerCheck[];
  readonly loss: StatisticCheck;
  readonly tolerance: Tolerance;
  /** Over all layers and the loss. */
  readonly maxRelativeError: number;
  readonly pass: boolean;
}

/** The largest finite f32 value: a cpu64 value beyond it is an overflow f32 cannot avoid. */
const F32_MAX = 3.4028234663852886e38;

/** The tolerance for a run of this precision against cpu64. */
export function verifyTolerance(precision: Precision): Tolerance {
  return precision === 'f64' ? TOLERANCES.f64 : TOLERANCES.f32Statistics;
}

function nonFiniteCheck(
  statistic: StatisticCheck['statistic'],
  test: number,
  reference: number,
  precision: Precision,
): StatisticCheck | null {
  const kinds = { test: valueKind(test), reference: valueKind(reference) };
  if (kinds.test === 'finite' && kinds.reference === 'finite') return null;
  const base = { statistic, test, reference, kind: 'absolute' as const, nonFinite: kinds };
  if (kinds.test === kinds.reference)
    return { ...base, error: 0, allowed: 0, pass: true, note: `both ${kinds.test}: they agree` };
  const note =
    kinds.reference === 'finite'
      ? precision === 'f32' && Math.abs(reference) > F32_MAX
        ? `${kinds.test} under test only: cpu64’s ${reference.toExponential(2)} is beyond the f32 range`
        : `${kinds.test} under test only`
      : kinds.test === 'finite'
        ? `${kinds.reference} in cpu64 only`
        : `${kinds.test} under test but ${kinds.reference} in cpu64: they differ`;
  return { ...base, error: Infinity, allowed: 0, pass: false, note };
}

/** |a − b| ≤ abs + rel·scale, reported relative to scale (absolutely where scale is 0). */
function closeCheck(
  statistic: StatisticCheck['statistic'],
  test: number,
  reference: number,
  scale: number,
  tolerance: Tolerance,
  precision: Precision,
): StatisticCheck {
  const nonFinite = nonFiniteCheck(statistic, test, reference, precision);
  if (nonFinite) return nonFinite;
  const difference = Math.abs(test - reference);
  const pass = difference <= tolerance.abs + tolerance.rel * scale;
  if (scale === 0)
    return {
      statistic,
      test,
      reference,
      kind: 'absolute',
      error: difference,
      allowed: tolerance.abs,
      pass,
    };
  return {
    statistic,
    test,
    reference,
    kind: 'relative',
    error: difference / scale,
    allowed: tolerance.rel + tolerance.abs / scale,
    pass,
  };
}

function differenceCheck(
  statistic: StatisticCheck['statistic'],
  test: number,
  reference: number,
  allowed: number,
  precision: Precision,
): StatisticCheck {
  const nonFinite = nonFiniteCheck(statistic, test, reference, precision);
  if (nonFinite) return nonFinite;
  const error = Math.abs(test - reference);
  // The tiny slack absorbs the rounding of count / total in either run.
  return {
    statistic,
    test,
    reference,
    kind: 'absolute',
    error,
    allowed,
    pass: error <= allowed * (1 + 1e-9),
  };
}

/**
 * Compares a run's statistics (`test`, of `precision`) with cpu64's on the same problem.
 * Norms and std: relative to the reference. Mean: relative to max(|mean|, std). Dead and saturated
 * fractions: a unit whose φ or φ′ lies within rounding of 0 or of the threshold may flip, so one
 * unit (dead) and two entries or 0.2% of them (saturated) may differ, as in the GPU parity tests;
 * an f32 run may also count dead every unit whose φ underflows f32 on every sample, and put on
 * the other side of the threshold every entry within f32 resolution of it (the reference's
 * underflowFraction and thresholdFraction). Std: relative to rms(a) = √(mean² + std²).
 *
 * Not covered: batch normalization's gradients (its backward pass projects out the batch mean
 * and ẑ, a cancellation no per-layer statistic measures), so an f32 run with batchnorm may fail
 * the gradient-norm checks while computing correctly in f32.
 * Non-finite activations per layer must match in number. A non-finite statistic agrees only with
 * the same non-finite value (NaN with NaN, +∞ with +∞); NaN against ±∞, +∞ against −∞, or a
 * non-finite value against a finite one fails, and the check says which values they were.
 */
export function compareRuns(
  test: LayerStatistics,
  reference: LayerStatistics,
  sizes: readonly number[],
  batch: number,
  precision: Precision,
): VerifyReport {
  if (test.layerCount !== reference.layerCount || reference.layerCount !== sizes.length - 1)
    throw new RangeError(
      `the runs have ${test.layerCount} and ${reference.layerCount} layers, the network ${sizes.length - 1}`,
    );
  const tolerance = verifyTolerance(precision);
  const layers: LayerCheck[] = [];
  let overallMax = 0;
  for (let i = 0; i < reference.layerCount; i++) {
    const units = sizes[i + 1]!;
    const entries = units * batch;
    const value = (stats: LayerStatistics, key: VerifiedStatistic) => stats[key][i]!;
    const relative = (key: VerifiedStatistic, scale: number) =>
      closeCheck(key, value(test, key), value(reference, key), scale, tolerance, precision);
    const referenceStd = reference.activationStd[i]!;
    const referenceMean = reference.activationMean[i]!;
    const meanScale = Math.max(
      Math.abs(referenceMean),
      Number.isFinite(referenceStd) ? referenceStd : 0,
    );
    // The std of values stored with relative error ε is off by up to ε·rms(a), not ε·std: when
    // the spread is tiny next to the mean (a saturated sigmoid layer), its digits cancel.
    const stdScale = Math.hypot(referenceStd, Number.isFinite(referenceMean) ? referenceMean : 0);
    const checks: StatisticCheck[] = [
      relative('gradNorm', Math.abs(reference.gradNorm[i]!)),
      relative('weightGradNorm', Math.abs(reference.weightGradNorm[i]!)),
      relative('activationMean', meanScale),
      relative('activationStd', Number.isFinite(stdScale) ? stdScale : Math.abs(referenceStd)),
      differenceCheck(
        'deadFraction',
        test.deadFraction[i]!,
        reference.deadFraction[i]!,
        // One unit may flip at 0; in f32, also every unit whose φ underflows f32 on every sample.
        1 / units + (precision === 'f32' ? (reference.underflowFraction?.[i] ?? 0) : 0),
        precision,
      ),
      differenceCheck(
        'saturatedFraction',
        test.saturatedFraction[i]!,
        reference.saturatedFraction[i]!,
        Math.max(2 / entries, 0.002) +
          (precision === 'f32' ? (reference.thresholdFraction?.[i] ?? 0) : 0),
        precision,
      ),
      differenceCheck(
        'nonFinite',
        test.histograms.nonFinite[i]!,
        reference.histograms.nonFinite[i]!,
        0,
        precision,
      ),
    ];
    let maxRelativeError = 0;
    let maxRelativeStatistic: VerifiedStatistic | null = null;
    for (const check of checks) {
      if (check.kind !== 'relative') continue;
      if (check.error >= maxRelativeError) {
        maxRelativeError = check.error;
        maxRelativeStatistic = check.statistic as VerifiedStatistic;
      }
    }
    overallMax = Math.max(overallMax, maxRelativeError);
    layers.push({
      layer: i + 1,
      checks,
      maxRelativeError,
      maxRelativeStatistic,
      pass: checks.every((check) => check.pass),
    });
  }
  const loss = closeCheck(
    'loss',
    test.loss,
    reference.loss,
    Math.abs(reference.loss),
    tolerance,
    precision,
  );
  if (loss.kind === 'relative') overallMax = Math.max(overallMax, loss.error);
  return {
    layers,
    loss,
    tolerance,
    maxRelativeError: overallMax,
    pass: loss.pass && layers.every((layer) => layer.pass),
  };
}

/** An error or bound for display: three significant digits, exponent form when small or large. */
export function formatError(value: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude < 1e-2 || magnitude >= 1e4 ? value.toExponential(2) : value.toPrecision(3);
}

/** A one-line account of a failed check, for a table cell or a message. */
export function describeCheck(check: StatisticCheck): string {
  const label = STATISTIC_LABELS[check.statistic];
  if (check.note) return `${label}: ${check.note} (${check.test} vs ${check.reference})`;
  const fmt = (v: number) => formatError(v);
  return `${label}: ${check.kind} error ${fmt(check.error)} > ${fmt(check.allowed)} (${check.test} vs ${check.reference})`;
}
