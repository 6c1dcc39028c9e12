/**
 * The CPU sections of `npm run bench` beyond the main comparison (bench/run.ts): the roofline of
 * the main workload, a wide workload (50 hidden layers × 1024 × batch 256) on 1 to N threads, and
 * training on 1 to N threads. Timings, never tests.
 */
import { createCpuBackend } from '../src/backends/cpu/cpu-backend.ts';
import type { LaneTeam } from '../src/backends/cpu/lanes.ts';
import type { Roofline } from '../src/backends/cpu/roofline.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
} from '../src/backends/cpu/training.ts';
import { median, medianIndex, warmUp } from '../src/engine/experiment.ts';
import { problemFromSpec } from '../src/engine/problem.ts';
import type { CpuKernelName, KernelTimes } from '../src/engine/results.ts';
import { parallelEfficiency, passRoofline, type PassRoofline } from '../src/engine/roofline.ts';
import { parseSpec, type RunSpec } from '../src/engine/spec.ts';
import { WARM_UP_MS } from './warm-up.ts';

/** A gradlab cpu configuration to time: precision, threads (default 1), f32 kernels. */
export interface CpuConfig {
  readonly precision: 'f32' | 'f64';
  readonly threads?: number;
  readonly kernel?: CpuKernelName;
}

/** One gradlab cpu measurement: a workload on one configuration. */
export interface CpuRun {
  readonly threads: number;
  /** The f32 kernels (undefined for cpu64). */
  readonly kernel: CpuKernelName | undefined;
  readonly medianMs: number;
  readonly runsMs: number[];
  /** Milliseconds per kernel in the median run. */
  readonly kernelsMs: KernelTimes | null;
  /** ‖δ⁽ˡ⁾‖ of the last run. */
  readonly gradNorm: Float64Array;
  readonly roofline: PassRoofline | null;
}

/** Something timed in the same turns as gradlab's configurations: a TF.js peer. */
export interface TurnTaker {
  run(): Promise<unknown>;
  /** Where its timed runs go, ms. */
  readonly runsMs: number[];
}

/**
 * Times `repeat` passes of `spec` on each configuration, after a warm-up of each (warm-up.ts); the
 * configurations, and `others`, take turns, run by run, so that on a shared machine they meet
 * the same load. `peakOf` gives the peak a run's roofline is against (null: none).
 */
export async function timeCpuRuns(
  spec: RunSpec,
  configs: readonly CpuConfig[],
  team: LaneTeam | null,
  repeat: number,
  peakOf: (run: { kernel: CpuKernelName | undefined }) => number | null,
  others: readonly TurnTaker[] = [],
): Promise<CpuRun[]> {
  const source = problemFromSpec(spec);
  const backends = configs.map((config) =>
    createCpuBackend(config.precision, {
      team,
      threads: config.threads ?? 1,
      kernel: config.kernel,
    }),
  );
  const prepared = [];
  for (const backend of backends) {
    const run = await backend.prepare(source);
    await warmUp(() => run.compute(), WARM_UP_MS);
    prepared.push(run);
  }
  for (const other of others) await warmUp(() => other.run(), WARM_UP_MS);
  const runsMs: number[][] = configs.map(() => []);
  const kernels: (KernelTimes | null)[][] = configs.map(() => []);
  const gradNorms: Float64Array[] = [];
  for (let i = 0; i < repeat; i++) {
    for (let c = 0; c < configs.length; c++) {
      const start = performance.now();
      gradNorms[c] = (await prepared[c]!.compute()).gradNorm;
      runsMs[c]!.push(performance.now() - start);
      kernels[c]!.push(prepared[c]!.lastKernelsMs?.() ?? null);
    }
    for (const other of others) {
      const start = performance.now();
      await other.run();
      other.runsMs.push(performance.now() - start);
    }
  }
  prepared.forEach((run) => run.dispose());
  return configs.map((_, c) => {
    const index = medianIndex(runsMs[c]!);
    const kernelsMs = kernels[c]![index] ?? null;
    const kernel = backends[c]!.info.kernel;
    const peak = peakOf({ kernel });
    return {
      threads: backends[c]!.info.threads ?? 1,
      kernel,
      medianMs: median(runsMs[c]!),
      runsMs: runsMs[c]!,
      kernelsMs,
      gradNorm: gradNorms[c]!,
      roofline:
        kernelsMs && peak !== null ? passRoofline(spec, kernelsMs, runsMs[c]![index]!, peak) : null,
    };
  });
}

/** The wide workload of the issue: 50 hidden layers × 1024 wide × batch 256, tanh. */
export const WIDE_SPEC = parseSpec({
  activation: 'tanh',
  depth: 50,
  width: 1024,
  inputs: 1024,
  outputs: 1024,
  batch: 256,
});

