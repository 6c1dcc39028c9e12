/**
 * What a run produces: per-layer statistics as typed arrays (index l − 1 for layer l, input side
 * first), plus plain metadata. Charts read the arrays directly; the CLI turns them into records.
 */
import type { RunSpec } from './spec.ts';

export interface LayerHistograms {
  readonly bins: number;
  /** Per layer, the smallest and largest finite activation: the histogram's range. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Layer-major counts: counts[(l − 1)·bins + bin]. */
  readonly counts: Uint32Array;
  /** Per layer, activations that were NaN or ±∞ (not in any bin). */
  readonly nonFinite: Uint32Array;
}

export interface LayerStatistics {
  readonly layerCount: number;
  /** ‖δ⁽ˡ⁾‖_F over the batch, δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾: the chapter's quantity (§17.5). */
  readonly gradNorm: Float64Array;
  /** ‖∂L/∂W⁽ˡ⁾‖_F = ‖δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ‖_F. */
  readonly weightGradNorm: Float64Array;
  /** Mean and population std of a⁽ˡ⁾ over units and batch. */
  readonly activationMean: Float64Array;
  readonly activationStd: Float64Array;
  /** Fraction of units whose φ(z) is exactly 0 on every sample of the batch. */
  readonly deadFraction: Float64Array;
  /**
   * Fraction of units that are not dead but whose every |φ(z)| is below f32's smallest normal
   * number (2⁻¹²⁶): an f32 run may round or flush all of them to 0 and count the unit dead
   * (GELU, SiLU or sigmoid far into their tails). The CPU backends report it; verification
   * allows that many more dead units in an f32 run than in cpu64's.
   */
  readonly underflowFraction?: Float64Array;
  /** Fraction of (unit, sample) pairs with |φ'(z)| ≤ 1e-3 · max|φ'|. */
  readonly saturatedFraction: Float64Array;
  /**
   * Fraction of (unit, sample) pairs whose |φ′(z)| lies within 2⁻¹⁶ (relative) of that
   * threshold: an f32 run may put them on the other side (leaky_relu with α = 0.001 has every
   * negative entry there). The CPU backends report it; verification allows that many more.
   */
  readonly thresholdFraction?: Float64Array;
  readonly histograms: LayerHistograms;
  /** L = ½·Σ(a_L − Y)². */
  readonly loss: number;
}

export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

export type Precision = 'f32' | 'f64';

/**
 * The f32 CPU backend's kernels: WebAssembly with relaxed SIMD (fused multiply-add in the
 * matmul), WebAssembly SIMD128, or the TypeScript fallback.
 */
export const CPU_KERNEL_NAMES = ['wasm-relaxed-simd', 'wasm-simd', 'typescript'] as const;
export type CpuKernelName = (typeof CPU_KERNEL_NAMES)[number];

export interface BackendInfo {
  readonly name: RunSpec['backend'];
  readonly precision: Precision;
  readonly adapter?: AdapterInfo;
  /** CPU backends: the threads a pass is split between (1: the calling thread alone). */
  readonly threads?: number;
  /** cpu (f32): the kernels it computes with. */
  readonly kernel?: CpuKernelName;
}

/**
 * The kernels of one forward + backward pass, as the benchmark reports them:
 * - forward: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ (the matmul and the bias add);
 * - activation: φ and φ′ of every layer, the residual add, and δ = g ⊙ φ′;
 * - backward: g⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾ (the matmul and the residual add of g);
 * - weightGradient: ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ and its norm;
 * - reductions: the per-layer statistics (mean, std, histogram, dead and saturated units, ‖δ‖)
 *   and the loss;
 * - batchnorm: batch normalization forward and backward (0 when the spec has none).
 */
export const KERNEL_NAMES = [
  'forward',
  'activation',
  'backward',
  'weightGradient',
  'reductions',
  'batchnorm',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * Milliseconds per kernel of one pass. A kernel that a backend fuses into another is absent:
 * webgpu computes φ, φ′ and δ = g ⊙ φ′ in the epilogues of its forward and backward matmuls.
 */
export type KernelTimes = Partial<Record<KernelName, number>>;

/**
 * How per-kernel times were taken: 'cpu-clock' sums performance.now() differences around the
 * kernels' loops; 'gpu-timestamps' reads GPU timestamp queries around each group of dispatches.
 */
export type KernelClock = 'cpu-clock' | 'gpu-timestamps';

export interface RunTimings {
  /** Generating the problem and preparing the backend (copies, uploads, compiles). */
  readonly initMs: number;
  /** Shader compilation within initMs (WebGPU only). */
  readonly compileMs?: number;
  /** Median of computeRunsMs. */
  readonly computeMs: number;
  /** Each timed forward + backward + statistics run. */
  readonly computeRunsMs: readonly number[];
  /**
   * Per-kernel times of the median timed run (the lower middle one for an even count, so their
   * sum never exceeds computeMs), where the backend measures them.
   */
  readonly kernelsMs?: KernelTimes;
  /** How kernelsMs was measured. */
  readonly kernelClock?: KernelClock;
  /** Why there are no per-kernel times (e.g. the adapter has no timestamp-query). */
  readonly kernelsUnavailable?: string;
}

export interface RunResult {
  readonly spec: RunSpec;
  readonly backend: BackendInfo;
  readonly timings: RunTimings;
  readonly stats: LayerStatistics;
}

export interface LayerRecord {
  readonly layer: number;
  readonly gradNorm: number | null;
  readonly weightGradNorm: number | null;
  readonly activationMean: number | null;
  readonly activationStd: number | null;
  readonly deadFraction: number | null;
  readonly saturatedFraction: number | null;
  /** False when any of this layer's statistics overflowed to ±∞ or NaN (written as null). */
  readonly finite: boolean;
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** Per-layer records for JSON: non-finite values become null and flag the layer. */
export function layerRecords(stats: LayerStatistics): LayerRecord[] {
  const records: LayerRecord[] = [];
  for (let i = 0; i < stats.layerCount; i++) {
    const values = [
      stats.gradNorm[i]!,
      stats.weightGradNorm[i]!,
      stats.activationMean[i]!,
      stats.activationStd[i]!,
      stats.deadFraction[i]!,
      stats.saturatedFraction[i]!,
    ];
    records.push({
      layer: i + 1,
      gradNorm: finiteOrNull(values[0]!),
      weightGradNorm: finiteOrNull(values[1]!),
      activationMean: finiteOrNull(values[2]!),
      activationStd: finiteOrNull(values[3]!),
      deadFraction: finiteOrNull(values[4]!),
      saturatedFraction: finiteOrNull(values[5]!),
      finite: values.every(Number.isFinite) && stats.histograms.nonFinite[i] === 0,
    });
  }
  return records;
}
