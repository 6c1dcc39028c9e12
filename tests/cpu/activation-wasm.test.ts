/**
 * The fused activation pass of the f32 CPU backend, on both of its paths — the WebAssembly SIMD
 * kernels (activation.as.ts) and the TypeScript fallback (pass-rows.ts) — against the f64
 * reference (cpu64, the activation table), element by element over a grid that covers the tails,
 * the kinks and the special values; and the statistics fused into it against a direct count.
 *
 * Each check runs a real pass: a network whose first layer has one unit with weight 1, so that
 * z⁽¹⁾ = x exactly and the pass's own buffers hold f(x) and f′(x) for every sample x.
 *
 * The bound is TOLERANCES.f32Elementwise (16 u, u = 2⁻²⁴) through conditionedBound: an error of
 * 16 u relative, plus what a 16 u perturbation of x costs (|x·g′(x)|), so that the check asks
 * for a result that is exact for a slightly perturbed input (backward stability). Derivation for
 * the SIMD kernels: e^r − 1 is a Taylor polynomial whose truncation is under u/4 on
 * |r| ≤ ½ln 2, evaluated by Horner in about 2 u; Cody–Waite reduction is exact up to rounding n·ln2_lo
 * (below u relative to r); scaling by 2ⁿ is exact. So e^y is within 3 u and e^y − 1 within 4 u,
 * and every formula adds at most five roundings (sech² = 4e·q·q with q = 1/(2 + m): 3 u more); the
 * worst, GELU′ = Φ + x·φ, adds the 2 u of the Numerical Recipes erfc fit and a second exponential,
 * about 12 u in all. The TypeScript path rounds the f64 formula once: ½ u.
 */
import { describe, expect, it } from 'vitest';
import { f32Kernels } from '../../src/backends/cpu/cpu-backend.ts';
import { F64_KERNELS } from '../../src/backends/cpu/kernels-f64.ts';
import { loadNetwork, runNetworkPass } from '../../src/backends/cpu/network-pass.ts';
import { SATURATION_THRESHOLD, type PrecisionKernels } from '../../src/backends/cpu/pass-rows.ts';
import { f32AtMost } from '../../src/backends/cpu/pass-rows-wasm.ts';
import {
  ACTIVATION_NAMES,
  ACTIVATIONS,
  activationProperties,
  resolveAlpha,
  type ActivationName,
} from '../../src/engine/activations.ts';
import type { Problem } from '../../src/engine/problem.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { conditionedBound, TOLERANCES } from '../../src/engine/tolerance.ts';
import type { CpuKernelName } from '../../src/engine/results.ts';

/**
 * The grid: every value rounded to f32, sorted, without duplicates. Steps of 1/512 over [−16, 16];
 * ±2^e for e from −40 to 7 in steps of 1/8 (near 0 and far out); the kinks, the GELU tails (±40),
 * the ends of f32's exponential (±88, ±104) and the points around them.
 */
function finiteGrid(): Float32Array {
  const values = new Set<number>();
  for (let i = -8192; i <= 8192; i++) values.add(i / 512);
  for (let e = -40; e <= 7; e += 1 / 8) {
    values.add(Math.fround(2 ** e));
    values.add(Math.fround(-(2 ** e)));
  }
  for (const x of [0, 1e-30, 1e-45, 39.99, 40, 40.01, 80, 87.3, 88, 88.8, 103.9, 104, 104.1, 150])
    for (const sign of [1, -1]) values.add(Math.fround(sign * x));
  for (const x of [1e20, 3.4e38]) for (const sign of [1, -1]) values.add(Math.fround(sign * x));
  return Float32Array.from([...values].sort((a, b) => a - b));
}

const SPECIAL = Float32Array.of(-0, Infinity, -Infinity, NaN);

/**
 * Runs the one-unit network on `inputs` (one sample each) with the given kernels; returns the
 * first layer's f, f′ and a, and its statistics.
 */
