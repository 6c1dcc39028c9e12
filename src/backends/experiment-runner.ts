/**
 * How the page runs experiments: cpu and cpu64 in a Web Worker, webgpu on the page's GPU device.
 * When WebGPU is missing or fails (no adapter, a lost device, a shader that does not compile, out
 * of memory), the run is redone on the CPU and the outcome says so; a spec the device cannot hold
 * is reported as the SpecError it is, naming the limit. Training follows the same rules.
 *
 * The WebGPU backend (its kernels and shaders) is imported only when a webgpu run is asked for, so
 * a page that computes on the CPU never downloads it.
 */
import type { ComputeOptions, RunProgress } from '../engine/backend.ts';
import type { JacobianSpectrum } from '../engine/jacobian.ts';
import type { Roofline } from './cpu/roofline.ts';
import type { Problem } from '../engine/problem.ts';
import type { RunResult } from '../engine/results.ts';
import { SpecError, type BackendName, type RunSpec } from '../engine/spec.ts';
import type { TrainingChunk } from './cpu/training-state.ts';
import type { TrainJob } from './cpu/worker-protocol.ts';
import { CpuWorkerRunner } from './cpu/worker-runner.ts';
import { noFaults, type GpuFaults } from './webgpu/faults.ts';
import type { WebGpuBackend } from './webgpu/webgpu-backend.ts';

export interface RunOutcome {
  readonly result: RunResult;
  /** Why a webgpu run ran on the CPU instead, when it did. */
  readonly fallback?: string;
}

export interface ExperimentRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /** cpu runs: how many CPU threads to use (default: all this page has; see cpuThreadPlan). */
  readonly threads?: number;
  /** Untimed passes after a run's first (engine/experiment.ts ExperimentOptions.warmUpMs). */
  readonly warmUpMs?: number;
  /**
   * Told as a run enters each phase (engine/backend.ts RunPhase): WebGPU runs and runs on the
   * page only (a function cannot reach the worker; its faults are CpuWorkerRunner.faults).
   */
  readonly onPhase?: ComputeOptions['onPhase'];
}

type GpuBackend = WebGpuBackend;

/** What the runner needs of the CPU side (CpuWorkerRunner; tests pass one with another worker). */
export type CpuRunner = Pick<
  CpuWorkerRunner,
  'run' | 'runProblem' | 'jacobian' | 'train' | 'roofline' | 'inPageReason' | 'dispose'
> &
  Partial<Pick<CpuWorkerRunner, 'warm'>>;

export interface ExperimentRunnerOptions {
  /** The CPU runner (default: a CpuWorkerRunner on the inlined Web Worker). */
  readonly cpu?: CpuRunner;
  /**
   * Makes a WebGPU backend (default: on the page's navigator.gpu). Called again after a device
   * is lost or a GPU run fails. It must pass `faults` on (createWebGpuBackend's option).
   */
  readonly createGpu?: (faults: GpuFaults) => Promise<GpuBackend>;
}

export class ExperimentRunner {
  private readonly cpu: CpuRunner;
  private readonly createGpu: (faults: GpuFaults) => Promise<GpuBackend>;
  private gpu: Promise<GpuBackend> | null = null;
  /**
   * Faults to inject into GPU runs (tests and the page's test hooks; webgpu/faults.ts): they
   * apply to the current device and to the ones made after a failure, until they fire.
   */
  readonly gpuFaults: GpuFaults = noFaults();
  /** GPU backends made so far (tests check that a failed device was replaced). */
  gpuBackendsCreated = 0;

  constructor(options: ExperimentRunnerOptions = {}) {
    this.cpu = options.cpu ?? new CpuWorkerRunner();
    // The WebGPU backend (its kernels and shaders) is imported on the first webgpu run.
    this.createGpu =
      options.createGpu ??
      ((faults) =>
        import('./webgpu/webgpu-backend.ts').then(({ createWebGpuBackend }) =>
          createWebGpuBackend({ faults }),
        ));
  }

  /** Starts the CPU worker before the first run needs it (CpuWorkerRunner.warm). */
  warmCpu(): void {
    this.cpu.warm?.();
  }

  private gpuBackend(): Promise<GpuBackend> {
    if (this.gpu) return this.gpu;
    this.gpuBackendsCreated++;
    const pending = this.createGpu(this.gpuFaults).then((backend) => {
      void backend.device.lost.then(() => {
        // Only this backend's loss clears it; a newer backend may have replaced it already.
        if (this.gpu === pending) this.gpu = null;
      });
      return backend;
    });
    this.gpu = pending;
    return pending;
  }

  /** Drops the GPU backend and frees its device. */
  private releaseGpu(): void {
    const pending = this.gpu;
    this.gpu = null;
    void pending?.then((backend) => backend.device.destroy()).catch(() => {});
  }

