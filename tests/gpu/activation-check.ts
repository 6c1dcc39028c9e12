/**
 * The activation smoke comparison, shared by the Node test (tests/gpu/activation-smoke.test.ts)
 * and the browser page (e2e/pages/gpu-smoke.ts): run the WGSL kernel for one activation on an f32
 * grid that covers the tails and the kinks, and compare f and f' with the table's f64 reference
 * at the same f32 inputs.
 */
import { ACTIVATIONS, resolveAlpha, type ActivationName } from '../../src/engine/activations.ts';
import { conditionedBound, TOLERANCES, type Tolerance } from '../../src/engine/tolerance.ts';
import { runActivationMap } from '../../src/backends/webgpu/activation-map.ts';

/** Tails, kinks and the points around them. */
export const SMOKE_SPECIAL_POINTS = [
  -1000, -100, -80, -50, -40, -30, -20, -10, -5, -3, -2, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 3, 5,
  10, 20, 30, 40, 50, 80, 100, 1000,
] as const;

/** Points evenly spaced in [−8, 8] (step 0.04), on top of the special points. */
export const SMOKE_EVEN_POINTS = 401;

/** The smoke grid: every value rounded to f32, sorted, without duplicates. */
export function smokeGrid(): Float32Array {
  const values = new Set<number>(SMOKE_SPECIAL_POINTS.map((x) => Math.fround(x)));
  for (let i = 0; i < SMOKE_EVEN_POINTS; i++) {
    values.add(Math.fround(-8 + (16 * i) / (SMOKE_EVEN_POINTS - 1)));
  }
  return Float32Array.from([...values].sort((a, b) => a - b));
}

/** One point where the GPU and the reference disagree the most. */
export interface Offender {
  x: number;
  gpu: number;
  ref: number;
  /** |gpu − ref| / conditionedBound(…): at most 1 when within tolerance. */
  toleranceRatio: number;
  /** |gpu − ref| / |ref|. */
  relativeError: number;
  /**
   * Condition number |x·g'(x)/g(x)| of the compared function g at x, from the f64 reference: how
   * much a relative error of ε in x (or in an intermediate that is a multiple of x) is amplified.
   * Large near a root of g (e.g. f' of GELU or SiLU at its minimum) and in exp-like tails.
   */
  condition: number;
}

export interface ActivationCheck {
  name: ActivationName;
  /** The α the kernel and the reference used (f32), 0 where the activation has none. */
  alpha: number;
  points: number;
  /** Largest |gpu − ref| / conditionedBound(…) over the grid for f: at most 1 when within tolerance. */
  maxValueError: number;
  /** The same for f'. */
  maxDerivativeError: number;
  worstValue: Offender;
  worstDerivative: Offender;
  /** Points outside the tolerance, for f and f' together. */
  failures: number;
  /** Finite inputs with a non-finite result (NaN, ±∞), for f or f'. */
  nonFinite: { x: number; kind: 'value' | 'derivative'; gpu: number }[];
  ok: boolean;
}

/** |x·g'(x)/g(x)| by a central difference of the f64 reference. */
function conditionNumber(g: (x: number) => number, x: number): number {
  const gx = g(x);
  if (x === 0 || gx === 0) return 0;
  const h = Math.abs(x) * 1e-7;
  const slope = (g(x + h) - g(x - h)) / (2 * h);
  return Math.abs((x * slope) / gx);
}

/** x·g′(x) by a central difference of the f64 reference (0 at x = 0). */
function xTimesSlope(g: (x: number) => number, x: number): number {
  if (x === 0) return 0;
  const h = Math.abs(x) * 1e-7;
  return (x * (g(x + h) - g(x - h))) / (2 * h);
}

/** |gpu − ref| over the conditioned bound: at most 1 when within tolerance. */
function toleranceRatio(gpu: number, ref: number, bound: number): number {
  if (gpu === ref) return 0;
  if (!Number.isFinite(gpu) || !Number.isFinite(ref)) return Infinity;
  return Math.abs(gpu - ref) / bound;
}

/** Runs one activation on the GPU over the smoke grid and compares it with the f64 reference. */
export async function checkActivation(
  device: GPUDevice,
  name: ActivationName,
  alpha?: number,
  tol: Tolerance = TOLERANCES.f32GpuElementwise,
): Promise<ActivationCheck> {
  const inputs = smokeGrid();
  // The kernel reads α as f32: the reference uses the same value.
  const a = Math.fround(resolveAlpha(name, alpha));
  const { values, derivatives } = await runActivationMap(device, name, inputs, alpha);
  const { forward, derivative } = ACTIVATIONS[name];
  const blank = (): Offender => ({
    x: NaN,
    gpu: NaN,
    ref: NaN,
    toleranceRatio: -1,
    relativeError: 0,
    condition: 0,
  });
  const check: ActivationCheck = {
    name,
    alpha: a,
    points: inputs.length,
    maxValueError: 0,
    maxDerivativeError: 0,
    worstValue: blank(),
    worstDerivative: blank(),
    failures: 0,
    nonFinite: [],
    ok: true,
  };
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    for (const kind of ['value', 'derivative'] as const) {
      const gpu = kind === 'value' ? values[i] : derivatives[i];
      const ref = kind === 'value' ? forward(x, a) : derivative(x, a);
      if (!Number.isFinite(gpu)) check.nonFinite.push({ x, kind, gpu });
      // For f the slope is the table's own f′; for f′ it is measured on the f64 reference.
      const slope =
        kind === 'value' ? x * derivative(x, a) : xTimesSlope((t) => derivative(t, a), x);
      const ratio = toleranceRatio(gpu, ref, conditionedBound(ref, slope, tol));
      if (ratio > 1) check.failures++;
      const worst = kind === 'value' ? check.worstValue : check.worstDerivative;
      if (ratio > worst.toleranceRatio) {
        const offender: Offender = {
          x,
          gpu,
          ref,
          toleranceRatio: ratio,
          relativeError: gpu === ref ? 0 : Math.abs(gpu - ref) / Math.abs(ref),
          condition: conditionNumber(
            (t) => (kind === 'value' ? forward(t, a) : derivative(t, a)),
            x,
          ),
        };
        if (kind === 'value') {
          check.worstValue = offender;
          check.maxValueError = ratio;
        } else {
          check.worstDerivative = offender;
          check.maxDerivativeError = ratio;
        }
      }
    }
  }
  check.ok = check.failures === 0 && check.nonFinite.length === 0;
  return check;
}

/** A one-line account of a check, naming the worst offenders. */
export function describeCheck(check: ActivationCheck): string {
  const offender = (label: string, o: Offender) =>
    `${label} worst at x=${o.x}: gpu=${o.gpu} ref=${o.ref} ` +
    `(rel. error ${o.relativeError.toExponential(2)}, ${o.toleranceRatio.toFixed(2)}× tolerance, ` +
    `condition number ${o.condition.toPrecision(3)})`;
  const nonFinite = check.nonFinite
    .slice(0, 5)
    .map((n) => `${n.kind}(${n.x}) = ${n.gpu}`)
    .join(', ');
  return (
    `${check.name} (α=${check.alpha}): ${check.failures} of ${2 * check.points} outside tolerance; ` +
    `${offender('f', check.worstValue)}; ${offender("f'", check.worstDerivative)}` +
    (nonFinite ? `; non-finite: ${nonFinite}` : '')
  );
}
