/**
 * The phase diagram: a grid over (σ_w², σ_b²), and at each point the measured log₁₀ ratio of the
 * first layer's gradient norm to the output layer's, ‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖, from one run with init
 * `custom`, next to mean-field theory's χ₁, q* and predicted ratio. Negative ratios: gradients
 * vanish toward the input (ordered phase, χ₁ < 1); positive: they explode (chaotic, χ₁ > 1).
 * The theoretical boundary χ₁ = 1 comes from criticalLine (Poole et al. 2016, fig. 2;
 * Schoenholz et al. 2017, fig. 1).
 *
 * Runs go through the Backend passed in (cpu, cpu64 or webgpu); points are yielded one at a time
 * so that a page or the CLI can draw or print each as it arrives.
 */
import type { ActivationName } from './activations.ts';
import type { Backend } from './backend.ts';
import { runExperiment } from './experiment.ts';
import { runSteps, type Steps } from './roots.ts';
import {
  DEFAULT_SPEC,
  parseSpec,
  SpecError,
  type BackendName,
  type RunSpec,
  type SpecInput,
} from './spec.ts';
import {
  criticalSigmaW2Steps,
  meanFieldTheory,
  predictGradientNorms,
  type FixedPointKind,
  type Phase,
} from './theory.ts';

/** One axis of the grid: `steps` evenly spaced values from min to max (min alone when 1). */
export interface GridAxis {
  readonly min: number;
  readonly max: number;
  readonly steps: number;
}

export interface SweepOptions {
  /** The network of every point: activation, alpha, depth, width, inputs, outputs, batch, seed, rng. */
  readonly spec: RunSpec;
  readonly sigmaW2: GridAxis;
  readonly sigmaB2: GridAxis;
}

/** Limits of the grid: σ_w ≤ 100 and σ_b ≤ 100 as in the spec, at most 64 steps per axis. */
export const SWEEP_LIMITS = {
  sigmaW2: { min: 0, max: 10_000 },
  sigmaB2: { min: 0, max: 10_000 },
  steps: { min: 1, max: 64 },
} as const;

/** The sweep's own flags (CLI and URL names), with their defaults: Poole et al.'s fig. 2 range. */
export const SWEEP_AXIS_FIELDS = [
  { name: 'sigma-w2-min', axis: 'sigmaW2', part: 'min', default: 0.5 },
  { name: 'sigma-w2-max', axis: 'sigmaW2', part: 'max', default: 4 },
  { name: 'sigma-w2-steps', axis: 'sigmaW2', part: 'steps', default: 8 },
  { name: 'sigma-b2-min', axis: 'sigmaB2', part: 'min', default: 0 },
  { name: 'sigma-b2-max', axis: 'sigmaB2', part: 'max', default: 0.5 },
  { name: 'sigma-b2-steps', axis: 'sigmaB2', part: 'steps', default: 6 },
] as const;

/** The run-spec fields a sweep takes; the rest (init, sigma-w, sigma-b, backend …) it sets. */
export const SWEEP_SPEC_FIELDS = [
  'activation',
  'alpha',
  'depth',
  'width',
  'inputs',
  'outputs',
  'batch',
  'seed',
  'rng',
] as const;

/** A sweep's network defaults: deep enough for the phases to separate, small enough for a CPU. */
export const SWEEP_DEFAULT_SPEC: RunSpec = {
  ...DEFAULT_SPEC,
  activation: 'tanh',
  init: 'custom',
  depth: 20,
  width: 256,
  inputs: 256,
  outputs: 8,
  batch: 32,
};

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseAxisValue(name: string, raw: string | number | boolean, isSteps: boolean): number {
  const text = typeof raw === 'string' ? raw.trim() : String(raw);
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (isSteps) {
    const { min, max } = SWEEP_LIMITS.steps;
    if (!Number.isInteger(value) || value < min || value > max)
      throw new SpecError(
        name,
        `got ${JSON.stringify(text)}; allowed: an integer from ${min} to ${max}`,
      );
    return value;
  }
  const { max } = SWEEP_LIMITS.sigmaW2;
  if (!Number.isFinite(value) || value < 0 || value > max)
    throw new SpecError(name, `got ${JSON.stringify(text)}; allowed: a number from 0 to ${max}`);
  return value;
}

