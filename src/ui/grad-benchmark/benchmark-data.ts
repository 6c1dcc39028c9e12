/**
 * What <grad-benchmark> computes from its runs, as pure data: the specs it runs, how each
 * backend's row is labelled (a SwiftShader adapter is software emulation, a WebGPU run that fell
 * back to the CPU is the CPU), the per-kernel table with GFLOP/s and shares, the whole-run summary
 * with speedups and the largest relative error against cpu64 (verify.ts compareRuns), the charts,
 * and the size sweep's grid and plot.
 */
import { isSoftwareAdapter } from '../../backends/webgpu/adapter.ts';
import { median, medianIndex } from '../../engine/experiment.ts';
import { layerSizes } from '../../engine/problem.ts';
import { KERNEL_NAMES, type KernelName, type RunResult } from '../../engine/results.ts';
import {
  estimateRunBytes,
  MEMORY_BUDGET_BYTES,
  parseSpec,
  SpecError,
  type BackendName,
  type RunSpec,
} from '../../engine/spec.ts';
import { compareRuns, type VerifyReport } from '../../engine/verify.ts';
import { gflopsPerSecond, passFlops, runFlops } from '../../engine/work.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

/** The backends a benchmark runs, in table order; cpu64 is the reference. */
export const BENCHMARK_BACKENDS = [
  'webgpu',
  'cpu',
  'cpu64',
] as const satisfies readonly BackendName[];

/** Timed runs per backend by default: the first pays for warm-up, the rest are steady state. */
export const DEFAULT_TIMED_RUNS = 5;
/** Fewest timed runs: a median of steady-state runs needs at least three. */
export const MIN_TIMED_RUNS = 3;
export const MAX_TIMED_RUNS = 50;

/** How each kernel is named in the table and the chart. */
export const KERNEL_LABELS: Record<KernelName, string> = {
  forward: 'forward matmul W·a + b',
  activation: 'activation φ, φ′ and δ = g ⊙ φ′',
  backward: 'backward matmul Wᵀ·δ',
  weightGradient: 'weight gradient δ·aᵀ and its norm',
  reductions: 'reductions: statistics and loss',
  batchnorm: 'batch normalization',
};

/** The workload the reader sets: the lab's spec with these sizes and this many timed runs. */
export interface WorkloadSize {
  readonly depth: number;
  readonly width: number;
  readonly batch: number;
  readonly repeat: number;
}

/**
 * The benchmark's spec: the lab's, with the reader's sizes (as typed, validated by the one spec
 * parser, so a bad value is a SpecError naming its field) on `backend`.
 */
export function workloadSpec(
  base: RunSpec,
  size: Readonly<Record<keyof WorkloadSize, string | number>>,
  backend: BackendName,
): RunSpec {
  const repeat = Number(size.repeat);
  if (
    String(size.repeat).trim() === '' ||
    !Number.isInteger(repeat) ||
    repeat < MIN_TIMED_RUNS ||
    repeat > MAX_TIMED_RUNS
  )
    throw new SpecError(
      'repeat',
      `got "${size.repeat}"; allowed: an integer from ${MIN_TIMED_RUNS} to ${MAX_TIMED_RUNS} ` +
        '(the steady state is a median of the runs after the first)',
    );
  // alpha is passed on as it is: parseSpec otherwise resets it to the activation's default.
  return parseSpec(
    {
      depth: size.depth,
      width: size.width,
      batch: size.batch,
      repeat,
      backend,
      alpha: base.alpha,
    },
    base,
  );
}

/** How a backend's row is labelled, and what kind of speed it shows. */
export interface BackendLabel {
  readonly text: string;
  /**
   * 'gpu': a hardware adapter; 'software': an emulated adapter (SwiftShader, a fallback adapter),
   * never GPU speed; 'fallback': WebGPU was requested but the CPU ran; 'cpu': a CPU backend.
   */
  readonly kind: 'gpu' | 'software' | 'fallback' | 'cpu';
}

