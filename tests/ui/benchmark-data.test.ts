import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { medianIndex, runExperiment } from '../../src/engine/experiment.ts';
import { layerSizes } from '../../src/engine/problem.ts';
import type { AdapterInfo, RunResult } from '../../src/engine/results.ts';
import { parseSpec, SpecError, type RunSpec } from '../../src/engine/spec.ts';
import { compareRuns } from '../../src/engine/verify.ts';
import { passFlops, runFlops } from '../../src/engine/work.ts';
import {
  backendLabel,
  browserName,
  cpuPeaks,
  kernelChart,
  kernelChartLegend,
  kernelsOf,
  missingKernelNote,
  parseSizeList,
  planSweep,
  steadyStateMs,
  summarize,
  sweepChart,
  sweepGrid,
  workloadSpec,
  type BackendRun,
} from '../../src/ui/grad-benchmark/benchmark-data.ts';

const SPEC = parseSpec({ depth: 3, width: 16, inputs: 16, outputs: 4, batch: 8, repeat: 3 });
const SWIFTSHADER: AdapterInfo = {
  vendor: 'google',
  architecture: 'swiftshader',
  description: 'SwiftShader Device (Subzero)',
  isFallbackAdapter: false,
};
const HARDWARE: AdapterInfo = {
  vendor: 'nvidia',
  architecture: 'hopper',
  description: 'NVIDIA H200',
  isFallbackAdapter: false,
};

async function cpuRun(spec: RunSpec, backend: 'cpu' | 'cpu64'): Promise<RunResult> {
  return runExperiment({ ...spec, backend }, createCpuBackend(backend === 'cpu64' ? 'f64' : 'f32'));
}

/** A result relabelled as a webgpu run on `adapter`, with hand-set timings. */
function asWebGpu(result: RunResult, adapter: AdapterInfo): RunResult {
  return {
    ...result,
    spec: { ...result.spec, backend: 'webgpu' },
    backend: { name: 'webgpu', precision: 'f32', adapter },
    timings: {
      initMs: 900,
      compileMs: 800,
      computeMs: 4,
      computeRunsMs: [10, 4, 2],
      kernelsMs: { forward: 1, backward: 0.5, weightGradient: 0.5, reductions: 1 },
      kernelClock: 'gpu-timestamps',
    },
  };
}

describe('flop counts (work.ts)', () => {
  it('counts 2·m·k·n per product, with no backward product into the input layer', () => {
    const spec = { inputs: 3, width: 5, depth: 2, outputs: 2, batch: 7 };
    // Layers 3→5, 5→5, 5→2.
    const products = 3 * 5 + 5 * 5 + 5 * 2;
    expect(passFlops(spec)).toEqual({
      forward: 2 * 7 * products,
      weightGradient: 2 * 7 * products,
      backward: 2 * 7 * (5 * 5 + 5 * 2),
    });
    expect(runFlops(spec)).toBe(2 * 7 * (2 * products + 5 * 5 + 5 * 2));
  });
});

describe('workloadSpec', () => {
  it('takes the sizes as typed and the rest from the lab, alpha included', () => {
    const base = parseSpec({ activation: 'leaky_relu', alpha: 0.3, seed: 7 });
    const spec = workloadSpec(base, { depth: '4', width: '32', batch: '16', repeat: '5' }, 'cpu64');
    expect(spec).toMatchObject({ depth: 4, width: 32, batch: 16, repeat: 5, backend: 'cpu64' });
    expect(spec.alpha).toBe(0.3);
    expect(spec.seed).toBe(7);
  });

  it('names the field of a bad size and what is allowed', () => {
    const size = { depth: '4', width: '32', batch: '16', repeat: '5' };
    expect(() => workloadSpec(SPEC, { ...size, width: '0' }, 'cpu')).toThrow(SpecError);
    try {
      workloadSpec(SPEC, { ...size, width: 'wide' }, 'cpu');
      expect.unreachable();
    } catch (error) {
      expect((error as SpecError).field).toBe('width');
    }
    try {
      workloadSpec(SPEC, { ...size, repeat: '2' }, 'cpu');
      expect.unreachable();
    } catch (error) {
      expect((error as SpecError).field).toBe('repeat');
      expect((error as SpecError).detail).toContain('from 3 to 50');
    }
  });
});