/** Checks the relations within the grid; each problem names its flag. */
export function validateSweepOptions(options: SweepOptions): SweepOptions {
  for (const [axis, label] of [
    ['sigmaW2', 'sigma-w2'],
    ['sigmaB2', 'sigma-b2'],
  ] as const) {
    const { min, max, steps } = options[axis];
    const limits = SWEEP_LIMITS[axis];
    for (const [part, value] of [
      ['min', min],
      ['max', max],
    ] as const) {
      if (!Number.isFinite(value) || value < limits.min || value > limits.max)
        throw new SpecError(
          `${label}-${part}`,
          `got ${value}; allowed: a number from ${limits.min} to ${limits.max}`,
        );
    }
    if (max < min)
      throw new SpecError(`${label}-max`, `got ${max}, below ${label}-min ${min}; allowed: ≥ min`);
    if (
      !Number.isInteger(steps) ||
      steps < SWEEP_LIMITS.steps.min ||
      steps > SWEEP_LIMITS.steps.max
    )
      throw new SpecError(
        `${label}-steps`,
        `got ${steps}; allowed: an integer from ${SWEEP_LIMITS.steps.min} to ${SWEEP_LIMITS.steps.max}`,
      );
    if (steps > 1 && max === min)
      throw new SpecError(`${label}-steps`, `got ${steps} steps over an empty range; use 1`);
  }
  if (options.sigmaW2.min <= 0)
    throw new SpecError(
      'sigma-w2-min',
      `got ${options.sigmaW2.min}; allowed: > 0 (σ_w = 0 is a network without weights)`,
    );
  if (options.spec.batchnorm || options.spec.residual)
    throw new SpecError(
      options.spec.batchnorm ? 'batchnorm' : 'residual',
      'the mean-field phase diagram is for plain networks; use false',
    );
  return options;
}

/**
 * Sweep options from string key/value pairs (CLI flags, URL entries): the grid flags of
 * SWEEP_AXIS_FIELDS and the network flags of SWEEP_SPEC_FIELDS, over `base`.
 */
export function parseSweepOptions(
  input: SpecInput,
  base: RunSpec = SWEEP_DEFAULT_SPEC,
): SweepOptions {
  const axes = {
    sigmaW2: { min: 0, max: 0, steps: 0 },
    sigmaB2: { min: 0, max: 0, steps: 0 },
  };
  for (const field of SWEEP_AXIS_FIELDS) axes[field.axis][field.part] = field.default;
  const specInput: Record<string, string | number | boolean | undefined> = {};
  const known = [...SWEEP_AXIS_FIELDS.map((f) => f.name), ...SWEEP_SPEC_FIELDS];
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    const axisField = SWEEP_AXIS_FIELDS.find((f) => f.name === key);
    if (axisField) {
      axes[axisField.axis][axisField.part] = parseAxisValue(key, raw, axisField.part === 'steps');
    } else if ((SWEEP_SPEC_FIELDS as readonly string[]).includes(key)) {
      specInput[key] = raw;
    } else {
      throw new SpecError(key, `not a sweep field; allowed: ${known.join(', ')}`);
    }
  }
  const spec = parseSpec(specInput, { ...base, init: 'custom', sigmaW: 1, sigmaB: 0 });
  return validateSweepOptions({ spec, sigmaW2: axes.sigmaW2, sigmaB2: axes.sigmaB2 });
}

/** The values of one axis. */
export function gridValues(axis: GridAxis): number[] {
  if (axis.steps === 1) return [axis.min];
  return Array.from({ length: axis.steps }, (_, i) =>
    i === axis.steps - 1 ? axis.max : axis.min + ((axis.max - axis.min) * i) / (axis.steps - 1),
  );
}

/** One grid point: measured and predicted. */
export interface SweepPoint {
  /** 0-based, σ_b² major: index = iB·stepsW + iW. */
  readonly index: number;
  readonly total: number;
  readonly sigmaW2: number;
  readonly sigmaB2: number;
  /** ‖δ⁽¹⁾‖ and ‖δ⁽ᴸ⁾‖ (L = depth + 1, the output layer), as measured; may be non-finite. */
  readonly gradNormFirst: number;
  readonly gradNormLast: number;
  /** log₁₀(‖δ⁽¹⁾‖/‖δ⁽ᴸ⁾‖) measured; non-finite where a norm overflowed or vanished. */
  readonly measuredLog10Ratio: number;
  /** The same predicted by theory with each layer's own q⁽ˡ⁾ (predictGradientNorms.layerwise). */
  readonly predictedLog10Ratio: number;
  readonly chi1: number;
  readonly qStar: number;
  readonly fixedPoint: FixedPointKind;
  readonly phase: Phase;
}