export function backendLabel(requested: BackendName, result: RunResult): BackendLabel {
  const ran = result.backend;
  if (requested === 'webgpu' && ran.name !== 'webgpu')
    return { text: `webgpu → fallback: ${ran.name} (${ran.precision})`, kind: 'fallback' };
  if (ran.name === 'webgpu')
    return ran.adapter && isSoftwareAdapter(ran.adapter)
      ? { text: 'webgpu (f32, software emulation: not GPU speed)', kind: 'software' }
      : { text: 'webgpu (f32, GPU)', kind: 'gpu' };
  return { text: `${ran.name} (${ran.precision})`, kind: 'cpu' };
}

/** One backend's finished benchmark. */
export interface BackendRun {
  /** The backend the row asked for (webgpu may have run on the CPU: see backendLabel). */
  readonly requested: BackendName;
  readonly result: RunResult;
  /** Why a webgpu run used the CPU, when it did. */
  readonly fallback: string | null;
}

export interface KernelCell {
  /** Milliseconds in the median run; NaN where the backend has no such separate kernel. */
  readonly ms: number;
  /** GFLOP/s of the matrix products; NaN for elementwise kernels and unmeasurably short times. */
  readonly gflops: number;
  /** Fraction of the median run's time. */
  readonly share: number;
}

export interface BackendSummary {
  readonly requested: BackendName;
  readonly label: BackendLabel;
  readonly fallback: string | null;
  readonly result: RunResult;
  /** Start-up (problem, uploads, compilation) plus the first compute run. */
  readonly firstRunMs: number;
  /** Shader compilation within the start-up (WebGPU). */
  readonly compileMs: number | null;
  /** Median of the timed runs after the first. */
  readonly steadyMs: number;
  /** GFLOP/s of the whole pass's matrix products at the steady state. */
  readonly gflops: number;
  /**
   * The backend's peak GFLOP/s where one was measured (a roofline), else null: nothing is
   * estimated. With it, percentOfPeak is 100 · gflops / peak; NaN without.
   */
  readonly peakGflops: number | null;
  readonly percentOfPeak: number;
  /** cpu64's steady state over this one's (> 1: faster than cpu64); NaN without cpu64. */
  readonly speedupVsCpu64: number;
  readonly speedupVsCpu: number;
  /** The comparison with cpu64's statistics; null for cpu64 itself or without a cpu64 run. */
  readonly check: VerifyReport | null;
  /** Per kernel, in KERNEL_NAMES order (batchnorm only when the spec has it). */
  readonly kernels: ReadonlyMap<KernelName, KernelCell>;
  /** Why there are no per-kernel times, when there are none. */
  readonly kernelsUnavailable: string | null;
  /** How the kernel times were taken. */
  readonly kernelClock: 'cpu-clock' | 'gpu-timestamps' | null;
}

/**
 * The roofs of the CPU rows: the measured one-core SIMD peak of the kernels the cpu backend used
 * (cpu/roofline.ts) times the threads its run used; none for cpu64 (scalar f64, no SIMD peak).
 */
export function cpuPeaks(
  runs: readonly BackendRun[],
  peakGflops: number | null | undefined,
): Partial<Record<BackendName, number>> {
  const cpu = runs.find((run) => run.result.backend.name === 'cpu');
  if (!cpu || !peakGflops) return {};
  return { cpu: peakGflops * (cpu.result.backend.threads ?? 1) };
}

/** The kernels a spec's table lists: batch normalization only when the spec has it. */
export function kernelsOf(spec: RunSpec): KernelName[] {
  return KERNEL_NAMES.filter((name) => name !== 'batchnorm' || spec.batchnorm);
}

/** Median of the runs after the first (the first pays for warm-up); the only run if just one. */
export function steadyStateMs(runsMs: readonly number[]): number {
  if (runsMs.length === 0) return NaN;
  return runsMs.length === 1 ? runsMs[0]! : median(runsMs.slice(1));
}

function kernelCells(result: RunResult): Map<KernelName, KernelCell> {
  const { timings, spec } = result;
  const cells = new Map<KernelName, KernelCell>();
  const kernelsMs = timings.kernelsMs;
  if (!kernelsMs) return cells;
  const runMs = timings.computeRunsMs[medianIndex(timings.computeRunsMs)] ?? NaN;
  const flops: Partial<Record<KernelName, number>> = passFlops(spec);
  for (const name of kernelsOf(spec)) {
    const ms = kernelsMs[name] ?? NaN;
    const work = flops[name];
    cells.set(name, {
      ms,
      gflops: work === undefined ? NaN : gflopsPerSecond(work, ms),
      share: ms / runMs,
    });
  }
  return cells;
}

