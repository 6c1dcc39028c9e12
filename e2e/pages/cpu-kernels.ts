/**
 * The browser half of e2e/cpu-kernels.spec.ts: gradlab's WebAssembly CPU kernels in Chromium,
 * where relaxed SIMD is on by default. `window.gradlabCpuKernels()` checks, on the page, that both
 * builds load, that their matmuls are within the f32 dot-product bound of an f64 reference and
 * agree with each other within it, and that the fused activation pass of each is within the f32
 * elementwise bound of the f64 table; then, in the CPU worker, it measures the roofline and makes
 * a run. It returns a plain, serialisable report.
 */
import { f32Kernels } from '../../src/backends/cpu/cpu-backend.ts';
import { F64_KERNELS } from '../../src/backends/cpu/kernels-f64.ts';
import { loadNetwork, runNetworkPass } from '../../src/backends/cpu/network-pass.ts';
import type { PrecisionKernels } from '../../src/backends/cpu/pass-rows.ts';
import type { Roofline } from '../../src/backends/cpu/roofline.ts';
import { CpuWorkerRunner } from '../../src/backends/cpu/worker-runner.ts';
import {
  bestWasmKernel,
  WasmKernels,
  WASM_KERNEL_NAMES,
  type WasmKernelName,
} from '../../src/backends/cpu/wasm/wasm-kernels.ts';
import {
  ACTIVATION_NAMES,
  ACTIVATIONS,
  resolveAlpha,
  type ActivationName,
} from '../../src/engine/activations.ts';
import type { Problem } from '../../src/engine/problem.ts';
import type { CpuKernelName } from '../../src/engine/results.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { conditionedBound, TOLERANCES } from '../../src/engine/tolerance.ts';

export interface CpuKernelsReport {
  relaxedValidates: boolean;
  best: WasmKernelName | null;
  /** Per build: the worst |c − reference| over the f32 dot-product bound (≤ 1 passes). */
  matmul: Record<string, number>;
  /** The worst |relaxed − plain| over the sum of both bounds (≤ 1 passes). */
  relaxedAgainstPlain: number;
  /** Per build and activation: the worst error of f and f′ over the elementwise bound. */
  activations: { kernel: WasmKernelName; name: ActivationName; worst: number; at: number }[];
  roofline: Roofline;
  /** The f32 kernels a run in the worker reports. */
  runKernel: CpuKernelName | undefined;
  milliseconds: number;
}

declare global {
  interface Window {
    gradlabCpuKernels: () => Promise<CpuKernelsReport>;
  }
}

/** Deterministic values in ±[2^-6, 2^6). */
function matrix(length: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const magnitude = 2 ** (12 * (state / 2 ** 32) - 6);
    out[i] = i % 3 === 0 ? -magnitude : magnitude;
  }
  return out;
}

/** γ_K(2⁻²⁴) + γ_{K−1}(2⁻⁵³) times Σ|a·b| (tests/cpu/product-check.ts errorBound). */
function bound(absSum: number, k: number): number {
  const gamma = (n: number, u: number) => (n * u) / (1 - n * u);
  return (gamma(k, 2 ** -24) + gamma(k - 1, 2 ** -53)) * absSum + 2 ** -149;
}