describe('backendLabel', () => {
  it('labels software emulation, hardware, CPU, and a WebGPU run that fell back', async () => {
    const cpu = await cpuRun(SPEC, 'cpu');
    expect(backendLabel('webgpu', asWebGpu(cpu, SWIFTSHADER))).toEqual({
      text: 'webgpu (f32, software emulation: not GPU speed)',
      kind: 'software',
    });
    expect(
      backendLabel('webgpu', asWebGpu(cpu, { ...HARDWARE, isFallbackAdapter: true })).kind,
    ).toBe('software');
    expect(backendLabel('webgpu', asWebGpu(cpu, HARDWARE))).toEqual({
      text: 'webgpu (f32, GPU)',
      kind: 'gpu',
    });
    expect(backendLabel('webgpu', cpu)).toEqual({
      text: 'webgpu → fallback: cpu (f32)',
      kind: 'fallback',
    });
    expect(backendLabel('cpu', cpu)).toEqual({ text: 'cpu (f32)', kind: 'cpu' });
  });
});

describe('summarize', () => {
  it('gives first run, steady state, speedups, GFLOP/s and the error against cpu64', async () => {
    const spec = { ...SPEC, batchnorm: true };
    const cpu64 = await cpuRun(spec, 'cpu64');
    const cpu = await cpuRun(spec, 'cpu');
    const gpu = asWebGpu(cpu, SWIFTSHADER);
    const runs: BackendRun[] = [
      { requested: 'webgpu', result: gpu, fallback: null },
      { requested: 'cpu', result: cpu, fallback: null },
      { requested: 'cpu64', result: cpu64, fallback: null },
    ];
    const [g, c, r] = summarize(runs);
    expect(g!.firstRunMs).toBe(910);
    expect(g!.compileMs).toBe(800);
    expect(g!.steadyMs).toBe(3); // median of runs 2 and 3
    expect(g!.gflops).toBeCloseTo(runFlops(spec) / 3e6, 12);
    const steady64 = steadyStateMs(cpu64.timings.computeRunsMs);
    expect(g!.speedupVsCpu64).toBeCloseTo(steady64 / 3, 12);
    expect(c!.speedupVsCpu).toBe(1);
    expect(r!.speedupVsCpu64).toBe(1);
    expect(r!.check).toBeNull();
    const expected = compareRuns(cpu.stats, cpu64.stats, layerSizes(spec), spec.batch, 'f32');
    expect(c!.check!.maxRelativeError).toBe(expected.maxRelativeError);
    expect(c!.check!.pass).toBe(true);
    // Per kernel: the median run's times; GFLOP/s for the matmuls only; shares of that run.
    const median = cpu.timings.computeRunsMs[medianIndex(cpu.timings.computeRunsMs)]!;
    const forward = c!.kernels.get('forward')!;
    expect(forward.ms).toBe(cpu.timings.kernelsMs!.forward);
    expect(forward.share).toBeCloseTo(forward.ms / median, 12);
    expect(Number.isNaN(c!.kernels.get('activation')!.gflops)).toBe(true);
    expect([...c!.kernels.keys()]).toEqual(kernelsOf(spec));
    expect(kernelsOf(spec)).toContain('batchnorm');
    // webgpu fuses the activation into the matmuls: no time of its own, and the table says why.
    expect(Number.isNaN(g!.kernels.get('activation')!.ms)).toBe(true);
    expect(missingKernelNote(g!, 'activation')).toContain('fused');
    expect(g!.kernels.get('forward')!.gflops).toBeCloseTo(passFlops(spec).forward / 1e6, 9);
  });

  it('passes on why a backend has no kernel times', async () => {
    const cpu = await cpuRun(SPEC, 'cpu');
    const gpu = asWebGpu(cpu, SWIFTSHADER);
    const untimed: RunResult = {
      ...gpu,
      timings: {
        initMs: 1,
        computeMs: 1,
        computeRunsMs: [1, 1, 1],
        kernelsUnavailable: 'the adapter has no timestamp-query',
      },
    };
    const [summary] = summarize([{ requested: 'webgpu', result: untimed, fallback: null }]);
    expect(summary!.kernels.size).toBe(0);
    expect(summary!.kernelsUnavailable).toBe('the adapter has no timestamp-query');
    expect(missingKernelNote(summary!, 'forward')).toBe('the adapter has no timestamp-query');
    expect(Number.isNaN(summary!.speedupVsCpu64)).toBe(true);
  });

  it('gives a share of the peak only where a peak was measured, for the backend that ran', async () => {
    const cpu = await cpuRun(SPEC, 'cpu');
    const cpu64 = await cpuRun(SPEC, 'cpu64');
    const runs: BackendRun[] = [
      // A webgpu row that fell back ran on the CPU: the CPU's peak is its peak.
      { requested: 'webgpu', result: cpu, fallback: 'no navigator.gpu' },
      { requested: 'cpu', result: cpu, fallback: null },
      { requested: 'cpu64', result: cpu64, fallback: null },
    ];
    for (const summary of summarize(runs)) {
      expect(summary.peakGflops).toBeNull();
      expect(Number.isNaN(summary.percentOfPeak)).toBe(true);
    }
    const [fellBack, c, r] = summarize(runs, { cpu: 40, webgpu: 1000 });
    expect(c!.peakGflops).toBe(40);
    expect(c!.percentOfPeak).toBeCloseTo((100 * c!.gflops) / 40, 12);
    expect(fellBack!.peakGflops).toBe(40);
    expect(r!.peakGflops).toBeNull();
    expect(Number.isNaN(r!.percentOfPeak)).toBe(true);
  });

  it("takes the cpu row's roof from the measured one-core peak times the threads it ran on", async () => {
    const one = await cpuRun(SPEC, 'cpu');
    const cpu64 = await cpuRun(SPEC, 'cpu64');
    const runs = (threads: number): BackendRun[] => [
      {
        requested: 'cpu',
        result: { ...one, backend: { ...one.backend, threads } },
        fallback: null,
      },
      { requested: 'cpu64', result: cpu64, fallback: null },
    ];
    expect(cpuPeaks(runs(1), 40)).toEqual({ cpu: 40 });
    expect(cpuPeaks(runs(2), 40)).toEqual({ cpu: 80 });
    // No SIMD peak (the TypeScript kernels) or none measured yet: no roof, nothing estimated.
    expect(cpuPeaks(runs(2), null)).toEqual({});
    expect(cpuPeaks(runs(2), undefined)).toEqual({});
    expect(cpuPeaks([{ requested: 'cpu64', result: cpu64, fallback: null }], 40)).toEqual({});
  });
});

