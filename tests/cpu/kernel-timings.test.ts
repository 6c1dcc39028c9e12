/**
 * Per-kernel times of the CPU backends: every kernel of results.ts is measured (batchnorm only when
 * the spec has it), none is negative, and together they fit inside the run they belong to. No
 * assertion is about speed.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { loadNetwork, runNetworkPass } from '../../src/backends/cpu/network-pass.ts';
import { F64_KERNELS } from '../../src/backends/cpu/kernels-f64.ts';
import { medianIndex, runExperiment } from '../../src/engine/experiment.ts';
import { buildProblem } from '../../src/engine/problem.ts';
import { KERNEL_NAMES, type KernelName } from '../../src/engine/results.ts';
import { parseSpec, type RunSpec } from '../../src/engine/spec.ts';

const SPEC = parseSpec({ depth: 6, width: 48, inputs: 32, outputs: 4, batch: 16, repeat: 3 });

function sum(kernels: Partial<Record<KernelName, number>>): number {
  return Object.values(kernels).reduce((total, ms) => total + ms, 0);
}

describe.each([
  ['cpu', 'f32'],
  ['cpu64', 'f64'],
] as const)('%s kernel timings', (backend, precision) => {
  it.each([
    ['plain', {}],
    ['batchnorm and residual', { batchnorm: true, residual: true }],
  ] as const)('%s: every kernel timed, none negative, within the run', async (_name, extra) => {
    const spec: RunSpec = { ...SPEC, ...extra, backend };
    const result = await runExperiment(spec, createCpuBackend(precision));
    const { kernelsMs, kernelClock, computeRunsMs, computeMs, kernelsUnavailable } = result.timings;
    expect(kernelsUnavailable).toBeUndefined();
    expect(kernelClock).toBe('cpu-clock');
    expect(kernelsMs).toBeDefined();
    expect(Object.keys(kernelsMs!).sort()).toEqual([...KERNEL_NAMES].sort());
    for (const name of KERNEL_NAMES) {
      expect(Number.isFinite(kernelsMs![name])).toBe(true);
      expect(kernelsMs![name]).toBeGreaterThanOrEqual(0);
    }
    if (!spec.batchnorm) expect(kernelsMs!.batchnorm).toBe(0);
    // The kernels are those of the median run, which never takes longer than the median.
    const median = computeRunsMs[medianIndex(computeRunsMs)]!;
    expect(median).toBeLessThanOrEqual(computeMs);
    expect(sum(kernelsMs!)).toBeLessThanOrEqual(median);
  });
});

describe('runNetworkPass kernel times', () => {
  it('fills the record it is given and leaves the statistics unchanged', () => {
    const problem = buildProblem({ ...SPEC, batchnorm: true });
    const plain = runNetworkPass(loadNetwork(problem, F64_KERNELS));
    const kernelsMs = {} as Record<KernelName, number>;
    const start = performance.now();
    const timed = runNetworkPass(loadNetwork(problem, F64_KERNELS), { kernelsMs });
    const wholeMs = performance.now() - start;
    expect(Array.from(timed.gradNorm)).toEqual(Array.from(plain.gradNorm));
    expect(timed.loss).toBe(plain.loss);
    for (const name of KERNEL_NAMES) expect(kernelsMs[name]).toBeGreaterThanOrEqual(0);
    // Work was done in the matmuls: their clocks moved (the pass takes far over a microsecond).
    expect(kernelsMs.forward + kernelsMs.weightGradient + kernelsMs.backward).toBeGreaterThan(0);
    expect(sum(kernelsMs)).toBeLessThanOrEqual(wholeMs);
  });

  it('does not count the time spent in onWeightGradient', () => {
    const problem = buildProblem(SPEC);
    const kernelsMs = {} as Record<KernelName, number>;
    const pauseMs = 5;
    let paused = 0;
    const start = performance.now();
    runNetworkPass(loadNetwork(problem, F64_KERNELS), {
      kernelsMs,
      onWeightGradient: () => {
        const until = performance.now() + pauseMs;
        while (performance.now() < until) paused++;
      },
    });
    const wholeMs = performance.now() - start;
    const layers = SPEC.depth + 1;
    expect(paused).toBeGreaterThan(0);
    expect(sum(kernelsMs)).toBeLessThanOrEqual(wholeMs - layers * pauseMs);
  });
});

describe('medianIndex', () => {
  it('picks the middle run, the lower middle one for an even count', () => {
    expect(medianIndex([5, 1, 3])).toBe(2);
    expect(medianIndex([4, 1, 3, 2])).toBe(3);
    expect(medianIndex([7])).toBe(0);
  });
});
