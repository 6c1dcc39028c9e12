/**
 * The row jobs of pass-rows.ts on the WebAssembly kernels (wasm/kernels.as.ts), for the f32 CPU
 * backend where the engine has SIMD. Same jobs, same buffers, same statistics slots; what
 * differs:
 *
 * - the lane's rows of W (forward) and of Wᵀ (backward) stay in its wasm memory between passes
 *   (WasmKernels.resident, up to a budget), copied again only when training has changed the
 *   weights (PassBuffers.weightsVersion): a run's pass copies no weights at all;
 * - forward: z = W·a⁽ˡ⁻¹⁾ + b, then one fused pass for f(z), f′(z), the saturation count, the
 *   residual add and the first statistics pass (activation.as.ts), and the dead units, all on the
 *   lane's copy of the operands in wasm memory: z never leaves it;
 * - backward: δ = g ⊙ f′ with Σδ² in one pass, then ∂L/∂W = δ·a⁽ˡ⁻¹⁾ᵀ with the matmul reading
 *   a⁽ˡ⁻¹⁾ transposed while it packs it (no lane materializes aᵀ) and Σ(∂L/∂W)² over the result;
 *   ∂L/∂W is copied out only when the pass hands it on (training);
 * - the second statistics pass (centered squares and histogram) in f32x4, by the GPU's binning
 *   rule in f32, as the TypeScript path.
 *
 * f and f′ come from f32 approximations accurate to a few ulp (tests/cpu/activation-wasm.test.ts
 * bounds them against cpu64), where the TypeScript path rounds the f64 table once; everything
 * else is the same arithmetic. Kernel times: the fused pass counts as 'activation' (it includes
 * what the TypeScript path counts as 'reductions' there: dead units, the first statistics pass,
 * Σδ²).
 */
import { ACTIVATION_NAMES, activationProperties } from '../../engine/activations.ts';
import { hasResidual, layerActivation } from '../../engine/problem.ts';
import {
  batchNormalize,
  batchNormBackward,
  deltaOf,
  PARTIAL,
  SATURATION_THRESHOLD,
  type FloatArray,
  type KernelStopwatch,
  type LaneScratch,
  type PassBuffers,
} from './pass-rows.ts';
import { operandBytes, type WasmKernels } from './wasm/wasm-kernels.ts';

/** The largest f32 that is ≤ value (value ≥ 0): |f′| ≤ it ⟺ |f′| ≤ value for every f32 f′. */
export function f32AtMost(value: number): number {
  const rounded = Math.fround(value);
  if (rounded <= value || rounded === 0) return rounded;
  const bits = new Uint32Array(Float32Array.of(rounded).buffer);
  bits[0]! -= 1;
  return new Float32Array(bits.buffer)[0]!;
}

function wasmOf(lane: LaneScratch): WasmKernels {
  const wasm = lane.kernels.wasm;
  if (!wasm) throw new Error('pass-rows-wasm: these kernels have no WebAssembly instance');
  return wasm;
}

/** The lane's rows [r0, r1) of an f32 array as a view. */
function rowsOf(array: PassBuffers['activations'][number], start: number, end: number) {
  return (array as Float32Array).subarray(start, end);
}

