/**
 * Synthetic training tasks: a fixed training set generated once from the spec's seed.
 *
 * - `teacher`: a random network of the student's shape (same activation and init, no residual or
 *   batchnorm, linear output) maps Gaussian inputs to targets; each output is then standardized
 *   over the training set (mean 0, std 1), so the loss has the same scale whatever the activation.
 *   The teacher's weights come from a seed derived from the spec's (never the student's own).
 * - `spirals`: two interleaved spiral arms in the plane (inputs = 2, outputs = 1), target +1 on
 *   one arm and −1 on the other; the classic "hard for a linear model" 2-D set.
 *
 * Inputs are column-major samples like the engine's X (inputs × samples, one sample per column);
 * targets are outputs × samples. Random numbers come from Philox streams on a layer word of their
 * own (TRAINING_DATA_STREAM), so they never coincide with a problem's weights or batch.
 */
import { ACTIVATIONS } from './activations.ts';
import { buildProblem, layerActivation } from './problem.ts';
import { PhiloxPurpose, philoxNormal, philoxUniform } from './rng.ts';
import type { RunSpec } from './spec.ts';

export const TASK_NAMES = ['teacher', 'spirals'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export const TASK_DESCRIPTIONS: Record<TaskName, string> = {
  teacher: 'fit a random teacher network of the same shape (targets standardized)',
  spirals: 'two interleaved spirals in the plane, targets ±1 (inputs = 2, outputs = 1)',
};

/** Samples in a training set; minibatches sweep it in order (see training.ts). */
export const TRAINING_SAMPLES = 512;

/** The Philox layer word of training data: far above any real layer index. */
export const TRAINING_DATA_STREAM = 0x7472_6e00;

export interface TrainingSet {
  readonly samples: number;
  /** inputs × samples. */
  readonly inputs: Float64Array;
  /** outputs × samples. */
  readonly targets: Float64Array;
}

/** The spec a task trains: spirals forces inputs = 2 and outputs = 1. */
export function taskSpec(spec: RunSpec, task: TaskName): RunSpec {
  return task === 'spirals' ? { ...spec, inputs: 2, outputs: 1 } : spec;
}

/** The teacher's seed: a fixed function of the student's seed that never equals it. */
export function teacherSeed(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0;
}

/** a ← W a + b, then φ, for a plain network (no residual, no batchnorm); returns a⁽ᴸ⁾. */
function plainForward(spec: RunSpec, x: Float64Array, samples: number): Float64Array {
  const problem = buildProblem({ ...spec, batch: 1 });
  const { sizes, weights, biases } = problem;
  const layers = sizes.length - 1;
  let a = x;
  for (let l = 1; l <= layers; l++) {
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    const w = weights[l - 1]!;
    const bias = biases[l - 1];
    const z = new Float64Array(nOut * samples);
    for (let i = 0; i < nOut; i++) {
      const row = i * samples;
      for (let k = 0; k < nIn; k++) {
        const wik = w[i * nIn + k]!;
        const aRow = k * samples;
        for (let s = 0; s < samples; s++) z[row + s]! += wik * a[aRow + s]!;
      }
      if (bias) for (let s = 0; s < samples; s++) z[row + s]! += bias[i]!;
    }
    const { name, alpha } = layerActivation(spec, l, layers);
    const { forward } = ACTIVATIONS[name];
    for (let j = 0; j < z.length; j++) z[j] = forward(z[j]!, alpha);
    a = z;
  }
  return a;
}

function teacherSet(spec: RunSpec, samples: number): TrainingSet {
  const stream = { seed: spec.seed, layer: TRAINING_DATA_STREAM, purpose: PhiloxPurpose.input };
  const inputs = new Float64Array(spec.inputs * samples);
  for (let i = 0; i < inputs.length; i++) inputs[i] = philoxNormal(stream, i);
  const teacher: RunSpec = {
    ...spec,
    seed: teacherSeed(spec.seed),
    residual: false,
    batchnorm: false,
    outputActivation: 'linear',
  };
  const targets = plainForward(teacher, inputs, samples);
  for (let o = 0; o < spec.outputs; o++) {
    const row = targets.subarray(o * samples, (o + 1) * samples);
    let mean = 0;
    for (const v of row) mean += v;
    mean /= samples;
    let squares = 0;
    for (const v of row) squares += (v - mean) ** 2;
    const std = Math.sqrt(squares / samples);
    // A constant output (std 0, or below what f64 can tell apart) is only centered.
    const scale = std > 1e-300 ? 1 / std : 1;
    for (let s = 0; s < samples; s++) row[s] = (row[s]! - mean) * scale;
  }
  return { samples, inputs, targets };
}

/** Sample i: arm i mod 2, position t ~ U[0, 1) along it, radius 2t, 1.5 turns, noise 0.05. */
function spiralSet(spec: RunSpec, samples: number): TrainingSet {
  const position = { seed: spec.seed, layer: TRAINING_DATA_STREAM, purpose: PhiloxPurpose.input };
  const noise = { seed: spec.seed, layer: TRAINING_DATA_STREAM, purpose: PhiloxPurpose.target };
  const inputs = new Float64Array(2 * samples);
  const targets = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    const arm = s % 2;
    const t = philoxUniform(position, s);
    const angle = arm * Math.PI + 3 * Math.PI * t;
    const radius = 2 * t;
    inputs[s] = radius * Math.cos(angle) + 0.05 * philoxNormal(noise, 2 * s);
    inputs[samples + s] = radius * Math.sin(angle) + 0.05 * philoxNormal(noise, 2 * s + 1);
    targets[s] = arm === 0 ? 1 : -1;
  }
  return { samples, inputs, targets };
}

/** The training set of a task for a spec (already passed through taskSpec). */
export function trainingSet(
  spec: RunSpec,
  task: TaskName,
  samples = TRAINING_SAMPLES,
): TrainingSet {
  return task === 'spirals' ? spiralSet(spec, samples) : teacherSet(spec, samples);
}
