/**
 * The Backend interface: how a problem is computed. The engine says what to compute (a ProblemSource);
 * a backend (cpu, cpu64, webgpu) computes the same LayerStatistics its own way. Components and the
 * CLI reach compute only through this interface.
 */
import type { ProblemSource } from './problem.ts';
import type { BackendInfo, KernelClock, KernelTimes, LayerStatistics } from './results.ts';

export interface RunProgress {
  readonly phase: 'forward' | 'backward';
  /** Layers done in this phase. */
  readonly done: number;
  readonly total: number;
}

export interface ComputeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
}

/** A problem loaded into a backend: weights in place, ready to run many times. */
export interface PreparedRun {
  /** Milliseconds prepare spent compiling shaders (part of initMs), where there are shaders. */
  readonly compileMs?: number;
  /**
   * Whether this run measures per-kernel times (and with which clock), or why it cannot; absent
   * where the backend never measures them.
   */
  readonly kernelTiming?: { readonly clock: KernelClock } | { readonly unavailable: string };
  /** One forward + backward + statistics pass. */
  compute(options?: ComputeOptions): Promise<LayerStatistics>;
  /** Per-kernel milliseconds of the last compute(), or null when none were measured. */
  lastKernelsMs?(): KernelTimes | null;
  /** Frees what prepare allocated. */
  dispose(): void;
}

export interface Backend {
  readonly info: BackendInfo;
  prepare(source: ProblemSource): Promise<PreparedRun>;
}
