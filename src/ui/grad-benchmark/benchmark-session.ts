/**
 * The benchmark and the size sweep as shared sessions (figures/shared-session.ts). A benchmark
 * times one workload on webgpu, cpu and cpu64, then the cpu workload on 1 … N − 1 threads; the
 * timings table, the per-kernel chart and table and the thread-scaling table show one benchmark,
 * run once. A benchmark session is keyed by the lab's spec it started from: its workload (the
 * sizes the reader chose, recorded in the session) is the last one run for that spec. A size
 * sweep times a grid of widths and depths; it is keyed by everything it depends on.
 */
import { browserThreadPlan } from '../../backends/cpu/thread-plan.ts';
import type { Roofline } from '../../backends/cpu/roofline.ts';
import type { BackendName, RunSpec } from '../../engine/spec.ts';
import { runFlops } from '../../engine/work.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import { SessionStore, type SessionHandle } from '../figures/shared-session.ts';
import {
  backendLabel,
  BENCHMARK_BACKENDS,
  steadyStateMs,
  sweepSpec,
  workloadSpec,
  type BackendRun,
  type SweepMeasurement,
  type SweepPlan,
  type ThreadRun,
  type WorkloadSize,
} from './benchmark-data.ts';

export interface BenchmarkSession {
  /** The workload on each backend, in BENCHMARK_BACKENDS order. */
  readonly specs: readonly RunSpec[];
  /** One entry per backend, filled as they finish. */
  readonly backendRuns: readonly BackendRun[];
  /** The cpu workload on 1 … N threads, after the backends (only where N > 1). */
  readonly threadRuns: readonly ThreadRun[];
  /**
   * The CPU's WebAssembly SIMD peaks, measured in the CPU worker after the backends (the roof the
   * cpu row's GFLOP/s are a share of); null until then, or where it could not be measured.
   */
  readonly roofline: Roofline | null;
}

export const EMPTY_BENCHMARK: BenchmarkSession = {
  specs: [],
  backendRuns: [],
  threadRuns: [],
  roofline: null,
};

/** The page's benchmarks, by benchmarkKey. */
export const BENCHMARK_SESSIONS = new SessionStore<BenchmarkSession>();

/** A benchmark's key: the lab's spec it started from. */
export const benchmarkKey = (base: RunSpec): string => JSON.stringify(base);

/** The workload's specs on every backend; a bad size throws the SpecError naming it. */
export function benchmarkSpecs(
  base: RunSpec,
  size: Readonly<Record<keyof WorkloadSize, string | number>>,
): RunSpec[] {
  return BENCHMARK_BACKENDS.map((backend) => workloadSpec(base, size, backend));
}

/**
 * The CPU's SIMD peaks, or null where they could not be measured (the worker failed to): the
 * timings stand without their share of the peak. A cancelled benchmark stays cancelled.
 */
async function measuredRoofline(context: TaskContext): Promise<Roofline | null> {
  try {
    return await context.roofline();
  } catch (error) {
    if (context.signal.aborted) throw error;
    return null;
  }
}

/**
 * Milliseconds of untimed passes between a benchmark run's first (cold) run and the timed steady
 * state: in this browser's CPU worker a two-thread pass took its first five passes to warm up
 * (146, 51, 52, 54, 40 ms, then 26–35 ms; docs/benchmarks.md), past the default five runs.
 */
export const BENCHMARK_WARM_UP_MS = 1000;

/**
 * Times `specs` backend by backend, then (where the page has several CPU threads) the cpu
 * workload again on N − 1 … 1 of them: the cpu row used all N. `fallbackReason` reads the task's
 * fallback notice, which says why a webgpu run used the CPU.
 */
