/**
 * A training run's state (plain data: it crosses to and from workers by structured clone), its
 * records, and a fresh state from a spec. A module of its own, beside the training engine
 * (training.ts), so that a page that trains on the GPU, or only shows training, does not load the
 * CPU engine.
 */
import { buildProblem, layerSizes } from '../../engine/problem.ts';
import type { Precision } from '../../engine/results.ts';
import type { BackendName, RunSpec } from '../../engine/spec.ts';
import { taskSpec, trainingSet } from '../../engine/tasks.ts';
import type { FloatArray } from './pass-rows.ts';
import type { TrainingOptions } from './training-options.ts';

/**
 * Everything needed to continue training: plain data only. Optimizer moments are f64 whatever
 * the precision, indexed [W⁽¹⁾ … W⁽ᴸ⁾, b⁽¹⁾ … b⁽ᴸ⁾]; empty where the optimizer keeps none.
 */
export interface TrainingState {
  /** The spec trained: the task's sizes (spirals: inputs 2, outputs 1), its backend as asked. */
  readonly spec: RunSpec;
  /**
   * The backend that computed the latest steps: cpu (f32) or cpu64 (f64) for trainSteps, webgpu
   * for trainStepsOnGpu; a fresh state names the spec's backend, the one it is meant for.
   */
  readonly backend: BackendName;
  readonly options: TrainingOptions;
  readonly precision: Precision;
  readonly sizes: readonly number[];
  readonly weights: FloatArray[];
  readonly biases: FloatArray[];
  readonly firstMoment: Float64Array[];
  readonly secondMoment: Float64Array[];
  /** Steps taken; also the position in the training set. */
  readonly step: number;
  readonly samples: number;
  /** inputs × samples. */
  readonly inputs: Float64Array;
  /** outputs × samples. */
  readonly targets: Float64Array;
  /** The step whose loss, gradients or update were not finite; training stops there. */
  readonly diverged: number | null;
}

export interface TrainingRecord {
  /** 1-based: the step whose update this is. */
  readonly step: number;
  /** The minibatch's loss before the step's update: ½‖a⁽ᴸ⁾ − Y‖² / batch. */
  readonly loss: number;
  /** ‖ΔW⁽ˡ⁾‖_F / ‖W⁽ˡ⁾‖_F per layer (index l − 1), W before the update; NaN where not taken. */
  readonly updateRatio: Float64Array;
  /** ‖∂L/∂W⁽ˡ⁾‖_F per layer (index l − 1), of the loss above. */
  readonly gradNorm: Float64Array;
  /** The loss, a gradient or the updated weights were not finite (the run diverged here). */
  readonly nonFinite: boolean;
}

export interface TrainingChunk {
  readonly state: TrainingState;
  readonly records: TrainingRecord[];
  /** Why a chunk meant for the GPU was trained on the CPU instead, when it was (for the page). */
  readonly fallback?: string;
}

/** How a spec is trained: cpu64 in f64; cpu, and webgpu (on the GPU or its CPU fallback), in f32. */
export function trainingPrecision(spec: RunSpec): Precision {
  return spec.backend === 'cpu64' ? 'f64' : 'f32';
}

/** A fresh state: the spec's initial weights (zero biases where σ_b = 0) and the task's data. */
export function createTrainingState(spec: RunSpec, options: TrainingOptions): TrainingState {
  const precision = trainingPrecision(spec);
  const trained: RunSpec = taskSpec(spec, options.task);
  const problem = buildProblem({ ...trained, batch: 1 });
  const sizes = layerSizes(trained);
  const alloc = (length: number): FloatArray =>
    precision === 'f64' ? new Float64Array(length) : new Float32Array(length);
  const copy = (values: Float64Array): FloatArray => {
    const out = alloc(values.length);
    out.set(values);
    return out;
  };
  const weights = problem.weights.map(copy);
  const biases = problem.biases.map((b, i) => (b ? copy(b) : alloc(sizes[i + 1]!)));
  const parameterLengths = [...weights, ...biases].map((p) => p.length);
  const moments = (used: boolean): Float64Array[] =>
    used ? parameterLengths.map((n) => new Float64Array(n)) : [];
  const adam = options.optimizer === 'adam';
  const data = trainingSet(trained, options.task);
  return {
    spec: trained,
    backend: trained.backend,
    options,
    precision,
    sizes,
    weights,
    biases,
    firstMoment: moments(adam || options.momentum > 0),
    secondMoment: moments(adam),
    step: 0,
    samples: data.samples,
    inputs: data.inputs,
    targets: data.targets,
    diverged: null,
  };
}