/**
 * The summary rows, in BENCHMARK_BACKENDS order, with speedups and errors against cpu64, and the
 * share of each backend's peak where `peaks` gives one measured (GFLOP/s by backend).
 */
export function summarize(
  runs: readonly BackendRun[],
  peaks: Readonly<Partial<Record<BackendName, number>>> = {},
): BackendSummary[] {
  const steady = (run: BackendRun | undefined) =>
    run ? steadyStateMs(run.result.timings.computeRunsMs) : NaN;
  const reference = runs.find((run) => run.requested === 'cpu64');
  const cpu = runs.find((run) => run.requested === 'cpu');
  return runs.map((run) => {
    const { result } = run;
    const { timings, spec } = result;
    const steadyMs = steady(run);
    const check =
      reference && run !== reference
        ? compareRuns(
            result.stats,
            reference.result.stats,
            layerSizes(spec),
            spec.batch,
            result.backend.precision,
          )
        : null;
    const gflops = gflopsPerSecond(runFlops(spec), steadyMs);
    // A peak belongs to the backend that ran (a webgpu row that fell back ran on the CPU).
    const peak = peaks[result.backend.name];
    const peakGflops = peak !== undefined && peak > 0 ? peak : null;
    return {
      requested: run.requested,
      label: backendLabel(run.requested, result),
      fallback: run.fallback,
      result,
      firstRunMs: timings.initMs + (timings.computeRunsMs[0] ?? NaN),
      compileMs: timings.compileMs ?? null,
      steadyMs,
      gflops,
      peakGflops,
      percentOfPeak: peakGflops === null ? NaN : (100 * gflops) / peakGflops,
      speedupVsCpu64: steady(reference) / steadyMs,
      speedupVsCpu: steady(cpu) / steadyMs,
      check,
      kernels: kernelCells(result),
      kernelsUnavailable:
        timings.kernelsUnavailable ?? (timings.kernelsMs ? null : 'no per-kernel times'),
      kernelClock: timings.kernelClock ?? null,
    };
  });
}

/** Why a kernel has no time of its own on a backend (webgpu fuses the activation). */
export function missingKernelNote(summary: BackendSummary, kernel: KernelName): string {
  if (summary.kernelsUnavailable) return summary.kernelsUnavailable;
  if (kernel === 'activation' && summary.result.backend.name === 'webgpu')
    return 'fused into the forward and backward matmuls';
  return 'not measured';
}

/**
 * Grouped bars: x = 1 … K for the kernels (kernelsOf) and K + 1 for the whole run, one series
 * per backend with its milliseconds (kernels: the median run; whole run: the steady state).
 */
export function kernelChart(summaries: readonly BackendSummary[]): ChartData | null {
  if (summaries.length === 0) return null;
  const kernels = kernelsOf(summaries[0]!.result.spec);
  return {
    x: [...kernels, 'total'].map((_name, i) => i + 1),
    series: summaries.map((summary) => ({
      label: summary.label.text,
      // null: this backend has no separate kernel of that name (e.g. WebGPU fuses φ into the
      // matmuls): no bar, and not counted as overflow.
      values: [
        ...kernels.map((name) => {
          const ms = summary.kernels.get(name)?.ms;
          return ms === undefined || Number.isNaN(ms) ? null : ms;
        }),
        summary.steadyMs,
      ],
    })),
  };
}

/** The x positions of kernelChart, labelled. */
export function kernelChartLegend(spec: RunSpec): { x: number; label: string }[] {
  return [
    ...kernelsOf(spec).map((name, i) => ({ x: i + 1, label: KERNEL_LABELS[name] })),
    { x: kernelsOf(spec).length + 1, label: 'whole run (steady state)' },
  ];
}

// ---------------------------------------------------------------------------------------------
// The size sweep

