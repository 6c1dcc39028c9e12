/**
 * The network pass cut into row jobs. Every kernel of a pass works on whole rows (one unit of a
 * layer, across the batch: the layout is unit-major), so a job over rows [r0, r1) of a layer
 * needs nothing from other rows of that layer. network-pass.ts runs each job once over all rows
 * (one thread), or splits its rows between threads (lanes.ts): the arithmetic of every entry is
 * the same either way; only the order in which partial sums of statistics are added differs.
 *
 * A job's sums, counts, minima and maxima go into the lane's partial slot (PARTIAL), which the
 * coordinating thread combines after every lane is done.
 */
import { ACTIVATIONS, activationProperties } from '../../engine/activations.ts';
import { hasResidual, layerActivation, type Problem } from '../../engine/problem.ts';
import { KERNEL_NAMES, type KernelName } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import { F32_MIN_NORMAL } from '../../engine/tolerance.ts';

export type FloatArray = Float32Array | Float64Array;

/** The kernels that differ between precisions. */
export interface PrecisionKernels {
  readonly alloc: (length: number) => FloatArray;
  /** C (m×n) = A (m×k) · B (k×n), row-major; C overwritten. */
  readonly matmul: (
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    m: number,
    k: number,
    n: number,
  ) => void;
  /** dst (cols×rows) = srcᵀ. */
  readonly transpose: (src: FloatArray, rows: number, cols: number, dst: FloatArray) => void;
}

/** Batch-normalization ε (Ioffe & Szegedy 2015; the value PyTorch and Keras use). */
export const BATCHNORM_EPSILON = 1e-5;
/**
 * How close to the saturation threshold, relative to it, an f32 run's |φ′| may land on the other
 * side: 128 f32 ulps (the GPU's φ′ may be 64 ulps off, and rounding z costs more near a kink).
 */
export const SATURATION_BAND = 2 ** -16;
/** A unit is saturated on a sample when |φ'(z)| ≤ this fraction of max|φ'|. */
export const SATURATION_THRESHOLD = 1e-3;

/** Per-layer statistics of a pass, index l − 1 (counts: layer-major, `bins` per layer). */
export interface StatsArrays {
  readonly gradNorm: Float64Array;
  readonly weightGradNorm: Float64Array;
  readonly activationMean: Float64Array;
  readonly activationStd: Float64Array;
  readonly deadFraction: Float64Array;
  /** Units not dead whose every |φ(z)| is below f32's smallest normal (results.ts). */
  readonly underflowFraction: Float64Array;
  /** Entries whose |φ′(z)| lies within f32 resolution of the saturation threshold (results.ts). */
  readonly thresholdFraction: Float64Array;
  readonly saturatedFraction: Float64Array;
  readonly histMin: Float64Array;
  readonly histMax: Float64Array;
  readonly counts: Float64Array;
  readonly nonFinite: Float64Array;
}

/**
 * The buffers of a pass over one problem in one precision. Everything a row job reads or writes
 * is here, so lanes that share these buffers (SharedArrayBuffer) can run jobs on other threads.
 */
export interface PassBuffers {
  readonly spec: RunSpec;
  readonly sizes: readonly number[];
  readonly weights: FloatArray[];
  readonly weightsT: FloatArray[];
  readonly biases: (FloatArray | null)[];
  readonly y: FloatArray;
  /** a⁽⁰⁾ = X, …, a⁽ᴸ⁾. */
  readonly activations: FloatArray[];
  /** φ(ẑ⁽ˡ⁾) before the residual add (for dead units); aliases activations[l] without residual. */
  readonly preResidual: FloatArray[];
  /** φ'(ẑ⁽ˡ⁾), index l − 1. */
  readonly derivatives: FloatArray[];
  /** ẑ⁽ˡ⁾ for batch-normalized layers (index l − 1), else null. */
  readonly normalized: (FloatArray | null)[];
  readonly invStd: (Float64Array | null)[];
  /** δ⁽ˡ⁾ of the current layer, and g⁽ˡ⁾, g⁽ˡ⁻¹⁾ (which is which alternates by layer). */
  readonly delta: FloatArray;
  readonly grads: readonly [FloatArray, FloatArray];
  /** ∂L/∂W⁽ˡ⁾ of the current layer. */
  readonly dW: FloatArray;
  /** ∂L/∂b⁽ˡ⁾ of the current layer, when asked for. */
  readonly biasGradient: Float64Array;
  readonly stats: StatsArrays;
  /** One slot of partialWords(…) words per lane. */
  readonly partials: Float64Array;
}