function runUnit(
  kernels: PrecisionKernels,
  name: ActivationName,
  alpha: number,
  inputs: Float32Array,
  residual = false,
) {
  const batch = inputs.length;
  const spec = parseSpec({
    activation: name,
    alpha,
    depth: 1,
    width: 1,
    inputs: 1,
    outputs: 1,
    batch,
    residual,
  });
  const problem: Problem = {
    spec,
    sizes: [1, 1, 1],
    weights: [Float64Array.of(1), Float64Array.of(1)],
    biases: [null, null],
    x: Float64Array.from(inputs),
    y: new Float64Array(batch),
  };
  const net = loadNetwork(problem, kernels);
  const stats = runNetworkPass(net);
  return {
    values: net.preResidual[0]!.slice(0, batch),
    derivatives: net.derivatives[0]!.slice(0, batch),
    activations: net.activations[1]!.slice(0, batch),
    stats,
  };
}

/** x·g′(x) by a central difference of the f64 reference (0 at x = 0). */
function xTimesSlope(g: (x: number) => number, x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const h = Math.abs(x) * 1e-7;
  return (x * (g(x + h) - g(x - h))) / (2 * h);
}

/** The worst |value − reference| over its conditioned bound, and where (at most 1 passes). */
function worstRatio(
  inputs: Float32Array,
  computed: ArrayLike<number>,
  reference: ArrayLike<number>,
  xSlope: (x: number) => number,
): { ratio: number; x: number; got: number; want: number } {
  let worst = { ratio: 0, x: NaN, got: NaN, want: NaN };
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i]!;
    const got = computed[i]!;
    const want = reference[i]!;
    let ratio: number;
    if (Object.is(got, want) || got === want) ratio = 0;
    else if (!Number.isFinite(got) || !Number.isFinite(want)) ratio = Infinity;
    else
      ratio = Math.abs(got - want) / conditionedBound(want, xSlope(x), TOLERANCES.f32Elementwise);
    if (ratio > worst.ratio) worst = { ratio, x, got, want };
  }
  return worst;
}

const PATHS: readonly CpuKernelName[] = ['wasm-simd', 'typescript'];

/** Each activation with its default α, and those with a parameter with a second one. */
const CASES: [ActivationName, number][] = [
  ...ACTIVATION_NAMES.map((name): [ActivationName, number] => [
    name,
    resolveAlpha(name, undefined),
  ]),
  ['leaky_relu', 0.2],
  ['elu', 1.5],
];

describe('activation pass: f and f′ against cpu64 on every path', () => {
  const grid = finiteGrid();
  it('runs the WebAssembly kernels in this engine', () => {
    expect(f32Kernels('wasm-simd').wasm?.name).toBe('wasm-simd');
    expect(f32Kernels('typescript').wasm).toBeNull();
  });

  for (const path of PATHS) {
    for (const [name, alpha] of CASES) {
      it(`${path}: ${name} (α = ${alpha}) over ${grid.length} points, tails and kinks`, () => {
        // The f32 kernels use α as an f32: so does the reference pass.
        const a = Math.fround(alpha);
        const { derivative } = ACTIVATIONS[name];
        const reference = runUnit(F64_KERNELS, name, a, grid);
        const run = runUnit(f32Kernels(path), name, alpha, grid);
        const f = worstRatio(grid, run.values, reference.values, (x) => x * derivative(x, a));
        const d = worstRatio(grid, run.derivatives, reference.derivatives, (x) =>
          xTimesSlope((t) => derivative(t, a), x),
        );
        expect(f.ratio, `f at x = ${f.x}: ${f.got} vs ${f.want}`).toBeLessThanOrEqual(1);
        expect(d.ratio, `f′ at x = ${d.x}: ${d.got} vs ${d.want}`).toBeLessThanOrEqual(1);
      });

      it(`${path}: ${name} at −0, ±∞ and NaN is the table's value`, () => {
        const a = Math.fround(alpha);
        const { forward, derivative } = ACTIVATIONS[name];
        const run = runUnit(f32Kernels(path), name, alpha, SPECIAL);
        for (let i = 0; i < SPECIAL.length; i++) {
          const x = SPECIAL[i]!;
          // Zero's sign is not compared: f32 and f64 forms may round a tiny value either way.
          expect(run.values[i]! + 0, `f(${x})`).toBe(Math.fround(forward(x, a)) + 0);
          expect(run.derivatives[i]! + 0, `f′(${x})`).toBe(Math.fround(derivative(x, a)) + 0);
        }
      });
    }
  }
});

