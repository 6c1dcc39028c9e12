/**
 * An experiment: build the problem from a spec, load it into a backend, run it `repeat` times and
 * report the statistics of the last run with the timings (initMs, and computeMs as the median).
 */
import type { Backend, ComputeOptions } from './backend.ts';
import { problemFromSpec } from './problem.ts';
import type { LayerStatistics, RunResult } from './results.ts';
import type { RunSpec } from './spec.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runExperiment(
  spec: RunSpec,
  backend: Backend,
  options: ComputeOptions = {},
): Promise<RunResult> {
  const initStart = performance.now();
  const prepared = await backend.prepare(problemFromSpec(spec));
  const initMs = performance.now() - initStart;
  try {
    const runsMs: number[] = [];
    let stats: LayerStatistics | undefined;
    for (let run = 0; run < spec.repeat; run++) {
      const start = performance.now();
      stats = await prepared.compute(options);
      runsMs.push(performance.now() - start);
    }
    return {
      spec,
      backend: backend.info,
      timings: {
        initMs,
        ...(prepared.compileMs !== undefined ? { compileMs: prepared.compileMs } : {}),
        computeMs: median(runsMs),
        computeRunsMs: runsMs,
      },
      stats: stats!,
    };
  } finally {
    prepared.dispose();
  }
}