/** Layout of a lane's partial slot. */
export const PARTIAL = {
  // forward
  saturated: 0,
  dead: 1,
  sum: 2,
  min: 3,
  max: 4,
  nonFinite: 5,
  underflow: 6,
  nearThreshold: 7,
  // delta
  gradSquares: 0,
  weightGradSquares: 1,
  // statistics: per layer, the centered sum of squares and `bins` counts, from word 0
} as const;

export function partialWords(layers: number, bins: number): number {
  return Math.max(8, layers * (1 + bins));
}

/** A lane's own buffers: aᵀ for its weight-gradient products. */
export interface LaneScratch {
  readonly aT: FloatArray;
  readonly kernels: PrecisionKernels;
}

/** Attributes the time since the last lap (or reset) to a kernel. */
export class KernelStopwatch {
  private mark = performance.now();
  constructor(readonly ms: Record<KernelName, number>) {
    for (const name of KERNEL_NAMES) ms[name] = 0;
  }
  /** Starts timing afresh: what happened since the last lap is not counted. */
  reset(): void {
    this.mark = performance.now();
  }
  lap(kernel: KernelName): void {
    const now = performance.now();
    this.ms[kernel] += now - this.mark;
    this.mark = now;
  }
}

/** The rows of a job that lane `lane` of `lanes` runs. */
export function laneRows(rows: number, lane: number, lanes: number): [number, number] {
  return [Math.floor((rows * lane) / lanes), Math.floor((rows * (lane + 1)) / lanes)];
}

/** f and f′ of the fused activation pass. */
const pair = new Float64Array(2);

/**
 * Forward job of layer l over units [r0, r1): z = W a⁽ˡ⁻¹⁾ + b, batch normalization, φ and φ′
 * with the saturation count, dead units, the residual add, and the first statistics pass (sum,
 * finite min and max, non-finite count) of a⁽ˡ⁾.
 */