export async function runBenchmark(
  context: TaskContext,
  handle: SessionHandle<BenchmarkSession>,
  specs: readonly RunSpec[],
  fallbackReason: () => string | null,
): Promise<BenchmarkSession> {
  const maxThreads = browserThreadPlan().threads;
  const cpuSpec = specs.find((spec) => spec.backend === 'cpu');
  const scaling = cpuSpec && maxThreads > 1 ? maxThreads - 1 : 0;
  context.setTotal(specs.length + (cpuSpec ? 1 : 0) + scaling);
  const done: BackendRun[] = [];
  let session: BenchmarkSession = { ...EMPTY_BENCHMARK, specs };
  handle.update(session);
  for (const spec of specs) {
    // A timing taken now, not one kept from earlier (shared-runs.ts).
    const result = await context.run(spec, { fresh: true, warmUpMs: BENCHMARK_WARM_UP_MS });
    const fellBack = spec.backend === 'webgpu' && result.backend.name !== 'webgpu';
    done.push({
      requested: spec.backend,
      result,
      fallback: fellBack ? (fallbackReason() ?? 'WebGPU was unavailable') : null,
    });
    session = { ...session, backendRuns: [...done] };
    handle.update(session);
  }
  const cpuRun = done.find((run) => run.requested === 'cpu');
  if (cpuSpec) {
    // Once per page (shared-runs.ts keeps it): 100–200 ms of multiply-adds in the CPU worker.
    session = { ...session, roofline: await measuredRoofline(context) };
    handle.update(session);
  }
  if (!cpuSpec || !cpuRun || scaling === 0) return session;
  const threadRuns: ThreadRun[] = [{ threads: maxThreads, result: cpuRun.result }];
  for (let threads = maxThreads - 1; threads >= 1; threads--) {
    const result = await context.run(cpuSpec, {
      threads,
      fresh: true,
      warmUpMs: BENCHMARK_WARM_UP_MS,
    });
    threadRuns.unshift({ threads, result });
    session = { ...session, threadRuns: [...threadRuns] };
    handle.update(session);
  }
  return session;
}

export interface SweepSession {
  readonly measurements: readonly SweepMeasurement[];
  /** Points skipped or failed, in words. */
  readonly failures: readonly string[];
}

export const EMPTY_SWEEP: SweepSession = { measurements: [], failures: [] };

/** The page's size sweeps, by sweepKey. */
export const SWEEP_SESSIONS = new SessionStore<SweepSession>();

export const sweepKey = (
  base: RunSpec,
  plan: SweepPlan,
  backends: readonly BackendName[],
): string => JSON.stringify([base, plan.points, backends]);

/** Times every point of `plan` on `backends` (the steady state), skipping what it refused. */
export async function runSizeSweep(
  context: TaskContext,
  handle: SessionHandle<SweepSession>,
  base: RunSpec,
  plan: SweepPlan,
  backends: readonly BackendName[],
): Promise<SweepSession> {
  context.setTotal(plan.points.length * backends.length - plan.refused.length);
  const measurements: SweepMeasurement[] = [];
  const failures: string[] = [];
  for (const point of plan.points) {
    const ms = new Map<BackendName, number>();
    const labels = new Map<BackendName, string>();
    for (const backend of backends) {
      const refused = plan.refused.find(
        (entry) => entry.point === point && entry.backend === backend,
      );
      const where = `${backend} at depth ${point.depth} × width ${point.width}`;
      if (refused) {
        failures.push(`${where}: skipped, ${refused.reason}`);
        ms.set(backend, NaN);
        continue;
      }
      try {
        const result = await context.run(sweepSpec(base, point, backend), { fresh: true });
        ms.set(backend, steadyStateMs(result.timings.computeRunsMs));
        labels.set(backend, backendLabel(backend, result).text);
      } catch (error) {
        if (context.signal.aborted) throw error;
        failures.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
        ms.set(backend, NaN);
      }
    }
    measurements.push({ point, gflop: runFlops({ ...base, ...point }) / 1e9, ms, labels });
    handle.update({ measurements: [...measurements], failures: [...failures] });
  }
  return { measurements, failures };
}
