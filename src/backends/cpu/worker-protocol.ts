/** Messages between the page and the CPU worker. */
import type { RunProgress } from '../../engine/backend.ts';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { Problem } from '../../engine/problem.ts';
import type { RunResult } from '../../engine/results.ts';
import type { RunSpec } from '../../engine/spec.ts';
import type { Roofline } from './roofline.ts';
import type { TrainingChunk, TrainingOptions, TrainingState } from './training.ts';

/** The CPU backends the worker runs. */
export type CpuBackendName = 'cpu' | 'cpu64';

/**
 * A fault to inject into one request (tests; the page's test hooks): at a phase of the run (and,
 * for forward and backward, a layer, default 1):
 * - 'crash': the worker throws an uncaught error and never answers (the page sees an error
 *   event);
 * - 'error': the run fails with an ordinary error, answered as such;
 * - 'terminate': the worker tells the page where it is and waits, and the page terminates it.
 */
export interface CpuFault {
  readonly kind: 'crash' | 'error' | 'terminate';
  readonly phase: 'prepare' | 'forward' | 'statistics' | 'backward' | 'readback';
  readonly layer?: number;
}

/** A request that makes one run (a RunResult). */
export type RunRequest = (
  | { readonly type: 'run'; readonly id: number; readonly spec: RunSpec }
  /**
   * A problem built by hand. Its typed arrays are copied by structured clone, not transferred, so
   * the page may run the same problem again (a verification runs it on two backends).
   */
  | {
      readonly type: 'problem';
      readonly id: number;
      readonly problem: Problem;
      readonly backend: CpuBackendName;
    }
) & {
  /** cpu: how many of the worker's threads to use (default: all); cpu64 uses one. */
  readonly threads?: number;
  /** Untimed passes after the first run (engine/experiment.ts ExperimentOptions.warmUpMs). */
  readonly warmUpMs?: number;
  /** A fault to inject into this run (tests only). */
  readonly fault?: CpuFault;
};

/** The singular values of a spec's input–output Jacobian (jacobian.ts), always in f64. */
export interface JacobianRequest {
  readonly type: 'jacobian';
  readonly id: number;
  readonly spec: RunSpec;
}

/**
 * Trains `steps` steps (backends/cpu/training.ts) from `state`, or from a fresh state of `spec` and
 * `options` when `state` is null; answered with the new state and one record per step.
 */
export interface TrainJob {
  readonly spec: RunSpec;
  readonly options: TrainingOptions;
  readonly state: TrainingState | null;
  readonly steps: number;
  /** cpu: how many of the worker's threads to use (default: all); cpu64 uses one. */
  readonly threads?: number;
}

export interface TrainRequest extends TrainJob {
  readonly type: 'train';
  readonly id: number;
}

/**
 * Measures the CPU backend's roofline in the worker (roofline.ts measureRoofline): this engine's
 * WebAssembly SIMD peak with the multiply-add micro-kernels, on the worker's thread.
 */
export interface RooflineRequest {
  readonly type: 'roofline';
  readonly id: number;
  /** Milliseconds per sample (default 20); five samples per peak. */
  readonly sampleMs?: number;
}

export type WorkerRequest = RunRequest | JacobianRequest | TrainRequest | RooflineRequest;

/**
 * Threads (lanes.ts), set up by the page once per worker on a cross-origin-isolated page: the
 * coordinating worker gets one port per helper lane; each helper worker gets its end.
 */
export type LaneSetup =
  | { readonly type: 'lanes'; readonly ports: readonly MessagePort[] }
  | { readonly type: 'lane'; readonly port: MessagePort };

export type WorkerResponse =
  /** Posted once when the worker's script has loaded: a later error is a crash, not a refusal. */
  | { readonly type: 'ready' }
  /** A 'terminate' fault's signal: the run has reached its phase and waits to be terminated. */
  | { readonly type: 'fault-reached'; readonly id: number }
  | { readonly type: 'progress'; readonly id: number; readonly progress: RunProgress }
  | { readonly type: 'result'; readonly id: number; readonly result: RunResult }
  | { readonly type: 'spectrum'; readonly id: number; readonly spectrum: JacobianSpectrum }
  | { readonly type: 'trained'; readonly id: number; readonly chunk: TrainingChunk }
  | { readonly type: 'roofline'; readonly id: number; readonly roofline: Roofline }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