/** Training steps per timed chunk (the lab's chunk), and chunks timed per thread count. */
const TRAIN_STEPS = 10;
const TRAIN_CHUNKS = 5;

export interface TrainingRun {
  readonly threads: number;
  /** Median over chunks of the milliseconds per step. */
  readonly msPerStep: number;
  readonly chunksMs: number[];
}

/**
 * Times SGD training of `spec` (the main workload) on 1 … maxThreads threads: chunks of
 * TRAIN_STEPS steps from the same state, after a warm-up of each (warm-up.ts); the thread counts take
 * turns, chunk by chunk. A chunk is what the lab's worker trains per request: its time includes
 * loading the network.
 */
export async function timeTraining(
  spec: RunSpec,
  team: LaneTeam | null,
  maxThreads: number,
): Promise<TrainingRun[]> {
  const state = createTrainingState(
    { ...spec, backend: 'cpu' },
    parseTrainingOptions({ optimizer: 'sgd', lr: 0.01 }),
  );
  const options = Array.from({ length: maxThreads }, (_, i) => ({
    team: i > 0 ? team : null,
    threads: i + 1,
  }));
  for (const option of options) await warmUp(() => trainSteps(state, 2, option), WARM_UP_MS);
  const chunksMs: number[][] = options.map(() => []);
  for (let i = 0; i < TRAIN_CHUNKS; i++) {
    options.forEach((option, t) => {
      const start = performance.now();
      trainSteps(state, TRAIN_STEPS, option);
      chunksMs[t]!.push(performance.now() - start);
    });
  }
  return options.map((option, t) => ({
    threads: option.threads,
    msPerStep: median(chunksMs[t]!) / TRAIN_STEPS,
    chunksMs: chunksMs[t]!,
  }));
}

const pct = (value: number): string => `${value.toFixed(0)}%`;

/** The peaks, in words. */
export function rooflineLine(roofline: Roofline): string {
  const peaks = [
    roofline.mulAddGflops !== null
      ? `mul + add (SIMD128) ${roofline.mulAddGflops.toFixed(1)} GFLOP/s`
      : 'no WebAssembly SIMD',
    roofline.fusedMulAddGflops !== null
      ? `relaxed_madd (relaxed SIMD) ${roofline.fusedMulAddGflops.toFixed(1)} GFLOP/s`
      : 'relaxed SIMD unavailable in this engine',
  ];
  return (
    `Measured WebAssembly SIMD peak on one core (12 independent f32x4 multiply-add chains in ` +
    `registers, best of 5 samples): ${peaks.join('; ')}. gradlab cpu computes with its ` +
    `${roofline.kernel} kernels. Each row is against the peak of the multiply-add its kernels ` +
    'issue: relaxed_madd for wasm-relaxed-simd, mul + add for wasm-simd.'
  );
}

/** A table: each product's and the whole pass's share of the peak, per gradlab cpu row. */
export function rooflineTable(rows: readonly { name: string; roofline: PassRoofline }[]): string[] {
  if (rows.length === 0) return [];
  const kernelNames = rows[0]!.roofline.kernels.map((k) => k.kernel);
  return [
    `| | ${rows.map((row) => row.name).join(' | ')} |`,
    `|---|${rows.map(() => '---:').join('|')}|`,
    ...kernelNames.map(
      (name, i) =>
        `| ${name} | ${rows
          .map((row) => {
            const k = row.roofline.kernels[i]!;
            return `${k.gflops.toFixed(1)} GFLOP/s, ${pct(k.percentOfPeak)}`;
          })
          .join(' | ')} |`,
    ),
    `| all products | ${rows
      .map(
        (row) =>
          `${row.roofline.products.gflops.toFixed(1)} GFLOP/s, ${pct(row.roofline.products.percentOfPeak)}`,
      )
      .join(' | ')} |`,
    `| whole pass (time the peak allows for the products ÷ time taken) | ${rows
      .map(
        (row) =>
          `${row.roofline.pass.peakMs.toFixed(1)} ÷ ${row.roofline.pass.ms.toFixed(1)} ms = ${pct(row.roofline.pass.percentOfPeak)}`,
      )
      .join(' | ')} |`,
  ];
}

/** Threads against one thread: speed-up and parallel efficiency. */
export function efficiencyTable(
  rows: readonly { threads: number; ms: number }[],
  unit: string,
): string[] {
  const one = rows.find((row) => row.threads === 1);
  if (!one) return [];
  return [
    `| threads | ${unit} | speed-up over 1 thread | parallel efficiency |`,
    '|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const { speedup, efficiency } = parallelEfficiency(one.ms, row.ms, row.threads);
      return `| ${row.threads} | ${row.ms.toFixed(1)} | ${speedup.toFixed(2)}× | ${pct(100 * efficiency)} |`;
    }),
  ];
}