export function forwardRows(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  r0: number,
  r1: number,
  clock: KernelStopwatch,
  partial: Float64Array,
): void {
  const { spec, sizes } = net;
  const batch = spec.batch;
  const layers = sizes.length - 1;
  const nIn = sizes[l - 1]!;
  const rows = r1 - r0;
  const start = r0 * batch;
  const end = r1 * batch;
  const aPrev = net.activations[l - 1]!;
  const a = net.activations[l]!;
  const h = net.preResidual[l - 1]!;
  const df = net.derivatives[l - 1]!;
  clock.reset();
  // z goes into h's buffer first; φ is applied in place below.
  lane.kernels.matmul(
    net.weights[l - 1]!.subarray(r0 * nIn, r1 * nIn),
    aPrev,
    h.subarray(start, end),
    rows,
    nIn,
    batch,
  );
  const bias = net.biases[l - 1];
  if (bias) {
    for (let i = r0; i < r1; i++) {
      const bi = bias[i]!;
      for (let b = 0; b < batch; b++) h[i * batch + b]! += bi;
    }
  }
  clock.lap('forward');
  let zHat: FloatArray = h;
  const normalized = net.normalized[l - 1];
  if (normalized) {
    batchNormalize(h, normalized, net.invStd[l - 1]!, r0, r1, batch);
    zHat = normalized;
    clock.lap('batchnorm');
  }
  // Fused activation and derivative, with the saturation count.
  const { name, alpha } = layerActivation(spec, l, layers);
  const { forward, derivative, forwardAndDerivative } = ACTIVATIONS[name];
  const threshold = SATURATION_THRESHOLD * activationProperties(name, alpha).maxAbsDerivative;
  let saturated = 0;
  let nearThreshold = 0;
  const band = SATURATION_BAND * threshold;
  for (let j = start; j < end; j++) {
    const z = zHat[j]!;
    if (forwardAndDerivative) {
      forwardAndDerivative(z, alpha, pair);
      h[j] = pair[0]!;
      df[j] = pair[1]!;
    } else {
      df[j] = derivative(z, alpha);
      h[j] = forward(z, alpha);
    }
    // The stored (precision-rounded) derivative is what backprop uses, and what the GPU counts.
    const slope = Math.abs(df[j]!);
    if (slope <= threshold) saturated++;
    if (Math.abs(slope - threshold) <= band) nearThreshold++;
  }
  clock.lap('activation');
  let dead = 0;
  let underflow = 0;
  for (let i = r0; i < r1; i++) {
    let allZero = true;
    for (let b = 0; b < batch && allZero; b++) allZero = h[i * batch + b] === 0;
    if (allZero) dead++;
    else {
      // Alive here, but an f32 run may round or flush every one of its values to 0.
      let allTiny = true;
      for (let b = 0; b < batch && allTiny; b++)
        allTiny = Math.abs(h[i * batch + b]!) < F32_MIN_NORMAL;
      if (allTiny) underflow++;
    }
  }
  clock.lap('reductions');
  if (h !== a) {
    for (let j = start; j < end; j++) a[j] = h[j]! + aPrev[j]!;
    clock.lap('activation');
  }
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let j = start; j < end; j++) {
    const v = a[j]!;
    sum += v;
    // v − v is 0 exactly when v is finite (NaN for ±∞ and NaN); cheaper than Number.isFinite.
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    } else nonFinite++;
  }
  partial[PARTIAL.saturated] = saturated;
  partial[PARTIAL.dead] = dead;
  partial[PARTIAL.sum] = sum;
  partial[PARTIAL.min] = min;
  partial[PARTIAL.max] = max;
  partial[PARTIAL.nonFinite] = nonFinite;
  partial[PARTIAL.underflow] = underflow;
  partial[PARTIAL.nearThreshold] = nearThreshold;
  clock.lap('reductions');
}

/** Per-unit batch normalization of z into zHat for units [r0, r1); records 1/√(var + ε). */
function batchNormalize(
  z: FloatArray,
  zHat: FloatArray,
  invStd: Float64Array,
  r0: number,
  r1: number,
  batch: number,
): void {
  for (let i = r0; i < r1; i++) {
    const row = i * batch;
    let mean = 0;
    for (let b = 0; b < batch; b++) mean += z[row + b]!;
    mean /= batch;
    let variance = 0;
    for (let b = 0; b < batch; b++) variance += (z[row + b]! - mean) ** 2;
    variance /= batch;
    const inv = 1 / Math.sqrt(variance + BATCHNORM_EPSILON);
    invStd[i] = inv;
    for (let b = 0; b < batch; b++) zHat[row + b] = (z[row + b]! - mean) * inv;
  }
}

/**
 * Second statistics pass over units [r0, r1) of layer l's share (rows split per layer): the
 * centered sum of squares and the histogram, with the layer's mean, min and max from the first.
 * Writes words (l − 1)·(1 + bins) … of the partial slot.
 */
