/**
 * One queue for every run on the page: sections and widgets share one CPU worker and one GPU
 * device, and their runs execute one at a time in the order asked. A run cancelled while it waits
 * never starts; a run cancelled while it executes stops its worker (see worker-runner.ts).
 */
import type { RunProgress } from '../../engine/backend.ts';
import type { JacobianSpectrum } from '../../engine/jacobian.ts';
import type { Problem } from '../../engine/problem.ts';
import type { BackendName, RunSpec } from '../../engine/spec.ts';
import type { TrainingChunk } from '../../backends/cpu/training-state.ts';
import type { Roofline } from '../../backends/cpu/roofline.ts';
import type { TrainJob } from '../../backends/cpu/worker-protocol.ts';
import {
  ExperimentRunner,
  type ExperimentRunOptions,
  type RunOutcome,
} from '../../backends/experiment-runner.ts';
import { nextTask, readySlot } from '../figure/ready-queue.ts';
import { SharedRuns } from './shared-runs.ts';

export interface RunExecutor {
  run(spec: RunSpec, options?: ExperimentRunOptions): Promise<RunOutcome>;
  runProblem(
    problem: Problem,
    backend: BackendName,
    options?: ExperimentRunOptions,
  ): Promise<RunOutcome>;
  /** The spec's input–output Jacobian spectrum (engine/jacobian.ts), off the main thread. */
  jacobian(spec: RunSpec, options?: ExperimentRunOptions): Promise<JacobianSpectrum>;
  /** A chunk of training steps (backends/cpu/training.ts), in the CPU worker. */
  train(job: TrainJob, options?: ExperimentRunOptions): Promise<TrainingChunk>;
  /** The CPU backend's WebAssembly SIMD peaks, measured in the CPU worker (cpu/roofline.ts). */
  roofline(options?: ExperimentRunOptions): Promise<Roofline>;
}

export type QueueOptions = ExperimentRunOptions & {
  /** Called once with the number of runs waiting ahead of this one. */
  onQueued?: (ahead: number) => void;
  /** A run of its own, never an earlier or a shared one (a timing taken anew; shared-runs.ts). */
  fresh?: boolean;
};

export class RunQueue implements RunExecutor {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** Whether a run has started: each later one waits for pageTurn first. */
  private ran = false;

  /**
   * @param pageTurn what a run waits for after the one before it (default: the page's figures
   *   have drawn what that run gave them; see figuresDrawn)
   */
  constructor(
    private readonly executor: RunExecutor,
    private readonly pageTurn: () => Promise<void> = figuresDrawn,
  ) {}

  /** Runs waiting for their turn (not counting the one executing). */
  get pending(): number {
    return this.waiting;
  }

  run(spec: RunSpec, options: QueueOptions = {}): Promise<RunOutcome> {
    return this.enqueue(() => this.executor.run(spec, options), options);
  }

  runProblem(
    problem: Problem,
    backend: BackendName,
    options: QueueOptions = {},
  ): Promise<RunOutcome> {
    return this.enqueue(() => this.executor.runProblem(problem, backend, options), options);
  }

  jacobian(spec: RunSpec, options: QueueOptions = {}): Promise<JacobianSpectrum> {
    return this.enqueue(() => this.executor.jacobian(spec, options), options);
  }

  train(job: TrainJob, options: QueueOptions = {}): Promise<TrainingChunk> {
    return this.enqueue(() => this.executor.train(job, options), options);
  }

  roofline(options: QueueOptions = {}): Promise<Roofline> {
    return this.enqueue(() => this.executor.roofline(options), options);
  }

  private enqueue<T>(job: () => Promise<T>, options: QueueOptions): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.waiting++;
    options.onQueued?.(this.waiting - 1);
    const turn = this.tail.then(
      () => undefined,
      () => undefined,
    );
    // After a run, its figures draw before the next starts (pageTurn); the page's first run
    // starts at once.
    const result = turn
      .then(() => (this.ran ? this.pageTurn() : undefined))
      .then(() => {
        this.ran = true;
        this.waiting--;
        if (signal?.aborted) throw abortReason(signal);
        return job();
      });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Resolves once the page's figures have drawn what the last run gave them: after a task (their
 * data arrives in the run's microtasks, and each asks the ready queue for its turn to draw), a
 * turn of the ready queue (figure/ready-queue.ts) behind theirs, so a frame after the last of
 * them drew. Without it the next run, in the CPU worker, computed on the other core while they
 * drew, and on two cores a depth sweep alone then had a task over 50 ms (its first drawing) in
 * 11 of 80 loads, against none of 80 with this wait (an idle callback in its place: 7 of 120).
 * Immediate where there is no page (Node).
 */
async function figuresDrawn(): Promise<void> {
  if (typeof document === 'undefined') return;
  await nextTask();
  await readySlot();
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The run was cancelled', 'AbortError');
}

let shared: SharedRuns | null = null;
let experiments: ExperimentRunner | null = null;

/**
 * The page's one queue over one ExperimentRunner (created on first use, never at import), with
 * identical runs shared between the figures that ask for them (shared-runs.ts).
 */
export function labRunner(): SharedRuns {
  shared ??= new SharedRuns(new RunQueue((experiments ??= new ExperimentRunner())));
  return shared;
}

/**
 * Test hook: the ExperimentRunner under labRunner(), for a test page that injects faults into
 * the page's own runs (its `gpuFaults`) and drives it directly (e2e/pages/reliability.ts).
 * `install`, given before anything on the page has run, becomes that runner instead: a test
 * page passes one built on a CpuWorkerRunner it holds (for `faults.next`) and a `createGpu` that
 * keeps each backend (for its buffer pool's accounting). Pages themselves never call this.
 */
export function labExperimentRunner(install?: ExperimentRunner): ExperimentRunner {
  if (install) {
    if (experiments && experiments !== install)
      throw new Error('labExperimentRunner: the page has already run on another runner');
    experiments = install;
  }
  labRunner();
  return experiments!;
}

export type { RunOutcome, RunProgress };
