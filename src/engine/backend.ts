/**
 * The Backend interface: how a problem is computed. The engine says what to compute (a ProblemSource);
 * a backend (cpu, cpu64, webgpu) computes the same LayerStatistics its own way. Components and the
 * CLI reach compute only through this interface.
 */
import type { ProblemSource } from './problem.ts';
import type { BackendInfo, KernelClock, KernelTimes, LayerStatistics } from './results.ts';

export interface RunProgress {
  /** 'prepare': generating the weights (the CPU backends; WebGPU draws them on the device). */
  readonly phase: 'prepare' | 'forward' | 'backward';
  /** Layers done in this phase. */
  readonly done: number;
  readonly total: number;
}

/**
 * The phases of a run, in order: preparing (allocation, uploads, shader compilation), the forward
 * pass, the second statistics pass, the backward pass, and reading the results back. The CPU
 * passes through forward, statistics and backward layer by layer; WebGPU encodes all three in
 * one submission, so between 'prepare' and 'readback' it reports 'submit' alone.
 */
export type RunPhase = 'prepare' | 'forward' | 'statistics' | 'backward' | 'submit' | 'readback';

export interface ComputeOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /**
   * Called as the run enters each phase (forward and backward: once per layer, with the layer).
   * For tests and fault injection: a test cancels the run here, or throws to fail it there.
   * The CPU pass calls it synchronously; a throw ends the run with that error.
   */
  readonly onPhase?: (phase: RunPhase, layer?: number) => void;
}

export interface PrepareOptions {
  /** Cancels the preparation: what it allocated is freed and the promise rejects. */
  readonly signal?: AbortSignal;
  /** As ComputeOptions.onPhase, for the 'prepare' phase. */
  readonly onPhase?: (phase: RunPhase, layer?: number) => void;
  /** Told as each layer's weights are generated, where the backend generates them. */
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
  prepare(source: ProblemSource, options?: PrepareOptions): Promise<PreparedRun>;
}