/** forwardRows (pass-rows.ts) on the WebAssembly kernels. */
export function forwardRowsWasm(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  r0: number,
  r1: number,
  clock: KernelStopwatch,
  partial: Float64Array,
): void {
  const wasm = wasmOf(lane);
  const { spec, sizes } = net;
  const batch = spec.batch;
  const layers = sizes.length - 1;
  const nIn = sizes[l - 1]!;
  const rows = r1 - r0;
  const count = rows * batch;
  const start = r0 * batch;
  const end = r1 * batch;
  const aPrev = net.activations[l - 1]!;
  const a = net.activations[l]!;
  const h = net.preResidual[l - 1]!;
  const df = net.derivatives[l - 1]!;
  clock.reset();
  // Operands: W's rows (resident where they fit), a⁽ˡ⁻¹⁾, z (φ(z) overwrites it in place), φ′(z),
  // a⁽ˡ⁾ of a residual layer. resident() may move wasm.base: the operands are placed after it.
  const weightRows = rowsOf(net.weights[l - 1]!, r0 * nIn, r1 * nIn);
  const resident = wasm.resident(net, `W${l}:${r0}:${r1}`, weightRows, net.weightsVersion[0]!);
  const weightsAt = resident >= 0 ? resident : wasm.base;
  const inputAt = resident >= 0 ? wasm.base : weightsAt + operandBytes(rows * nIn);
  const zAt = inputAt + operandBytes(nIn * batch);
  const derivativeAt = zAt + operandBytes(count);
  const outAt = derivativeAt + operandBytes(count);
  wasm.reserve(outAt + operandBytes(count) - wasm.base);
  if (resident < 0) wasm.put(weightRows, weightsAt);
  wasm.put(rowsOf(aPrev, 0, nIn * batch), inputAt);
  wasm.matmulAt(weightsAt, inputAt, zAt, rows, nIn, batch);
  const bias = net.biases[l - 1];
  if (bias) {
    const z = wasm.f32(zAt, count);
    for (let i = r0; i < r1; i++) {
      const bi = bias[i]!;
      const row = (i - r0) * batch;
      for (let b = 0; b < batch; b++) z[row + b]! += bi;
    }
  }
  clock.lap('forward');
  const normalized = net.normalized[l - 1];
  if (normalized) {
    batchNormalize(wasm.f32(zAt, count), 0, normalized, net.invStd[l - 1]!, r0, r1, batch);
    wasm.put(rowsOf(normalized, start, end), zAt);
    clock.lap('batchnorm');
  }
  const { name, alpha } = layerActivation(spec, l, layers);
  const threshold = SATURATION_THRESHOLD * activationProperties(name, alpha).maxAbsDerivative;
  const residual = h !== a;
  const stats = wasm.activateAt(
    ACTIVATION_NAMES.indexOf(name),
    Math.fround(alpha),
    f32AtMost(threshold),
    zAt,
    zAt,
    derivativeAt,
    // The residual is a⁽ˡ⁻¹⁾'s rows r0…r1: residual layers have as many inputs as units.
    residual ? inputAt + 4 * start : 0,
    residual ? outAt : 0,
    count,
  );
  const dead = wasm.deadRowsAt(zAt, rows, batch);
  (h as Float32Array).set(wasm.f32(zAt, count), start);
  (df as Float32Array).set(wasm.f32(derivativeAt, count), start);
  if (residual) (a as Float32Array).set(wasm.f32(outAt, count), start);
  partial[PARTIAL.saturated] = stats.saturated;
  partial[PARTIAL.dead] = dead;
  partial[PARTIAL.sum] = stats.sum;
  partial[PARTIAL.min] = stats.min;
  partial[PARTIAL.max] = stats.max;
  partial[PARTIAL.nonFinite] = stats.nonFinite;
  // Underflow and near-threshold counts bound an f32 run's differences from the f64 reference;
  // only the reference's are read (verify.ts), and it never runs on these f32 kernels.
  partial[PARTIAL.underflow] = 0;
  partial[PARTIAL.nearThreshold] = 0;
  clock.lap('activation');
}

/**
 * deltaRows (pass-rows.ts) on the WebAssembly kernels. ∂L/∂W's rows go to the training buffers
 * when training, to net.dW with `keepWeightGradient`; its norm is computed either way.
 */
export function deltaRowsWasm(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  grad: FloatArray,
  withBias: boolean,
  keepWeightGradient: boolean,
  r0: number,
  r1: number,
  clock: KernelStopwatch,
  partial: Float64Array,
): void {
  const wasm = wasmOf(lane);
  const { sizes } = net;
  const batch = net.spec.batch;
  const nIn = sizes[l - 1]!;
  const rows = r1 - r0;
  const count = rows * batch;
  const start = r0 * batch;
  const end = r1 * batch;
  // Operands: g (δ overwrites it in place), φ′, a⁽ˡ⁻¹⁾ (the matmul's Bᵀ), ∂L/∂W's rows.
  const deltaAt = wasm.base;
  const derivativeAt = deltaAt + operandBytes(count);
  const inputAt = derivativeAt + operandBytes(count);
  const weightGradientAt = inputAt + operandBytes(nIn * batch);
  wasm.reserve(weightGradientAt + operandBytes(rows * nIn) - wasm.base);
  clock.reset();
  wasm.put(rowsOf(grad, start, end), deltaAt);
  wasm.put(rowsOf(net.derivatives[l - 1]!, start, end), derivativeAt);
  let squares = wasm.deltaAt(deltaAt, derivativeAt, deltaAt, count);
  clock.lap('activation');
  const normalized = net.normalized[l - 1];
  if (normalized) {
    batchNormBackward(wasm.f32(deltaAt, count), 0, normalized, net.invStd[l - 1]!, r0, r1, batch);
    squares = wasm.sumOfSquaresAt(deltaAt, count);
    clock.lap('batchnorm');
  }
  partial[PARTIAL.gradSquares] = squares;
  const delta = wasm.f32(deltaAt, count);
  (deltaOf(net, l) as Float32Array).set(delta, start);
  if (withBias) {
    for (let i = r0; i < r1; i++) {
      let sum = 0;
      const row = (i - r0) * batch;
      for (let b = 0; b < batch; b++) sum += delta[row + b]!;
      net.biasGradient[i] = sum;
    }
  }
  clock.lap('reductions');
  // ∂L/∂W = δ a⁽ˡ⁻¹⁾ᵀ, computed in full (as training would) for its norm.
  wasm.put(rowsOf(net.activations[l - 1]!, 0, nIn * batch), inputAt);
  wasm.matmulAt(deltaAt, inputAt, weightGradientAt, rows, batch, nIn, true);
  partial[PARTIAL.weightGradSquares] = wasm.sumOfSquaresAt(weightGradientAt, rows * nIn);
  // Training keeps every layer's gradient for the optimizer step; a pass with a gradient hook
  // hands on this layer's.
  const kept = net.training?.weightGradients[l - 1] ?? (keepWeightGradient ? net.dW : null);
  if (kept) (kept as Float32Array).set(wasm.f32(weightGradientAt, rows * nIn), r0 * nIn);
  clock.lap('weightGradient');
}