export const DEFAULT_SWEEP_WIDTHS = [64, 128, 256, 512, 1024, 2048] as const;
export const DEFAULT_SWEEP_DEPTHS = [10, 25, 50, 100] as const;
/** The depth of the width sweep and the width of the depth sweep, by default. */
export const DEFAULT_SWEEP_FIXED_DEPTH = 10;
export const DEFAULT_SWEEP_FIXED_WIDTH = 256;
/** Timed runs per sweep point: the steady state is the median of runs 2 and 3. */
export const SWEEP_TIMED_RUNS = 3;

/**
 * A size list as typed ("64, 128, 256"): positive integers within [min, max], at most 12, as a
 * sorted list without repeats; anything else is a SpecError naming `field`.
 */
export function parseSizeList(text: string, field: string, min: number, max: number): number[] {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const allowed = `allowed: a comma-separated list of 1 to 12 integers from ${min} to ${max}`;
  if (parts.length === 0 || parts.length > 12)
    throw new SpecError(field, `got ${parts.length} values; ${allowed}`);
  const values = parts.map((part) => {
    const value = Number(part);
    if (!/^\d+$/.test(part) || value < min || value > max)
      throw new SpecError(field, `"${part}" is not allowed; ${allowed}`);
    return value;
  });
  return [...new Set(values)].sort((a, b) => a - b);
}

export interface SweepPoint {
  /** Which sweep the point belongs to. */
  readonly axis: 'width' | 'depth';
  readonly width: number;
  readonly depth: number;
}

/** Widths at `fixedDepth`, then depths at `fixedWidth`; a workload in both lists runs once. */
export function sweepGrid(
  widths: readonly number[],
  depths: readonly number[],
  fixedDepth: number,
  fixedWidth: number,
): SweepPoint[] {
  const points: SweepPoint[] = widths.map((width) => ({ axis: 'width', width, depth: fixedDepth }));
  for (const depth of depths)
    if (!points.some((point) => point.width === fixedWidth && point.depth === depth))
      points.push({ axis: 'depth', width: fixedWidth, depth });
  return points;
}

/** A sweep point's spec on `backend`. */
export function sweepSpec(base: RunSpec, point: SweepPoint, backend: BackendName): RunSpec {
  return { ...base, width: point.width, depth: point.depth, backend, repeat: SWEEP_TIMED_RUNS };
}

/**
 * Rough sustained GFLOP/s of each backend on one thread, for the sweep's time warning only (never
 * a measurement): cpu64 in V8 and the f32 wasm SIMD kernel on a laptop core; WebGPU is not
 * estimated (a GPU or SwiftShader differ by 10⁴).
 */
export const ROUGH_CPU_GFLOPS: Record<'cpu' | 'cpu64', number> = { cpu: 5, cpu64: 1 };

export interface SweepPlan {
  readonly points: readonly SweepPoint[];
  /** Points a CPU backend cannot hold in its memory budget, with the reason. */
  readonly refused: readonly { point: SweepPoint; backend: BackendName; reason: string }[];
  /** Roughly how long the CPU backends take, in seconds (all timed runs). */
  readonly cpuSeconds: number;
  /** Flops of the largest point's pass. */
  readonly largestFlops: number;
}

export function planSweep(
  base: RunSpec,
  points: readonly SweepPoint[],
  backends: readonly BackendName[],
): SweepPlan {
  const refused: { point: SweepPoint; backend: BackendName; reason: string }[] = [];
  let cpuSeconds = 0;
  let largestFlops = 0;
  for (const point of points) {
    const flops = runFlops(sweepSpec(base, point, 'cpu'));
    largestFlops = Math.max(largestFlops, flops);
    for (const backend of backends) {
      if (backend === 'webgpu') continue;
      const spec = sweepSpec(base, point, backend);
      const bytes = estimateRunBytes(spec);
      if (bytes > MEMORY_BUDGET_BYTES) {
        refused.push({
          point,
          backend,
          reason: `${backend} needs about ${(bytes / 1024 ** 3).toFixed(1)} GiB, over the ${MEMORY_BUDGET_BYTES / 1024 ** 3} GiB budget`,
        });
        continue;
      }
      cpuSeconds += (SWEEP_TIMED_RUNS * flops) / (ROUGH_CPU_GFLOPS[backend] * 1e9);
    }
  }
  return { points, refused, cpuSeconds, largestFlops };
}