export function statisticsRows(
  net: PassBuffers,
  l: number,
  r0: number,
  r1: number,
  partial: Float64Array,
): void {
  const { stats, spec } = net;
  const batch = spec.batch;
  const bins = spec.bins;
  const i = l - 1;
  const a = net.activations[l]!;
  const mean = stats.activationMean[i]!;
  const min = stats.histMin[i]!;
  const max = stats.histMax[i]!;
  const allNonFinite = Number.isNaN(min);
  // The GPU's binning rule, in the array's own precision so that both agree bin for bin: halves
  // keep max − min from overflowing, and ranges below 2⁻⁶⁴ (or empty) put everything in bin 0.
  const f32 = a instanceof Float32Array;
  const halfWidth = f32 ? Math.fround(max / 2 - min / 2) : max / 2 - min / 2;
  const scale =
    allNonFinite || !(halfWidth >= 2 ** -64)
      ? 0
      : f32
        ? Math.fround(bins / halfWidth)
        : bins / halfWidth;
  const halfMin = min / 2;
  const base = i * (1 + bins);
  const lastBin = bins - 1;
  let squares = 0;
  for (let j = r0 * batch; j < r1 * batch; j++) {
    const v = a[j]!;
    const centered = v - mean;
    squares += centered * centered;
    if (v - v !== 0 || allNonFinite) continue;
    let bin = 0;
    if (scale !== 0) {
      const position = f32
        ? Math.fround(Math.fround(v / 2 - halfMin) * scale)
        : (v / 2 - halfMin) * scale;
      bin = Math.min(lastBin, Math.floor(position));
    }
    partial[base + 1 + bin]!++;
  }
  partial[base] = squares;
}

/**
 * Backward job of layer l over units [r0, r1): δ = g ⊙ φ′ (through batch normalization), its
 * sum of squares, the rows of ∂L/∂W = δ a⁽ˡ⁻¹⁾ᵀ and their sum of squares, and (when asked) the
 * rows of ∂L/∂b. `grad` is g⁽ˡ⁾.
 */
export function deltaRows(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  grad: FloatArray,
  withBias: boolean,
  r0: number,
  r1: number,
  clock: KernelStopwatch,
  partial: Float64Array,
): void {
  const { sizes, delta, dW } = net;
  const batch = net.spec.batch;
  const nIn = sizes[l - 1]!;
  const start = r0 * batch;
  const end = r1 * batch;
  const df = net.derivatives[l - 1]!;
  const normalized = net.normalized[l - 1];
  clock.reset();
  for (let j = start; j < end; j++) delta[j] = grad[j]! * df[j]!;
  clock.lap('activation');
  if (normalized) {
    batchNormBackward(delta, normalized, net.invStd[l - 1]!, delta, r0, r1, batch);
    clock.lap('batchnorm');
  }
  partial[PARTIAL.gradSquares] = sumOfSquares(delta, start, end);
  clock.lap('reductions');
  // ∂L/∂W = δ a⁽ˡ⁻¹⁾ᵀ, computed in full (as training would) for its norm.
  lane.kernels.transpose(net.activations[l - 1]!, nIn, batch, lane.aT);
  const dWRows = dW.subarray(r0 * nIn, r1 * nIn);
  lane.kernels.matmul(delta.subarray(start, end), lane.aT, dWRows, r1 - r0, batch, nIn);
  partial[PARTIAL.weightGradSquares] = sumOfSquares(dWRows, 0, dWRows.length);
  clock.lap('weightGradient');
  if (withBias) {
    for (let i = r0; i < r1; i++) {
      let sum = 0;
      for (let b = 0; b < batch; b++) sum += delta[i * batch + b]!;
      net.biasGradient[i] = sum;
    }
  }
}

/** δ = (1/s)(d − mean(d) − ẑ·mean(d ⊙ ẑ)) per unit: the gradient through batch normalization. */
function batchNormBackward(
  d: FloatArray,
  zHat: FloatArray,
  invStd: Float64Array,
  out: FloatArray,
  r0: number,
  r1: number,
  batch: number,
): void {
  for (let i = r0; i < r1; i++) {
    const row = i * batch;
    let meanD = 0;
    let meanDZ = 0;
    for (let b = 0; b < batch; b++) {
      meanD += d[row + b]!;
      meanDZ += d[row + b]! * zHat[row + b]!;
    }
    meanD /= batch;
    meanDZ /= batch;
    const inv = invStd[i]!;
    for (let b = 0; b < batch; b++)
      out[row + b] = inv * (d[row + b]! - meanD - zHat[row + b]! * meanDZ);
  }
}

