/**
 * One forward + backward pass with per-layer statistics, on the CPU, in either precision.
 * The arithmetic that dominates (three matrix products per layer) goes through the precision's
 * matmul kernel; everything else is shared, so cpu and cpu64 compute exactly the same thing.
 *
 * Forward (chapter §17.5, BP1–BP2; batch normalization of Ioffe & Szegedy 2015 without learnable
 * scale and shift; residual as in chapter §17.6):
 *   z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   ẑ⁽ˡ⁾ = BN(z⁽ˡ⁾) or z⁽ˡ⁾,   a⁽ˡ⁾ = φ(ẑ⁽ˡ⁾) [+ a⁽ˡ⁻¹⁾]
 * Backward, with g⁽ˡ⁾ = ∂L/∂a⁽ˡ⁾ and L = ½‖a⁽ᴸ⁾ − Y‖²:
 *   g⁽ᴸ⁾ = a⁽ᴸ⁾ − Y,   δ⁽ˡ⁾ = BN'(g⁽ˡ⁾ ⊙ φ'(ẑ⁽ˡ⁾)),   ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ,
 *   g⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾ [+ g⁽ˡ⁾]
 */
import { ACTIVATIONS, activationProperties } from '../../engine/activations.ts';
import type { ComputeOptions } from '../../engine/backend.ts';
import { hasResidual, layerActivation, type Problem } from '../../engine/problem.ts';
import { KERNEL_NAMES, type KernelName, type LayerStatistics } from '../../engine/results.ts';

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
/** A unit is saturated on a sample when |φ'(z)| ≤ this fraction of max|φ'|. */
export const SATURATION_THRESHOLD = 1e-3;

/** A problem converted to one precision, with buffers for a pass; reused across runs. */
export interface LoadedNetwork {
  readonly problem: Problem;
  readonly kernels: PrecisionKernels;
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
  readonly scratch: {
    delta: FloatArray;
    grad: FloatArray;
    gradPrev: FloatArray;
    aT: FloatArray;
    dW: FloatArray;
  };
}

function copyInto(kernels: PrecisionKernels, source: Float64Array): FloatArray {
  const out = kernels.alloc(source.length);
  out.set(source);
  return out;
}

export function loadNetwork(problem: Problem, kernels: PrecisionKernels): LoadedNetwork {
  const { sizes, spec } = problem;
  const layers = sizes.length - 1;
  const batch = spec.batch;
  const weights = problem.weights.map((w) => copyInto(kernels, w));
  const weightsT = weights.map((w, i) => {
    const t = kernels.alloc(w.length);
    kernels.transpose(w, sizes[i + 1]!, sizes[i]!, t);
    return t;
  });
  const activations = sizes.map((n, l) =>
    l === 0 ? copyInto(kernels, problem.x) : kernels.alloc(n * batch),
  );
  const preResidual = sizes
    .slice(1)
    .map((n, i) =>
      hasResidual(spec, sizes, i + 1) ? kernels.alloc(n * batch) : activations[i + 1]!,
    );
  const batchnormAt = (l: number): boolean => spec.batchnorm && l < layers;
  const maxUnits = Math.max(...sizes);
  const maxWeights = Math.max(...problem.weights.map((w) => w.length));
  return {
    problem,
    kernels,
    weights,
    weightsT,
    biases: problem.biases.map((b) => (b ? copyInto(kernels, b) : null)),
    y: copyInto(kernels, problem.y),
    activations,
    preResidual,
    derivatives: sizes.slice(1).map((n) => kernels.alloc(n * batch)),
    normalized: sizes
      .slice(1)
      .map((n, i) => (batchnormAt(i + 1) ? kernels.alloc(n * batch) : null)),
    invStd: sizes.slice(1).map((n, i) => (batchnormAt(i + 1) ? new Float64Array(n) : null)),
    scratch: {
      delta: kernels.alloc(maxUnits * batch),
      grad: kernels.alloc(maxUnits * batch),
      gradPrev: kernels.alloc(maxUnits * batch),
      aT: kernels.alloc(maxUnits * batch),
      dW: kernels.alloc(maxWeights),
    },
  };
}

function sumOfSquares(values: FloatArray, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i]!;
    sum += v * v;
  }
  return sum;
}