function checkMatmul(): { matmul: Record<string, number>; relaxedAgainstPlain: number } {
  const [m, k, n] = [67, 300, 41];
  const a = matrix(m * k, 1);
  const b = matrix(k * n, 2);
  const outputs: Record<string, Float32Array> = {};
  const matmul: Record<string, number> = {};
  const exact = new Float64Array(m * n);
  const absolute = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        const term = a[i * k + p]! * b[p * n + j]!;
        exact[i * n + j]! += term;
        absolute[i * n + j]! += Math.abs(term);
      }
  for (const name of WASM_KERNEL_NAMES) {
    const kernels = WasmKernels.create(name);
    if (!kernels) continue;
    const c = new Float32Array(m * n);
    kernels.matmul(a, b, c, m, k, n);
    outputs[name] = c;
    let worst = 0;
    for (let i = 0; i < m * n; i++)
      worst = Math.max(worst, Math.abs(c[i]! - exact[i]!) / bound(absolute[i]!, k));
    matmul[name] = worst;
  }
  let relaxedAgainstPlain = NaN;
  const relaxed = outputs['wasm-relaxed-simd'];
  const plain = outputs['wasm-simd'];
  if (relaxed && plain) {
    relaxedAgainstPlain = 0;
    for (let i = 0; i < m * n; i++) {
      const ratio = Math.abs(relaxed[i]! - plain[i]!) / (2 * bound(absolute[i]!, k));
      relaxedAgainstPlain = Math.max(relaxedAgainstPlain, ratio);
    }
  }
  return { matmul, relaxedAgainstPlain };
}

/** f and f′ of one activation over `inputs`, from the first layer of a one-unit network. */
function activationPass(kernels: PrecisionKernels, name: ActivationName, inputs: Float32Array) {
  const batch = inputs.length;
  const spec = parseSpec({ activation: name, depth: 1, width: 1, inputs: 1, outputs: 1, batch });
  const problem: Problem = {
    spec,
    sizes: [1, 1, 1],
    weights: [Float64Array.of(1), Float64Array.of(1)],
    biases: [null, null],
    x: Float64Array.from(inputs),
    y: new Float64Array(batch),
  };
  const net = loadNetwork(problem, kernels);
  runNetworkPass(net);
  return { values: net.preResidual[0]!, derivatives: net.derivatives[0]! };
}

function checkActivations(): CpuKernelsReport['activations'] {
  const inputs = new Float32Array(4097);
  for (let i = 0; i < inputs.length; i++) inputs[i] = Math.fround(-20 + (40 * i) / 4096);
  const results: CpuKernelsReport['activations'] = [];
  for (const kernel of WASM_KERNEL_NAMES) {
    if (!WasmKernels.create(kernel)) continue;
    for (const name of ACTIVATION_NAMES) {
      const alpha = resolveAlpha(name, undefined);
      const { derivative } = ACTIVATIONS[name];
      const reference = activationPass(F64_KERNELS, name, inputs);
      const run = activationPass(f32Kernels(kernel), name, inputs);
      let worst = 0;
      let at = NaN;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i]!;
        const h = Math.abs(x) * 1e-7 || 1e-7;
        const curvature = (x * (derivative(x + h, alpha) - derivative(x - h, alpha))) / (2 * h);
        for (const [got, want, slope] of [
          [run.values[i]!, reference.values[i]!, x * derivative(x, alpha)],
          [run.derivatives[i]!, reference.derivatives[i]!, curvature],
        ] as const) {
          const ratio =
            got === want
              ? 0
              : Math.abs(got - want) / conditionedBound(want, slope, TOLERANCES.f32Elementwise);
          if (!(ratio <= worst)) {
            worst = Number.isNaN(ratio) ? Infinity : ratio;
            at = x;
          }
        }
      }
      results.push({ kernel, name, worst, at });
    }
  }
  return results;
}

window.gradlabCpuKernels = async () => {
  const started = performance.now();
  const relaxed = WasmKernels.create('wasm-relaxed-simd');
  const { matmul, relaxedAgainstPlain } = checkMatmul();
  const activations = checkActivations();
  const runner = new CpuWorkerRunner();
  try {
    const roofline = await runner.roofline({ sampleMs: 10 });
    const spec = parseSpec({ depth: 3, width: 32, inputs: 16, outputs: 4, batch: 8 });
    const result = await runner.run({ ...spec, backend: 'cpu' });
    return {
      relaxedValidates: relaxed !== null,
      best: bestWasmKernel(),
      matmul,
      relaxedAgainstPlain,
      activations,
      roofline,
      runKernel: result.backend.kernel,
      milliseconds: performance.now() - started,
    };
  } finally {
    runner.dispose();
  }
};
document.getElementById('status')!.textContent = 'Ready';