/** Backward job of layer l over units [r0, r1) of layer l − 1: g⁽ˡ⁻¹⁾ = Wᵀδ [+ g⁽ˡ⁾]. */
export function gradRows(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  grad: FloatArray,
  gradPrev: FloatArray,
  r0: number,
  r1: number,
  clock: KernelStopwatch,
): void {
  const { sizes, spec } = net;
  const batch = spec.batch;
  const nOut = sizes[l]!;
  const start = r0 * batch;
  const end = r1 * batch;
  clock.reset();
  lane.kernels.matmul(
    net.weightsT[l - 1]!.subarray(r0 * nOut, r1 * nOut),
    net.delta,
    gradPrev.subarray(start, end),
    r1 - r0,
    nOut,
    batch,
  );
  if (hasResidual(spec, sizes, l)) {
    for (let j = start; j < end; j++) gradPrev[j]! += grad[j]!;
  }
  clock.lap('backward');
}

function sumOfSquares(values: FloatArray, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    sum += v * v;
  }
  return sum;
}

/** Allocates a pass's buffers for a problem; `alloc64` makes the f64 ones (shared or not). */
export function allocatePassBuffers(
  problem: Problem,
  kernels: PrecisionKernels,
  alloc64: (length: number) => Float64Array,
  lanes: number,
): PassBuffers {
  const { sizes, spec } = problem;
  const layers = sizes.length - 1;
  const batch = spec.batch;
  const copy = (source: Float64Array): FloatArray => {
    const out = kernels.alloc(source.length);
    out.set(source);
    return out;
  };
  const weights = problem.weights.map(copy);
  const weightsT = weights.map((w, i) => {
    const t = kernels.alloc(w.length);
    kernels.transpose(w, sizes[i + 1]!, sizes[i]!, t);
    return t;
  });
  const activations = sizes.map((n, l) => (l === 0 ? copy(problem.x) : kernels.alloc(n * batch)));
  const batchnormAt = (l: number): boolean => spec.batchnorm && l < layers;
  const maxUnits = Math.max(...sizes);
  const maxWeights = Math.max(...problem.weights.map((w) => w.length));
  const perLayer = (): Float64Array => alloc64(layers);
  return {
    spec,
    sizes,
    weights,
    weightsT,
    biases: problem.biases.map((b) => (b ? copy(b) : null)),
    y: copy(problem.y),
    activations,
    preResidual: sizes
      .slice(1)
      .map((n, i) =>
        hasResidual(spec, sizes, i + 1) ? kernels.alloc(n * batch) : activations[i + 1]!,
      ),
    derivatives: sizes.slice(1).map((n) => kernels.alloc(n * batch)),
    normalized: sizes
      .slice(1)
      .map((n, i) => (batchnormAt(i + 1) ? kernels.alloc(n * batch) : null)),
    invStd: sizes.slice(1).map((n, i) => (batchnormAt(i + 1) ? alloc64(n) : null)),
    delta: kernels.alloc(maxUnits * batch),
    grads: [kernels.alloc(maxUnits * batch), kernels.alloc(maxUnits * batch)],
    dW: kernels.alloc(maxWeights),
    biasGradient: alloc64(maxUnits),
    stats: {
      gradNorm: perLayer(),
      weightGradNorm: perLayer(),
      activationMean: perLayer(),
      activationStd: perLayer(),
      deadFraction: perLayer(),
      underflowFraction: perLayer(),
      thresholdFraction: perLayer(),
      saturatedFraction: perLayer(),
      histMin: perLayer(),
      histMax: perLayer(),
      counts: alloc64(layers * spec.bins),
      nonFinite: perLayer(),
    },
    partials: alloc64(lanes * partialWords(layers, spec.bins)),
  };
}

/** A lane's scratch for a pass over these buffers. */
export function laneScratch(net: PassBuffers, kernels: PrecisionKernels): LaneScratch {
  return { aT: kernels.alloc(Math.max(...net.sizes) * net.spec.batch), kernels };
}
