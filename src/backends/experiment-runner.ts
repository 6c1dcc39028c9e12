/**
 * How the page runs experiments: cpu and cpu64 in a Web Worker, webgpu on the page's GPU device.
 * When WebGPU is missing or fails (no adapter, a lost device, a shader that does not compile, out
 * of memory), the run is redone on the CPU and the outcome says so; a spec the device cannot hold
 * is reported as the SpecError it is, naming the limit.
 */
import type { RunProgress } from '../engine/backend.ts';
import { runExperiment } from '../engine/experiment.ts';
import type { RunResult } from '../engine/results.ts';
import { SpecError, type RunSpec } from '../engine/spec.ts';
import { CpuWorkerRunner } from './cpu/worker-runner.ts';
import { createWebGpuBackend } from './webgpu/webgpu-backend.ts';

export interface RunOutcome {
  readonly result: RunResult;
  /** Why a webgpu run ran on the CPU instead, when it did. */
  readonly fallback?: string;
}

export interface ExperimentRunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
}

type GpuBackend = Awaited<ReturnType<typeof createWebGpuBackend>>;

export class ExperimentRunner {
  private readonly cpu = new CpuWorkerRunner();
  private gpu: Promise<GpuBackend> | null = null;

  private gpuBackend(): Promise<GpuBackend> {
    if (this.gpu) return this.gpu;
    const pending = createWebGpuBackend().then((backend) => {
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
    if (spec.backend !== 'webgpu') return { result: await this.cpu.run(spec, options) };
    try {
      return { result: await runExperiment(spec, await this.gpuBackend(), options) };
    } catch (error) {
      if (error instanceof SpecError || options.signal?.aborted) throw error;
      this.releaseGpu();
      const reason = error instanceof Error ? error.message : String(error);
      const result = await this.cpu.run({ ...spec, backend: 'cpu' }, options);
      return {
        result,
        fallback: `WebGPU failed (${reason}), so this run used the CPU backend (f32).`,
      };
    }
  }

  dispose(): void {
    this.cpu.dispose();
    this.releaseGpu();
  }
}
