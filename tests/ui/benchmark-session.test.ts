/**
 * runBenchmark through a TaskContext stand-in: every backend is timed (after a warm-up), the roofline measured after
 * them; a roofline the worker could not measure leaves the timings standing (roofline null), and a
 * cancelled benchmark stays cancelled.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import type { Roofline } from '../../src/backends/cpu/roofline.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { parseSpec, type RunSpec } from '../../src/engine/spec.ts';
import {
  BENCHMARK_WARM_UP_MS,
  EMPTY_BENCHMARK,
  runBenchmark,
  type BenchmarkSession,
} from '../../src/ui/grad-benchmark/benchmark-session.ts';
import type { SessionHandle } from '../../src/ui/figures/shared-session.ts';
import type { TaskContext } from '../../src/ui/lab/run-controller.ts';

const BASE = { depth: 2, width: 8, inputs: 8, outputs: 2, batch: 4, repeat: 1 };
const SPECS: RunSpec[] = [
  parseSpec({ ...BASE, backend: 'cpu' }),
  parseSpec({ ...BASE, backend: 'cpu64' }),
];
const ROOFLINE: Roofline = {
  kernel: 'wasm-simd',
  mulAddGflops: 20,
  fusedMulAddGflops: null,
  peakGflops: 20,
  measuredMs: 120,
};

/** A context whose runs are the engine's, and whose roofline is `roofline()`. */
function context(roofline: () => Promise<Roofline>, controller = new AbortController()) {
  const ran: string[] = [];
  const asked: unknown[] = [];
  const task = {
    signal: controller.signal,
    run: async (spec: RunSpec, options?: unknown) => {
      ran.push(spec.backend);
      asked.push(options);
      const backend = createCpuBackend(spec.backend === 'cpu64' ? 'f64' : 'f32');
      return runExperiment(spec, backend);
    },
    roofline,
    setTotal: () => {},
  } as unknown as TaskContext;
  return { task, ran, asked };
}

function handle(): SessionHandle<BenchmarkSession> & { updates: BenchmarkSession[] } {
  const updates: BenchmarkSession[] = [];
  return {
    current: true,
    value: EMPTY_BENCHMARK,
    updates,
    update: (value) => updates.push(value),
    progress: () => {},
    end: () => {},
    drop: () => {},
  };
}

describe('runBenchmark', () => {
  it('times every backend, then measures the roofline', async () => {
    const { task, ran, asked } = context(async () => ROOFLINE);
    const session = await runBenchmark(task, handle(), SPECS, () => null);
    expect(ran).toEqual(['cpu', 'cpu64']);
    // Each a timing of its own, its steady state after a warm-up.
    expect(asked).toEqual([
      { fresh: true, warmUpMs: BENCHMARK_WARM_UP_MS },
      { fresh: true, warmUpMs: BENCHMARK_WARM_UP_MS },
    ]);
    expect(session.backendRuns.map((run) => run.requested)).toEqual(['cpu', 'cpu64']);
    expect(session.roofline).toEqual(ROOFLINE);
  });

  it('keeps the timings when the roofline cannot be measured', async () => {
    const { task } = context(() => Promise.reject(new Error('the CPU worker crashed')));
    const updates = handle();
    const session = await runBenchmark(task, updates, SPECS, () => null);
    expect(session.backendRuns).toHaveLength(2);
    expect(session.roofline).toBeNull();
    expect(updates.updates.at(-1)).toEqual(session);
  });

  it('stays cancelled when cancelled while measuring the roofline', async () => {
    const controller = new AbortController();
    const { task } = context(() => {
      controller.abort();
      return Promise.reject(new DOMException('The run was cancelled', 'AbortError'));
    }, controller);
    await expect(runBenchmark(task, handle(), SPECS, () => null)).rejects.toThrow('cancelled');
  });
});