  async run(spec: RunSpec, options: ExperimentRunOptions = {}): Promise<RunOutcome> {
    if (spec.backend !== 'webgpu') return this.onCpu(await this.cpu.run(spec, options));
    const { value: result, fallback } = await this.onGpu(
      async (gpu) => (await import('../engine/experiment.ts')).runExperiment(spec, gpu, options),
      () => this.cpu.run({ ...spec, backend: 'cpu' }, options),
      options.signal,
      'this run',
    );
    return fallback ? { result, fallback } : { result };
  }

  /**
   * Runs a problem built by hand (the notebook's shared-stream sweep, a verification subset) on
   * the named backend: cpu and cpu64 in the worker (the problem's arrays are copied there, so the
   * caller may run it again), webgpu on the device, uploading the problem, with the same CPU
   * fallback as run(). The result's spec names the backend that computed it.
   */
  async runProblem(
    problem: Problem,
    backend: BackendName,
    options: ExperimentRunOptions = {},
  ): Promise<RunOutcome> {
    if (backend !== 'webgpu')
      return this.onCpu(await this.cpu.runProblem(problem, backend, options));
    const { value: result, fallback } = await this.onGpu(
      async (gpu) => (await import('../engine/experiment.ts')).runProblemOn(problem, gpu, options),
      () => this.cpu.runProblem(problem, 'cpu', options),
      options.signal,
      'this run',
    );
    return fallback ? { result, fallback } : { result };
  }

  /**
   * The singular values of the spec's input–output Jacobian (engine/jacobian.ts), in the CPU
   * worker and in f64 whatever the spec's backend: the dense SVD has no GPU path.
   */
  jacobian(spec: RunSpec, options: ExperimentRunOptions = {}): Promise<JacobianSpectrum> {
    return this.cpu.jacobian(spec, options);
  }

  /**
   * The CPU backend's roofline: this browser's WebAssembly SIMD peaks (plain and, where it runs,
   * relaxed), measured in the CPU worker, and the kernels the backend computes with there.
   */
  roofline(options: ExperimentRunOptions = {}): Promise<Roofline> {
    return this.cpu.roofline(options);
  }

  /**
   * Trains a chunk of steps: a webgpu spec on the page's GPU device (webgpu/training-gpu.ts), with
   * the same CPU fallback as run() (the chunk's `fallback` says why; the state, plain data, trains
   * on in f32 in the worker); cpu and cpu64 in the CPU worker (backends/cpu/training.ts). The
   * returned state's `backend` names the backend that trained it.
   */
  async train(job: TrainJob, options: ExperimentRunOptions = {}): Promise<TrainingChunk> {
    if (job.spec.backend !== 'webgpu') return this.cpu.train(job, options);
    const { value: chunk, fallback } = await this.onGpu(
      async (gpu) => {
        const [{ trainStepsOnGpu }, { createTrainingState }, { isSoftwareAdapter }] =
          await Promise.all([
            import('./webgpu/training-gpu.ts'),
            import('./cpu/training-state.ts'),
            import('./webgpu/adapter.ts'),
          ]);
        return trainStepsOnGpu(job.state ?? createTrainingState(job.spec, job.options), job.steps, {
          device: gpu.device,
          runner: gpu.runner,
          signal: options.signal,
          software: gpu.info.adapter ? isSoftwareAdapter(gpu.info.adapter) : undefined,
        });
      },
      () => this.cpu.train(job, options),
      options.signal,
      'training',
    );
    return fallback ? { ...chunk, fallback } : chunk;
  }

  /**
   * Runs on the GPU; when WebGPU is missing or fails, runs `onCpu` instead and says why (`what`
   * names the work in that message). A spec the device cannot hold (SpecError) and a
   * cancellation are passed on as they are.
   */
  private async onGpu<T>(
    onGpu: (gpu: GpuBackend) => Promise<T>,
    onCpu: () => Promise<T>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<{ value: T; fallback?: string }> {
    try {
      return { value: await onGpu(await this.gpuBackend()) };
    } catch (error) {
      if (error instanceof SpecError || signal?.aborted) throw error;
      this.releaseGpu();
      const reason = error instanceof Error ? error.message : String(error);
      const value = await onCpu();
      const inPage = this.cpu.inPageReason ? ` ${capitalize(this.cpu.inPageReason)}.` : '';
      return {
        value,
        fallback: `WebGPU failed (${reason}), so ${what} used the CPU backend (f32).${inPage}`,
      };
    }
  }

  /** A CPU result, with a notice when it ran on the page because the worker was not allowed. */
  private onCpu(result: RunResult): RunOutcome {
    const reason = this.cpu.inPageReason;
    return reason ? { result, fallback: `${capitalize(reason)}.` } : { result };
  }

  dispose(): void {
    this.cpu.dispose();
    this.releaseGpu();
  }
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