/** gradRows (pass-rows.ts) on the WebAssembly kernels: g⁽ˡ⁻¹⁾ = Wᵀδ [+ g⁽ˡ⁾] for its rows. */
export function gradRowsWasm(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  grad: FloatArray,
  gradPrev: FloatArray,
  r0: number,
  r1: number,
  clock: KernelStopwatch,
): void {
  const wasm = wasmOf(lane);
  const { sizes, spec } = net;
  const batch = spec.batch;
  const nOut = sizes[l]!;
  const rows = r1 - r0;
  const count = rows * batch;
  const start = r0 * batch;
  clock.reset();
  // Operands: Wᵀ's rows (resident where they fit), δ, g⁽ˡ⁻¹⁾'s rows.
  const transposedRows = rowsOf(net.weightsT[l - 1]!, r0 * nOut, r1 * nOut);
  const resident = wasm.resident(net, `T${l}:${r0}:${r1}`, transposedRows, net.weightsVersion[0]!);
  const weightsAt = resident >= 0 ? resident : wasm.base;
  const deltaAt = resident >= 0 ? wasm.base : weightsAt + operandBytes(rows * nOut);
  const outAt = deltaAt + operandBytes(nOut * batch);
  wasm.reserve(outAt + operandBytes(count) - wasm.base);
  if (resident < 0) wasm.put(transposedRows, weightsAt);
  wasm.put(rowsOf(deltaOf(net, l), 0, nOut * batch), deltaAt);
  wasm.matmulAt(weightsAt, deltaAt, outAt, rows, nOut, batch);
  const out = wasm.f32(outAt, count);
  if (hasResidual(spec, sizes, l)) {
    for (let j = 0; j < count; j++) out[j]! += grad[start + j]!;
  }
  (gradPrev as Float32Array).set(out, start);
  clock.lap('backward');
}

/** statisticsRows (pass-rows.ts) on the WebAssembly kernels. */
export function statisticsRowsWasm(
  net: PassBuffers,
  lane: LaneScratch,
  l: number,
  r0: number,
  r1: number,
  partial: Float64Array,
): void {
  const wasm = wasmOf(lane);
  const { stats, spec } = net;
  const batch = spec.batch;
  const bins = spec.bins;
  const i = l - 1;
  const count = (r1 - r0) * batch;
  const base = i * (1 + bins);
  if (count === 0) {
    partial[base] = 0;
    return;
  }
  const mean = stats.activationMean[i]!;
  const min = stats.histMin[i]!;
  const max = stats.histMax[i]!;
  const allNonFinite = Number.isNaN(min);
  // pass-rows.ts statisticsRows' binning rule, in f32.
  const halfWidth = Math.fround(max / 2 - min / 2);
  const scale = allNonFinite || !(halfWidth >= 2 ** -64) ? 0 : Math.fround(bins / halfWidth);
  const valuesAt = wasm.base;
  const countsAt = valuesAt + operandBytes(count);
  wasm.reserve(countsAt + 4 * bins - wasm.base);
  wasm.put(rowsOf(net.activations[l]!, r0 * batch, r1 * batch), valuesAt);
  const counts = wasm.i32(countsAt, bins);
  counts.fill(0);
  partial[base] = wasm.centeredSquaresAt(
    valuesAt,
    count,
    mean,
    Math.fround(min / 2),
    scale,
    bins,
    countsAt,
    !allNonFinite,
  );
  for (let bin = 0; bin < bins; bin++) partial[base + 1 + bin]! += counts[bin]!;
}