describe('the statistics fused into the WebAssembly activation pass', () => {
  // Lengths that leave 0–3 lanes of the last f32x4 unused.
  for (const length of [1, 2, 3, 5, 63, 64, 1001]) {
    it(`count, sum, extremes, saturation and non-finite values (${length} samples)`, () => {
      const inputs = new Float32Array(length);
      for (let i = 0; i < length; i++) inputs[i] = Math.fround(12 * Math.sin(1.7 * i + 0.3));
      if (length > 4) inputs.set([Infinity, NaN, -Infinity], length - 4);
      for (const [name, alpha] of CASES) {
        for (const residual of [false, true]) {
          const run = runUnit(f32Kernels('wasm-simd'), name, alpha, inputs, residual);
          // a = f(x) (+ x): what the statistics are of.
          const a = run.activations;
          for (let i = 0; i < length; i++) {
            const expected = residual ? Math.fround(run.values[i]! + inputs[i]!) : run.values[i]!;
            expect(Object.is(a[i], expected) || (a[i] === 0 && expected === 0)).toBe(true);
          }
          const threshold =
            SATURATION_THRESHOLD * activationProperties(name, alpha).maxAbsDerivative;
          let saturated = 0;
          let sum = 0;
          let nonFinite = 0;
          let min = Infinity;
          let max = -Infinity;
          for (let i = 0; i < length; i++) {
            if (Math.abs(run.derivatives[i]!) <= threshold) saturated++;
            const v = a[i]!;
            sum += v;
            if (Number.isFinite(v)) {
              min = Math.min(min, v);
              max = Math.max(max, v);
            } else nonFinite++;
          }
          const where = `${name}${residual ? ' + residual' : ''}`;
          expect(run.stats.saturatedFraction[0], where).toBe(saturated / length);
          const mean = run.stats.activationMean[0]!;
          if (Number.isFinite(sum)) expect(mean, where).toBeCloseTo(sum / length, 12);
          else expect(mean, where).toBe(sum / length);
          expect(run.stats.histograms.nonFinite[0], where).toBe(nonFinite);
          if (nonFinite < length) {
            expect(run.stats.histograms.min[0], where).toBe(min + 0);
            expect(run.stats.histograms.max[0], where).toBe(max + 0);
          }
          // One unit: dead when every sample of f is exactly zero.
          const dead = run.values.every((v) => v === 0) ? 1 : 0;
          expect(run.stats.deadFraction[0], where).toBe(dead);
        }
      }
    });
  }

  it('counts dead units row by row, for batches that are not multiples of 4', () => {
    for (const batch of [1, 3, 4, 6, 9]) {
      // ReLU of x = −1 is 0 on every sample: dead; any positive sample makes the unit alive.
      const dead = runUnit(f32Kernels('wasm-simd'), 'relu', 0, new Float32Array(batch).fill(-1));
      expect(dead.stats.deadFraction[0]).toBe(1);
      const inputs = new Float32Array(batch).fill(-1);
      inputs[batch - 1] = 2;
      const alive = runUnit(f32Kernels('wasm-simd'), 'relu', 0, inputs);
      expect(alive.stats.deadFraction[0]).toBe(0);
    }
  });

  it('compares |f′| with the threshold rounded down to f32, as the TypeScript path does', () => {
    for (const threshold of [1e-3, 2.5e-4, 0.1, 1 / 3, 0]) {
      const bound = f32AtMost(threshold);
      expect(bound).toBeLessThanOrEqual(threshold);
      expect(Math.fround(bound)).toBe(bound);
      // The next f32 up is above the threshold.
      const next = new Float32Array(
        Uint32Array.of(new Uint32Array(Float32Array.of(bound).buffer)[0]! + 1).buffer,
      )[0]!;
      expect(next).toBeGreaterThan(threshold);
    }
  });
});
