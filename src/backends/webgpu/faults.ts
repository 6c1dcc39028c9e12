/**
 * Fault injection for the WebGPU backend: the failures a real device produces, on demand, so that
 * tests (vitest in Node, Playwright in the page) can check that a run fails cleanly, frees what
 * it allocated, and that the page redoes it on the CPU and says so.
 *
 * One GpuFaults object belongs to a GpuRunner (runner.faults) and so to every backend on its
 * device. Its fields are plain data, so a page can set them from a test script, e.g.
 *   runner.faults.loseDeviceAt = 'readback';   // destroy the device once a run reaches read-back
 *   runner.faults.brokenShaders = 1;           // the next shader compilation fails
 *   runner.faults.invalidSubmissions = 1;      // the next run's submission is invalid
 * Each fault fires once and resets itself (loseDeviceAt to null, the counts down by one).
 */
import type { RunPhase } from '../../engine/backend.ts';

/** The phases a WebGPU run passes (engine/backend.ts RunPhase): prepare, submit, readback. */
export type GpuRunPhase = Extract<RunPhase, 'prepare' | 'submit' | 'readback'>;

export const GPU_RUN_PHASES: readonly GpuRunPhase[] = ['prepare', 'submit', 'readback'];

export interface GpuFaults {
  /** Destroys the device when the next run reaches this phase: a device lost mid-run. */
  loseDeviceAt: GpuRunPhase | null;
  /**
   * The next this-many pipeline compilations get WGSL that does not compile, cached or not:
   * the run's prepare fails with the compiler's error.
   */
  brokenShaders: number;
  /**
   * The next this-many runs submit a command buffer WebGPU rejects (a copy past a buffer's
   * end): a validation error at submission.
   */
  invalidSubmissions: number;
}

export function noFaults(): GpuFaults {
  return { loseDeviceAt: null, brokenShaders: 0, invalidSubmissions: 0 };
}

/** WGSL that no compiler accepts, appended to a program's own text. */
export const BROKEN_WGSL = '\nfn gradlab_injected_fault( { // an injected shader compile error\n';
