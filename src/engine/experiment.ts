/**
 * An experiment: build the problem from a spec, load it into a backend, run it `repeat` times and
 * report the statistics of the last run with the timings (initMs, computeMs as the median, and
 * the per-kernel times of the median run where the backend measures them).
 * A problem built by hand (a verification subset, the notebook's shared stream) runs through the
 * same path with runSource.
 */
import type { Backend, ComputeOptions, PreparedRun } from './backend.ts';
import {
  layerSizes,
  problemFrom,
  problemFromSpec,
  type Problem,
  type ProblemSource,
} from './problem.ts';
import type { KernelTimes, LayerStatistics, RunResult, RunTimings } from './results.ts';
import type { RunSpec } from './spec.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `run` until `ms` have passed, at least once, awaiting each run; returns how many runs that
 * took. The warm-up before timed runs, here (ExperimentOptions.warmUpMs) and in `npm run bench`.
 */
export async function warmUp(run: () => unknown, ms: number): Promise<number> {
  const start = performance.now();
  let runs = 0;
  do {
    await run();
    runs++;
  } while (performance.now() - start < ms);
  return runs;
}

/** How an experiment runs: as a pass (ComputeOptions), with an optional warm-up. */
export interface ExperimentOptions extends ComputeOptions {
  /**
   * Milliseconds of untimed passes after the first run and before the others (default none), so
   * that runs 2 … repeat time the steady state: the first run stays the cold one. A benchmark
   * asks for this; a two-thread CPU pass takes its first passes to warm up (docs/benchmarks.md).
   */
  readonly warmUpMs?: number;
}

export function runExperiment(
  spec: RunSpec,
  backend: Backend,
  options: ExperimentOptions = {},
): Promise<RunResult> {
  return runSource(problemFromSpec(spec), backend, options);
}

/** Loads a source into a backend and runs it `source.spec.repeat` times. */
export async function runSource(
  source: ProblemSource,
  backend: Backend,
  options: ExperimentOptions = {},
): Promise<RunResult> {
  const spec = source.spec;
  const initStart = performance.now();
  const prepared = await backend.prepare(source, {
    signal: options.signal,
    onPhase: options.onPhase,
    onProgress: options.onProgress,
  });
  const initMs = performance.now() - initStart;
  try {
    const runsMs: number[] = [];
    const runsKernelsMs: (KernelTimes | null)[] = [];
    let stats: LayerStatistics | undefined;
    for (let run = 0; run < spec.repeat; run++) {
      if (run === 1 && options.warmUpMs) {
        // A task apart each pass: a page running it (no worker) paints, and a cancel is heard.
        await warmUp(async () => {
          await new Promise((resolve) => setTimeout(resolve, 0));
          options.signal?.throwIfAborted();
          await prepared.compute(options);
        }, options.warmUpMs);
      }
      options.signal?.throwIfAborted();
      const start = performance.now();
      stats = await prepared.compute(options);
      runsMs.push(performance.now() - start);
      runsKernelsMs.push(prepared.lastKernelsMs?.() ?? null);
    }
    return {
      spec,
      backend: backend.info,
      timings: {
        initMs,
        ...(prepared.compileMs !== undefined ? { compileMs: prepared.compileMs } : {}),
        computeMs: median(runsMs),
        computeRunsMs: runsMs,
        ...kernelTimings(prepared, runsMs, runsKernelsMs),
      },
      stats: stats!,
    };
  } finally {
    prepared.dispose();
  }
}

/** The index of the median run: the lower middle one for an even count (never above the median). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((_value, i) => i).sort((a, b) => values[a]! - values[b]!);
  return order[(order.length - 1) >> 1]!;
}

/** The per-kernel part of RunTimings: the median run's kernel times, or why there are none. */
function kernelTimings(
  prepared: PreparedRun,
  runsMs: readonly number[],
  runsKernelsMs: readonly (KernelTimes | null)[],
): Pick<RunTimings, 'kernelsMs' | 'kernelClock' | 'kernelsUnavailable'> {
  const timing = prepared.kernelTiming;
  if (!timing) return {};
  if ('unavailable' in timing) return { kernelsUnavailable: timing.unavailable };
  const kernelsMs = runsKernelsMs[medianIndex(runsMs)];
  return kernelsMs
    ? { kernelsMs, kernelClock: timing.clock }
    : { kernelsUnavailable: 'the backend measured no kernel times in the median run' };
}

/**
 * A problem built by hand, on `backend`: its spec says the backend that ran it. Used by the CPU
 * worker and the page's runner, so a hand-built problem runs exactly like a spec.
 */
export function runProblemOn(
  problem: Problem,
  backend: Backend,
  options: ExperimentOptions = {},
): Promise<RunResult> {
  const shapeError = problemShapeError(problem);
  if (shapeError)
    return Promise.reject(new Error(`the problem does not fit its spec: ${shapeError}`));
  const spec = { ...problem.spec, backend: backend.info.name };
  return runSource(problemFrom({ ...problem, spec }), backend, options);
}

/** What is wrong with a hand-built problem's array shapes, or null when they fit its spec. */
export function problemShapeError(problem: Problem): string | null {
  const { spec, sizes } = problem;
  const expected = layerSizes(spec);
  if (sizes.length !== expected.length || sizes.some((n, i) => n !== expected[i]))
    return `sizes ${sizes.join('×')} are not the spec's ${expected.join('×')}`;
  const layers = sizes.length - 1;
  if (problem.weights.length !== layers || problem.biases.length !== layers)
    return `${problem.weights.length} weight and ${problem.biases.length} bias arrays for ${layers} layers`;
  for (let l = 1; l <= layers; l++) {
    const weights = problem.weights[l - 1]!;
    if (weights.length !== sizes[l]! * sizes[l - 1]!)
      return `W of layer ${l} has ${weights.length} values, not ${sizes[l]} × ${sizes[l - 1]}`;
    const bias = problem.biases[l - 1];
    if (bias && bias.length !== sizes[l])
      return `b of layer ${l} has ${bias.length} values, not ${sizes[l]}`;
  }
  if (problem.x.length !== spec.inputs * spec.batch)
    return `X has ${problem.x.length} values, not inputs ${spec.inputs} × batch ${spec.batch}`;
  if (problem.y.length !== spec.outputs * spec.batch)
    return `Y has ${problem.y.length} values, not outputs ${spec.outputs} × batch ${spec.batch}`;
  return null;
}