/** One measured sweep point: its work and the steady-state time per backend. */
export interface SweepMeasurement {
  readonly point: SweepPoint;
  /** GFLOP of one pass's matrix products. */
  readonly gflop: number;
  /** Steady-state milliseconds by backend; NaN where the run failed or was refused. */
  readonly ms: ReadonlyMap<BackendName, number>;
  /** How each backend's run is labelled (backendLabel), where it ran. */
  readonly labels: ReadonlyMap<BackendName, string>;
}

/**
 * Time against work: x = GFLOP per pass (ascending), one series per backend, milliseconds. On
 * log-log axes a backend's points lie on a line of slope 1 once it is compute bound. A series is
 * labelled as its runs were (a webgpu series that fell back says so).
 */
export function sweepChart(measurements: readonly SweepMeasurement[]): ChartData | null {
  if (measurements.length === 0) return null;
  const sorted = [...measurements].sort((a, b) => a.gflop - b.gflop);
  const backends = BENCHMARK_BACKENDS.filter((backend) =>
    sorted.some((measurement) => measurement.ms.has(backend)),
  );
  return {
    x: sorted.map((measurement) => measurement.gflop),
    series: backends.map((backend) => {
      const labels = new Set(
        sorted.flatMap((measurement) => measurement.labels.get(backend) ?? []),
      );
      return {
        label: labels.size ? [...labels].join(' / ') : backend,
        values: sorted.map((measurement) => measurement.ms.get(backend) ?? NaN),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// The environment

export interface BrandVersion {
  readonly brand: string;
  readonly version: string;
}

/**
 * The browser's name and major version: from navigator.userAgentData's brands where the browser
 * has them (skipping the "Not A Brand" decoys), else from the user-agent string.
 */
export function browserName(userAgent: string, brands?: readonly BrandVersion[]): string {
  const real = (brands ?? []).filter((b) => !/not.?a.?brand/i.test(b.brand));
  const named = real.find((b) => b.brand !== 'Chromium') ?? real[0];
  if (named) return `${named.brand} ${named.version}`;
  const patterns: [RegExp, string][] = [
    [/Edg\/(\d+)/, 'Microsoft Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/HeadlessChrome\/(\d+)/, 'Headless Chrome'],
    [/Chrome\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* .*Safari\//, 'Safari'],
  ];
  for (const [pattern, name] of patterns) {
    const match = pattern.exec(userAgent);
    if (match) return `${name} ${match[1]}`;
  }
  return userAgent.trim() || 'an unknown browser';
}

/** "2.35", "—" where there is nothing to show (elementwise kernels, too-short times). */
/** "2.4%", "—" where no peak was measured. */
export function formatPercent(value: number): string {
  return Number.isFinite(value) ? `${value.toPrecision(2)}%` : '—';
}

export function formatRate(value: number): string {
  return Number.isFinite(value) ? value.toPrecision(3) : '—';
}

export function formatShare(share: number): string {
  return Number.isFinite(share) ? `${(100 * share).toFixed(1)}%` : '—';
}

export function formatSpeedup(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toPrecision(3)}×` : '—';
}

/** The cpu backend's workload on 1, 2, … N threads. */
export interface ThreadRun {
  /** Threads asked for. */
  readonly threads: number;
  readonly result: RunResult;
}

export interface ThreadScalingRow {
  /** Threads the pass actually ran on (from the result). */
  readonly threads: number;
  readonly steadyMs: number;
  /** The one-thread steady state over this one's. */
  readonly speedup: number;
  /** speedup / threads: 1 is perfect scaling. */
  readonly efficiency: number;
}

/** Steady-state time, speed-up and efficiency per thread count (NaN without a one-thread run). */
export function threadScaling(runs: readonly ThreadRun[]): ThreadScalingRow[] {
  const rows = runs.map((run) => ({
    threads: run.result.backend.threads ?? 1,
    steadyMs: steadyStateMs(run.result.timings.computeRunsMs),
  }));
  const one = rows.find((row) => row.threads === 1)?.steadyMs ?? NaN;
  return rows.map((row) => ({
    ...row,
    speedup: one / row.steadyMs,
    efficiency: one / row.steadyMs / row.threads,
  }));
}
