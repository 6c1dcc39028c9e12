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
import { KERNEL_NAMES, type CpuKernelName, type KernelName } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import { F32_MIN_NORMAL } from '../../engine/tolerance.ts';
import { optimizerStep } from './optimizer.ts';
import type { WasmKernels } from './wasm/wasm-kernels.ts';

export type FloatArray = Float32Array | Float64Array;

/** The kernels of a pass: 'f64' (cpu64), or one of the f32 CPU kernels (results.ts). */
export type KernelVariant = 'f64' | CpuKernelName;

/** The kernels that differ between precisions. */
export interface PrecisionKernels {
  readonly variant: KernelVariant;
  /**
   * This thread's WebAssembly kernels where the variant has them (pass-rows-wasm.ts runs the jobs
   * with them: fused activation, reductions, products without copies of aᵀ); null runs the
   * TypeScript loops of this file.
   */
  readonly wasm: WasmKernels | null;
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
  /**
   * C (m×n) = A (m×k) · Bᵀ with `bt` holding Bᵀ (n×k), where the kernels read B transposed
   * while they pack it; absent, the pass transposes into the lane's scratch first.
   */
  readonly matmulTransB?: (
    a: FloatArray,
    bt: FloatArray,
    c: FloatArray,
    m: number,
    k: number,
    n: number,
  ) => void;
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
 * What a training pass adds (training.ts): the weight gradients of every layer, which the pass
 * keeps until the optimizer step (JOB.update), the weights' optimizer moments, and the optimizer's
 * settings (optimizer.ts OPTIMIZER_SETTINGS; the coordinator writes the step number before each
 * update). Shared between lanes like the rest of the buffers.
 */
export interface TrainingBuffers {
  /** ∂L/∂W⁽ˡ⁾ (sums over the batch), index l − 1. */
  readonly weightGradients: FloatArray[];
  /** Per layer: SGD momentum's velocity or Adam's m; null where the optimizer keeps none. */
  readonly firstMoment: (Float64Array | null)[];
  /** Per layer: Adam's v; null otherwise. */
  readonly secondMoment: (Float64Array | null)[];
  readonly settings: Float64Array;
}

/** What loadNetwork needs to set up TrainingBuffers: settings and the moments to start from. */
export interface TrainingSetup {
  readonly settings: Float64Array;
  /** Per layer (weights only), or empty where the optimizer keeps none. */
  readonly firstMoment: readonly Float64Array[];
  readonly secondMoment: readonly Float64Array[];
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
  /**
   * δ⁽ˡ⁾ in deltas[l % 2] (deltaOf): a lane computing δ⁽ˡ⁻¹⁾ for its rows never writes where
   * another lane may still read δ⁽ˡ⁾ (the backward job, lane-jobs.ts); and g⁽ˡ⁾, g⁽ˡ⁻¹⁾ (which is
   * which alternates by layer).
   */
  readonly deltas: readonly [FloatArray, FloatArray];
  readonly grads: readonly [FloatArray, FloatArray];
  /** ∂L/∂W⁽ˡ⁾ of the current layer. */
  readonly dW: FloatArray;
  /** ∂L/∂b⁽ˡ⁾ of the current layer, when asked for. */
  readonly biasGradient: Float64Array;
  readonly stats: StatsArrays;
  /** One slot of partialWords(…) words per lane. */
  readonly partials: Float64Array;
  /** Training only: weight gradients kept per layer, optimizer moments and settings. */
  readonly training: TrainingBuffers | null;
  /**
   * Counts the changes of the weights (training's optimizer steps): lanes that keep a copy of
   * their rows of W and Wᵀ (pass-rows-wasm.ts) copy them again when it moves.
   */
  readonly weightsVersion: Float64Array;
}

/** δ⁽ˡ⁾'s buffer (PassBuffers.deltas). */
export function deltaOf(net: PassBuffers, l: number): FloatArray {
  return net.deltas[l & 1]!;
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
  // update: per layer, Σ W² before the step and Σ ΔW² (words 2(l − 1) and 2(l − 1) + 1)
} as const;

export function partialWords(layers: number, bins: number): number {
  return Math.max(8, layers * Math.max(2, 1 + bins));
}

/** A lane's own buffers: aᵀ for its weight-gradient products (where the kernels need it). */
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
    batchNormalize(h, start, normalized, net.invStd[l - 1]!, r0, r1, batch);
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

/**
 * Per-unit batch normalization of z into zHat for units [r0, r1); records 1/√(var + ε). Row r0
 * of z starts at index `zStart` (r0·batch for a whole layer's array, 0 for a job's own rows);
 * zHat is a whole layer's array.
 */
export function batchNormalize(
  z: FloatArray,
  zStart: number,
  zHat: FloatArray,
  invStd: Float64Array,
  r0: number,
  r1: number,
  batch: number,
): void {
  for (let i = r0; i < r1; i++) {
    const row = i * batch;
    const zRow = zStart + (i - r0) * batch;
    let mean = 0;
    for (let b = 0; b < batch; b++) mean += z[zRow + b]!;
    mean /= batch;
    let variance = 0;
    for (let b = 0; b < batch; b++) variance += (z[zRow + b]! - mean) ** 2;
    variance /= batch;
    const inv = 1 / Math.sqrt(variance + BATCHNORM_EPSILON);
    invStd[i] = inv;
    for (let b = 0; b < batch; b++) zHat[row + b] = (z[zRow + b]! - mean) * inv;
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
  const { sizes, dW } = net;
  const delta = deltaOf(net, l);
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
    batchNormBackward(delta, start, normalized, net.invStd[l - 1]!, r0, r1, batch);
    clock.lap('batchnorm');
  }
  partial[PARTIAL.gradSquares] = sumOfSquares(delta, start, end);
  clock.lap('reductions');
  // ∂L/∂W = δ a⁽ˡ⁻¹⁾ᵀ, computed in full (as training does) for its norm; training keeps it.
  const dWRows = (net.training?.weightGradients[l - 1] ?? dW).subarray(r0 * nIn, r1 * nIn);
  const { matmulTransB } = lane.kernels;
  if (matmulTransB) {
    matmulTransB(delta.subarray(start, end), net.activations[l - 1]!, dWRows, r1 - r0, batch, nIn);
  } else {
    lane.kernels.transpose(net.activations[l - 1]!, nIn, batch, lane.aT);
    lane.kernels.matmul(delta.subarray(start, end), lane.aT, dWRows, r1 - r0, batch, nIn);
  }
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

/**
 * δ = (1/s)(d − mean(d) − ẑ·mean(d ⊙ ẑ)) per unit, in place in d: the gradient through batch
 * normalization. Row r0 of d starts at index `dStart`; zHat is a whole layer's array.
 */
export function batchNormBackward(
  d: FloatArray,
  dStart: number,
  zHat: FloatArray,
  invStd: Float64Array,
  r0: number,
  r1: number,
  batch: number,
): void {
  for (let i = r0; i < r1; i++) {
    const row = i * batch;
    const dRow = dStart + (i - r0) * batch;
    let meanD = 0;
    let meanDZ = 0;
    for (let b = 0; b < batch; b++) {
      meanD += d[dRow + b]!;
      meanDZ += d[dRow + b]! * zHat[row + b]!;
    }
    meanD /= batch;
    meanDZ /= batch;
    const inv = invStd[i]!;
    for (let b = 0; b < batch; b++)
      d[dRow + b] = inv * (d[dRow + b]! - meanD - zHat[row + b]! * meanDZ);
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
    deltaOf(net, l),
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

/** Side of the square tiles in which updateRows refreshes Wᵀ. */
const TRANSPOSE_TILE = 32;

/**
 * Update job of layer l over units [r0, r1) (training): one optimizer step of W⁽ˡ⁾'s rows from
 * the kept ∂L/∂W⁽ˡ⁾, then the same rows of W written into the columns of Wᵀ (which the next
 * backward pass multiplies with). Returns [Σ W² before, Σ ΔW²] over the rows.
 */
export function updateRows(
  net: PassBuffers,
  l: number,
  r0: number,
  r1: number,
): [weightSquares: number, deltaSquares: number] {
  const training = net.training!;
  const nIn = net.sizes[l - 1]!;
  const nOut = net.sizes[l]!;
  const weights = net.weights[l - 1]!;
  const sums = optimizerStep(
    training.settings,
    weights,
    training.weightGradients[l - 1]!,
    training.firstMoment[l - 1]!,
    training.secondMoment[l - 1]!,
    r0 * nIn,
    r1 * nIn,
  );
  const transposed = net.weightsT[l - 1]!;
  for (let i0 = r0; i0 < r1; i0 += TRANSPOSE_TILE) {
    const i1 = Math.min(i0 + TRANSPOSE_TILE, r1);
    for (let j0 = 0; j0 < nIn; j0 += TRANSPOSE_TILE) {
      const j1 = Math.min(j0 + TRANSPOSE_TILE, nIn);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) transposed[j * nOut + i] = weights[i * nIn + j]!;
      }
    }
  }
  return sums;
}

function sumOfSquares(values: FloatArray, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    sum += v * v;
  }
  return sum;
}

/**
 * Allocates a pass's buffers for a problem; `alloc64` makes the f64 ones (shared or not). With
 * `training`, also the training buffers, the moments copied from it.
 */
export function allocatePassBuffers(
  problem: Problem,
  kernels: PrecisionKernels,
  alloc64: (length: number) => Float64Array,
  lanes: number,
  training: TrainingSetup | null = null,
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
    deltas: [kernels.alloc(maxUnits * batch), kernels.alloc(maxUnits * batch)],
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
    weightsVersion: alloc64(1),
    training: training && {
      weightGradients: weights.map((w) => kernels.alloc(w.length)),
      firstMoment: weights.map((_, i) => copy64(training.firstMoment[i], alloc64)),
      secondMoment: weights.map((_, i) => copy64(training.secondMoment[i], alloc64)),
      settings: copy64(training.settings, alloc64)!,
    },
  };
}

/** A copy of `source` from `alloc64` (shared where the pass is), or null without a source. */
function copy64(
  source: Float64Array | undefined,
  alloc64: (length: number) => Float64Array,
): Float64Array | null {
  if (!source) return null;
  const out = alloc64(source.length);
  out.set(source);
  return out;
}

/**
 * A lane's scratch for a pass over these buffers: aᵀ for the weight gradient, where the kernels
 * cannot read a⁽ˡ⁻¹⁾ transposed while packing it (cpu64's reference loops, on one thread).
 */
export function laneScratch(net: PassBuffers, kernels: PrecisionKernels): LaneScratch {
  const length = kernels.matmulTransB ? 0 : Math.max(...net.sizes) * net.spec.batch;
  return { aT: kernels.alloc(length), kernels };
}