/** Per-unit batch normalization of z in place into zHat; records 1/√(var + ε) per unit. */
function batchNormalize(
  z: FloatArray,
  zHat: FloatArray,
  invStd: Float64Array,
  units: number,
  batch: number,
): void {
  for (let i = 0; i < units; i++) {
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

/** δ = (1/s)(d − mean(d) − ẑ·mean(d ⊙ ẑ)) per unit: the gradient through batch normalization. */
function batchNormBackward(
  d: FloatArray,
  zHat: FloatArray,
  invStd: Float64Array,
  out: FloatArray,
  units: number,
  batch: number,
): void {
  for (let i = 0; i < units; i++) {
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

interface StatsArrays {
  gradNorm: Float64Array;
  weightGradNorm: Float64Array;
  activationMean: Float64Array;
  activationStd: Float64Array;
  deadFraction: Float64Array;
  saturatedFraction: Float64Array;
  histMin: Float64Array;
  histMax: Float64Array;
  counts: Uint32Array;
  nonFinite: Uint32Array;
}

/** Mean, std and histogram of a⁽ˡ⁾ (index i = l − 1). */
function activationStatistics(
  a: FloatArray,
  length: number,
  i: number,
  bins: number,
  out: StatsArrays,
): void {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let j = 0; j < length; j++) {
    const v = a[j]!;
    sum += v;
    // v − v is 0 exactly when v is finite (NaN for ±∞ and NaN); cheaper than Number.isFinite.
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    } else nonFinite++;
  }
  const mean = sum / length;
  out.activationMean[i] = mean;
  out.nonFinite[i] = nonFinite;
  const allNonFinite = nonFinite === length;
  out.histMin[i] = allNonFinite ? NaN : min;
  out.histMax[i] = allNonFinite ? NaN : max;
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
  const counts = out.counts.subarray(i * bins, (i + 1) * bins);
  const lastBin = bins - 1;
  // Second pass: centered squares (two-pass variance) and the histogram together.
  let squares = 0;
  for (let j = 0; j < length; j++) {
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
    counts[bin]!++;
  }
  out.activationStd[i] = Math.sqrt(squares / length);
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason ?? new DOMException('The run was cancelled', 'AbortError');
}

export interface PassOptions extends ComputeOptions {
  /** Called with ∂L/∂W⁽ˡ⁾ (n_out × n_in, row-major) for each layer; the buffer is reused. */
  readonly onWeightGradient?: (layer: number, weightGradient: FloatArray) => void;
  /** Called with ∂L/∂b⁽ˡ⁾ = Σ over the batch of δ⁽ˡ⁾ (n_out values) for each layer; a new array. */
  readonly onBiasGradient?: (layer: number, biasGradient: Float64Array) => void;
  /**
   * Filled with this pass's milliseconds per kernel (results.ts KERNEL_NAMES): performance.now()
   * differences around each kernel's loops, a few calls per layer. Progress callbacks and
   * onWeightGradient are not counted, so the kernels add up to at most the whole pass.
   */
  readonly kernelsMs?: Record<KernelName, number>;
}

/** Attributes the time since the last lap (or reset) to a kernel. */
class KernelStopwatch {
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

/** f and f′ of the fused activation pass. */
const pair = new Float64Array(2);

/** Runs one forward + backward pass over a loaded network and returns its statistics. */
export function runNetworkPass(net: LoadedNetwork, options: PassOptions = {}): LayerStatistics {
  const { problem, kernels, weights, weightsT, activations, derivatives, scratch } = net;
  const { spec, sizes } = problem;
  const batch = spec.batch;
  const layers = sizes.length - 1;
  const bins = spec.bins;
  const { signal, onProgress } = options;
  const clock = new KernelStopwatch(options.kernelsMs ?? ({} as Record<KernelName, number>));
  const stats: StatsArrays = {
    gradNorm: new Float64Array(layers),
    weightGradNorm: new Float64Array(layers),
    activationMean: new Float64Array(layers),
    activationStd: new Float64Array(layers),
    deadFraction: new Float64Array(layers),
    saturatedFraction: new Float64Array(layers),
    histMin: new Float64Array(layers),
    histMax: new Float64Array(layers),
    counts: new Uint32Array(layers * bins),
    nonFinite: new Uint32Array(layers),
  };

  // Forward.
  for (let l = 1; l <= layers; l++) {
    checkAbort(signal);
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    const length = nOut * batch;
    const aPrev = activations[l - 1]!;
    const a = activations[l]!;
    const h = net.preResidual[l - 1]!;
    const df = derivatives[l - 1]!;
    clock.reset();
    // z goes into h's buffer first; φ is applied in place below.
    kernels.matmul(weights[l - 1]!, aPrev, h, nOut, nIn, batch);
    const bias = net.biases[l - 1];
    if (bias) {
      for (let i = 0; i < nOut; i++) {
        const bi = bias[i]!;
        for (let b = 0; b < batch; b++) h[i * batch + b]! += bi;
      }
    }
    clock.lap('forward');
    let zHat: FloatArray = h;
    const normalized = net.normalized[l - 1];
    if (normalized) {
      batchNormalize(h, normalized, net.invStd[l - 1]!, nOut, batch);
      zHat = normalized;
      clock.lap('batchnorm');
    }
    // Fused activation and derivative, with the saturation count.
    const { name, alpha } = layerActivation(spec, l, layers);
    const { forward, derivative, forwardAndDerivative } = ACTIVATIONS[name];
    const threshold = SATURATION_THRESHOLD * activationProperties(name, alpha).maxAbsDerivative;
    let saturated = 0;
    for (let j = 0; j < length; j++) {
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
      if (Math.abs(df[j]!) <= threshold) saturated++;
    }
    clock.lap('activation');
    let dead = 0;
    for (let i = 0; i < nOut; i++) {
      let allZero = true;
      for (let b = 0; b < batch && allZero; b++) allZero = h[i * batch + b] === 0;
      if (allZero) dead++;
    }
    clock.lap('reductions');
    if (h !== a) {
      for (let j = 0; j < length; j++) a[j] = h[j]! + aPrev[j]!;
      clock.lap('activation');
    }
    stats.deadFraction[l - 1] = dead / nOut;
    stats.saturatedFraction[l - 1] = saturated / length;
    activationStatistics(a, length, l - 1, bins, stats);
    clock.lap('reductions');
    onProgress?.({ phase: 'forward', done: l, total: layers });
  }

  // Backward. g⁽ᴸ⁾ = a⁽ᴸ⁾ − Y.
  let { grad, gradPrev } = scratch;
  const { delta, aT, dW } = scratch;
  const output = activations[layers]!;
  clock.reset();
  let loss = 0;
  for (let j = 0; j < sizes[layers]! * batch; j++) {
    const diff = output[j]! - net.y[j]!;
    grad[j] = diff;
    loss += diff * diff;
  }
  loss *= 0.5;
  clock.lap('reductions');
  for (let l = layers; l >= 1; l--) {
    checkAbort(signal);
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    const length = nOut * batch;
    const df = derivatives[l - 1]!;
    const normalized = net.normalized[l - 1];
    clock.reset();
    for (let j = 0; j < length; j++) delta[j] = grad[j]! * df[j]!;
    clock.lap('activation');
    if (normalized) {
      batchNormBackward(delta, normalized, net.invStd[l - 1]!, delta, nOut, batch);
      clock.lap('batchnorm');
    }
    stats.gradNorm[l - 1] = Math.sqrt(sumOfSquares(delta, length));
    clock.lap('reductions');
    // ∂L/∂W = δ a⁽ˡ⁻¹⁾ᵀ, computed in full (as training would) for its norm.
    kernels.transpose(activations[l - 1]!, nIn, batch, aT);
    kernels.matmul(delta, aT, dW, nOut, batch, nIn);
    stats.weightGradNorm[l - 1] = Math.sqrt(sumOfSquares(dW, nOut * nIn));
    clock.lap('weightGradient');
    if (options.onWeightGradient) {
      options.onWeightGradient(l, dW.subarray(0, nOut * nIn));
      clock.reset();
    }
    if (options.onBiasGradient) {
      const biasGradient = new Float64Array(nOut);
      for (let i = 0; i < nOut; i++) {
        let sum = 0;
        for (let b = 0; b < batch; b++) sum += delta[i * batch + b]!;
        biasGradient[i] = sum;
      }
      options.onBiasGradient(l, biasGradient);
      clock.reset();
    }
    if (l > 1) {
      kernels.matmul(weightsT[l - 1]!, delta, gradPrev, nIn, nOut, batch);
      if (hasResidual(spec, sizes, l)) {
        for (let j = 0; j < nIn * batch; j++) gradPrev[j]! += grad[j]!;
      }
      [grad, gradPrev] = [gradPrev, grad];
      clock.lap('backward');
    }
    onProgress?.({ phase: 'backward', done: layers - l + 1, total: layers });
  }

  return {
    layerCount: layers,
    gradNorm: stats.gradNorm,
    weightGradNorm: stats.weightGradNorm,
    activationMean: stats.activationMean,
    activationStd: stats.activationStd,
    deadFraction: stats.deadFraction,
    saturatedFraction: stats.saturatedFraction,
    histograms: {
      bins,
      min: stats.histMin,
      max: stats.histMax,
      counts: stats.counts,
      nonFinite: stats.nonFinite,
    },
    loss,
  };
}