describe('kernelChart', () => {
  it('puts the kernels at 1 … K and the whole run at K + 1, one series per backend', async () => {
    const cpu = await cpuRun(SPEC, 'cpu');
    const cpu64 = await cpuRun(SPEC, 'cpu64');
    const summaries = summarize([
      { requested: 'cpu', result: cpu, fallback: null },
      { requested: 'cpu64', result: cpu64, fallback: null },
    ]);
    const chart = kernelChart(summaries)!;
    const kernels = kernelsOf(SPEC);
    expect(kernels).not.toContain('batchnorm');
    expect(Array.from(chart.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(chart.series.map((s) => s.label)).toEqual(['cpu (f32)', 'cpu64 (f64)']);
    expect(Array.from(chart.series[1]!.values)).toEqual([
      ...kernels.map((name) => cpu64.timings.kernelsMs![name]),
      steadyStateMs(cpu64.timings.computeRunsMs),
    ]);
    expect(kernelChartLegend(SPEC).at(-1)).toEqual({ x: 6, label: 'whole run (steady state)' });
    expect(kernelChart([])).toBeNull();
  });
});

describe('the size sweep', () => {
  it('parses size lists, naming the field of a bad one', () => {
    expect(parseSizeList('256, 64 128,64', 'sweep widths', 1, 16384)).toEqual([64, 128, 256]);
    expect(() => parseSizeList('64, 0', 'sweep widths', 1, 16384)).toThrow(/"0" is not allowed/);
    expect(() => parseSizeList('', 'sweep depths', 1, 1000)).toThrow(SpecError);
    expect(() => parseSizeList('1.5', 'sweep depths', 1, 1000)).toThrow(/1 to 12 integers/);
    try {
      parseSizeList('64, x', 'sweep widths', 1, 16384);
    } catch (error) {
      expect((error as SpecError).field).toBe('sweep widths');
    }
  });

  it('builds widths at a fixed depth, then depths at a fixed width, without repeats', () => {
    expect(sweepGrid([64, 256], [10, 25], 10, 256)).toEqual([
      { axis: 'width', width: 64, depth: 10 },
      { axis: 'width', width: 256, depth: 10 },
      { axis: 'depth', width: 256, depth: 25 },
    ]);
  });

  it('estimates CPU time and refuses points over the memory budget', () => {
    const points = sweepGrid([64, 16384], [], 1000, 64);
    const plan = planSweep(SPEC, points, ['webgpu', 'cpu64']);
    expect(plan.refused.map((entry) => [entry.point.width, entry.backend])).toEqual([
      [16384, 'cpu64'],
    ]);
    expect(plan.refused[0]!.reason).toContain('GiB');
    expect(plan.cpuSeconds).toBeGreaterThan(0);
    expect(plan.largestFlops).toBe(runFlops({ ...SPEC, width: 16384, depth: 1000 }));
  });

  it('plots time against work, ascending, one series per backend, gaps where a run failed', () => {
    const small = { axis: 'width' as const, width: 64, depth: 10 };
    const large = { axis: 'width' as const, width: 128, depth: 10 };
    const chart = sweepChart([
      {
        point: large,
        gflop: 2,
        ms: new Map([
          ['cpu', 20],
          ['webgpu', NaN],
        ]),
        labels: new Map([['cpu', 'cpu (f32)']]),
      },
      {
        point: small,
        gflop: 0.5,
        ms: new Map([
          ['cpu', 5],
          ['webgpu', 1],
        ]),
        labels: new Map([
          ['cpu', 'cpu (f32)'],
          ['webgpu', 'webgpu → fallback: cpu (f32)'],
        ]),
      },
    ])!;
    expect(Array.from(chart.x)).toEqual([0.5, 2]);
    expect(chart.series.map((s) => s.label)).toEqual(['webgpu → fallback: cpu (f32)', 'cpu (f32)']);
    expect(Array.from(chart.series[0]!.values)).toEqual([1, NaN]);
    expect(Array.from(chart.series[1]!.values)).toEqual([5, 20]);
    expect(sweepChart([])).toBeNull();
  });
});

describe('browserName', () => {
  it('prefers the brands of userAgentData, skipping decoys and plain Chromium', () => {
    expect(
      browserName('', [
        { brand: 'Not)A;Brand', version: '99' },
        { brand: 'Chromium', version: '140' },
        { brand: 'Google Chrome', version: '140' },
      ]),
    ).toBe('Google Chrome 140');
    expect(browserName('', [{ brand: 'Chromium', version: '140' }])).toBe('Chromium 140');
  });

  it('reads the user-agent string otherwise', () => {
    expect(
      browserName('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'),
    ).toBe('Firefox 128');
    expect(
      browserName(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      ),
    ).toBe('Safari 17');
    expect(
      browserName(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0',
      ),
    ).toBe('Microsoft Edge 140');
    expect(browserName('')).toBe('an unknown browser');
  });
});