/** The spec of one grid point, run on the named backend. */
export function pointSpec(
  options: SweepOptions,
  sigmaW2: number,
  sigmaB2: number,
  backend: BackendName,
): RunSpec {
  return {
    ...options.spec,
    init: 'custom',
    sigmaW: Math.sqrt(sigmaW2),
    sigmaB: Math.sqrt(sigmaB2),
    backend,
    repeat: 1,
  };
}

/** Theory's prediction for one grid point. */
export function predictPoint(
  spec: RunSpec,
): Pick<SweepPoint, 'predictedLog10Ratio' | 'chi1' | 'qStar' | 'fixedPoint' | 'phase'> {
  const params = {
    activation: spec.activation,
    alpha: spec.alpha,
    sigmaW: spec.sigmaW,
    sigmaB: spec.sigmaB,
  };
  const theory = meanFieldTheory(params);
  const prediction = predictGradientNorms(params, spec.depth);
  return {
    predictedLog10Ratio: Math.log10(prediction.layerwise[0]!),
    chi1: theory.chi1,
    qStar: theory.qStar,
    fixedPoint: theory.fixedPoint.kind,
    phase: theory.phase,
  };
}

/**
 * Runs the grid, σ_b² major, yielding each point as soon as its run is done. Stops between
 * points (and inside a run, where the backend supports it) when `signal` aborts.
 */
export async function* phaseDiagramSweep(
  options: SweepOptions,
  backend: Backend,
  signal?: AbortSignal,
): AsyncGenerator<SweepPoint, void, undefined> {
  validateSweepOptions(options);
  const weights = gridValues(options.sigmaW2);
  const biases = gridValues(options.sigmaB2);
  const total = weights.length * biases.length;
  let index = 0;
  for (const sigmaB2 of biases) {
    for (const sigmaW2 of weights) {
      signal?.throwIfAborted();
      const spec = pointSpec(options, sigmaW2, sigmaB2, backend.info.name);
      const result = await runExperiment(spec, backend, signal ? { signal } : {});
      const gradNormFirst = result.stats.gradNorm[0]!;
      const gradNormLast = result.stats.gradNorm[result.stats.layerCount - 1]!;
      yield {
        index,
        total,
        sigmaW2,
        sigmaB2,
        gradNormFirst,
        gradNormLast,
        measuredLog10Ratio: Math.log10(gradNormFirst / gradNormLast),
        ...predictPoint(spec),
      };
      index++;
    }
  }
}

/** The χ₁ = 1 line over the grid's σ_b² values: σ_w² per σ_b², null where the range has none. */
export interface CriticalPoint {
  readonly sigmaB2: number;
  readonly sigmaW2: number | null;
}

/**
 * The theoretical order-to-chaos boundary for the sweep's activation, searched within the grid's
 * σ_w² range widened by a factor 2 each way (so the line shows where it leaves the grid).
 */
export function criticalLine(
  activation: ActivationName,
  alpha: number | undefined,
  sigmaB2Values: readonly number[],
  sigmaW2Range: { min: number; max: number },
): CriticalPoint[] {
  return runSteps(criticalLineSteps(activation, alpha, sigmaB2Values, sigmaW2Range));
}

/** criticalLine, yielding after each evaluation of χ₁ (roots.ts Steps). */
export function* criticalLineSteps(
  activation: ActivationName,
  alpha: number | undefined,
  sigmaB2Values: readonly number[],
  sigmaW2Range: { min: number; max: number },
): Steps<CriticalPoint[]> {
  const points: CriticalPoint[] = [];
  for (const sigmaB2 of sigmaB2Values) {
    const sigmaW2 = yield* criticalSigmaW2Steps(activation, alpha, sigmaB2, {
      sigmaW2Min: sigmaW2Range.min / 2,
      sigmaW2Max: sigmaW2Range.max * 2,
    });
    points.push({ sigmaB2, sigmaW2 });
  }
  return points;
}
