/**
 * `npm run bench [-- --json] [-- --repeat N]`: gradlab's CPU backends against TensorFlow.js on the
 * same experiment, in one process, reported as ratios. A benchmark, never a test: timings depend on
 * the machine, so the output names it.
 *
 * Workload (the foundation issue's goal): 50 hidden layers × 256 wide × batch 64, tanh, linear
 * output, forward + backward + per-layer statistics, weights already in place. Then the CPU
 * roofline (each product and the whole pass against the measured WebAssembly SIMD peak), a wide
 * workload (50 × 1024 × batch 256) and training, each on 1 to N threads (bench/cpu-extras.ts).
 *
 * Relaxed SIMD: browsers run gradlab cpu's relaxed-SIMD kernels (fused multiply-add in the
 * matmul), so the bench does too. Where the engine has relaxed SIMD only behind V8's flag (Node
 * 20), the bench turns the flag on before anything is compiled, and says so; `--no-relaxed-simd`
 * leaves it off. With relaxed SIMD, the SIMD128 kernels are timed beside them on one thread.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { format, resolveConfig } from 'prettier';
import { f32KernelName } from '../src/backends/cpu/cpu-backend.ts';
import {
  availableThreads,
  createNodeLaneTeam,
  parseThreads,
} from '../src/backends/cpu/node/node-lanes.ts';
import { problemFromSpec } from '../src/engine/problem.ts';
import { KERNEL_NAMES, type KernelTimes } from '../src/engine/results.ts';
import { gflopsPerSecond, MATMUL_KERNELS, passFlops } from '../src/engine/work.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { relativeError } from '../src/engine/tolerance.ts';
import { rerunWithGpuEnvironment } from '../src/cli/node-webgpu.ts';
import { measureRoofline } from '../src/backends/cpu/roofline.ts';
import { RELAXED_MATMUL_WASM } from '../src/backends/cpu/wasm/kernels-wasm.generated.ts';
import { passRoofline } from '../src/engine/roofline.ts';
import type { CpuKernelName } from '../src/engine/results.ts';
import {
  efficiencyTable,
  rooflineLine,
  rooflineTable,
  timeCpuRuns,
  timeTraining,
  WIDE_SPEC,
  type CpuConfig,
  type CpuRun,
  type TrainingRun,
  type TurnTaker,
} from './cpu-extras.ts';
import { gpuBenchMarkdown, runGpuBench, type GpuBenchReport } from './gpu.ts';
import { peerProblemFrom, prepareTfjsPeer, runTfjsPeer, type PeerResult } from './tfjs-peer.ts';
import { hostGapsLine, measureHostGaps } from './host-gaps.ts';
import { WARM_UP_MS } from './warm-up.ts';
import { runTfjsWebGpuBench, tfjsWebGpuMarkdown } from './tfjs-webgpu.ts';

interface Row {
  name: string;
  /** gradlab cpu: the threads the pass was split between. */
  threads?: number;
  medianMs: number;
  runsMs: number[];
  /** gradlab only: milliseconds per kernel in the median run. */
  kernelsMs?: KernelTimes;
  /** gradlab cpu: the f32 kernels. */
  kernel?: CpuKernelName;
  /** Largest relative difference of the per-layer gradient norms from cpu64's. */
  maxGradNormError: number;
}

interface BenchArgs {
  json: boolean;
  repeat: number;
  /** Run the GPU section (default: yes). */
  gpu: boolean;
  /** On a software adapter, run the full-size GPU workload anyway. */
  gpuFull: boolean;
  /** Write the record to docs/benchmarks.json and its tables into docs/benchmarks.md. */
  write: boolean;
  /** gradlab cpu runs with 1 … maxThreads threads. */
  maxThreads: number;
  /** Turn on V8's relaxed-SIMD flag where relaxed SIMD needs it (default: yes). */
  relaxedSimd: boolean;
  /** Run the wide workload (default: yes). */
  wide: boolean;
  /** Time training on 1 … maxThreads threads (default: yes). */
  training: boolean;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  let json = false;
  let repeat = 15;
  let gpu = true;
  let gpuFull = false;
  let write = false;
  let relaxedSimd = true;
  let wide = true;
  let training = true;
  let maxThreads = availableThreads();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--write') write = true;
    else if (arg === '--no-gpu') gpu = false;
    else if (arg === '--gpu-full') gpuFull = true;
    else if (arg === '--no-relaxed-simd') relaxedSimd = false;
    else if (arg === '--no-wide') wide = false;
    else if (arg === '--no-training') training = false;
    else if (arg === '--repeat') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1 || value > 100) {
        throw new Error(
          `--repeat: got ${JSON.stringify(argv[i])}; allowed: an integer from 1 to 100`,
        );
      }
      repeat = value;
    } else if (arg === '--threads') {
      maxThreads = parseThreads(argv[++i] ?? '', '--threads');
    } else {
      throw new Error(
        `unknown argument ${JSON.stringify(arg)}; allowed: --json, --write, --repeat N, --threads N, --no-gpu, --gpu-full, --no-relaxed-simd, --no-wide, --no-training`,
      );
    }
  }
  return { json, repeat, gpu, gpuFull, write, maxThreads, relaxedSimd, wide, training };
}

/**
 * Turns on V8's relaxed-SIMD flag where the engine has relaxed SIMD but not by default (Node 20,
 * V8 11.3); returns how relaxed SIMD is available. Must run before any kernel is compiled.
 */
function enableRelaxedSimd(): 'native' | 'flag' | 'unavailable' {
  if (WebAssembly.validate(RELAXED_MATMUL_WASM)) return 'native';
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(RELAXED_MATMUL_WASM) ? 'flag' : 'unavailable';
}

function maxError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < reference.length; i++)
    worst = Math.max(worst, relativeError(actual[i]!, reference[i]!));
  return worst;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { json, repeat, gpu, gpuFull, write, maxThreads } = args;
  // The runs of a second or more (cpu64, TF.js cpu) and the GPU section's: fewer of them. The
  // f32 runs and TF.js wasm, whose ratios are the goals, take `repeat` turns: on a shared machine
  // a median of 5 moved by up to a fifth from run to run (docs/benchmarks.md).
  const slowRepeat = Math.min(repeat, 5);
  const relaxedSimd = args.relaxedSimd ? enableRelaxedSimd() : null;
  // The machine may be shared: its load says how far the CPU timings can be trusted.
  const loadAtStart = os.loadavg()[0]!;
  if (gpu) {
    const status = rerunWithGpuEnvironment();
    if (status !== null) {
      process.exitCode = status;
      return;
    }
  }
  const spec = parseSpec({
    activation: 'tanh',
    depth: 50,
    width: 256,
    inputs: 256,
    outputs: 256,
    batch: 64,
    repeat,
  });
  const source = problemFromSpec(spec);
  const problem = source.problem();
  const log = (line: string): void => {
    if (!json) process.stderr.write(`${line}\n`);
  };

  // What is taken from each core, which the load average cannot see (host-gaps.ts).
  log('measuring what the host takes from each core…');
  const gapsBefore = await measureHostGaps(os.cpus().length);
  log('measuring the WebAssembly SIMD peak…');
  const roofline = measureRoofline();
  const kernel = f32KernelName();
  const rows: Row[] = [];
  // Each row against the peak of the multiply-add its kernels issue (roofline.ts).
  const peakOf = (kernel: CpuKernelName | undefined): number | null =>
    kernel === 'wasm-relaxed-simd'
      ? roofline.fusedMulAddGflops
      : kernel === 'wasm-simd'
        ? roofline.mulAddGflops
        : null;

  // cpu64 first: it is the reference every other result is checked against. Then cpu (f32) on
  // 1, 2, … maxThreads threads (one team of worker threads; a run uses the first t of them), and
  // with relaxed SIMD, the SIMD128 kernels on one thread beside them. The f32 runs and TF.js wasm
  // (the peer of the goals) take turns, so that on a shared machine their ratios come from the
  // same conditions.
  const team = maxThreads > 1 ? await createNodeLaneTeam(maxThreads) : null;
  log('running gradlab cpu64 (f64)…');
  const cpu64 = (await timeCpuRuns(spec, [{ precision: 'f64' }], team, slowRepeat, () => null))[0]!;
  const reference = cpu64.gradNorm;
  rows.push({
    name: 'gradlab cpu64 (f64)',
    medianMs: cpu64.medianMs,
    runsMs: cpu64.runsMs,
    ...(cpu64.kernelsMs ? { kernelsMs: cpu64.kernelsMs } : {}),
    maxGradNormError: 0,
  });
  const configs: CpuConfig[] = [];
  for (let threads = 1; threads <= maxThreads; threads++)
    configs.push({ precision: 'f32', threads });
  if (kernel === 'wasm-relaxed-simd') configs.push({ precision: 'f32', kernel: 'wasm-simd' });
  const peerProblem = peerProblemFrom(problem);
  const tfjsWasm = await prepareTfjsPeer('wasm', peerProblem);
  const tfjsWasmRuns: TurnTaker = { run: () => tfjsWasm.pass(), runsMs: [] };
  log(
    `running gradlab cpu (f32): ${configs.length} configurations and TensorFlow.js wasm, taking turns…`,
  );
  let f32Runs: CpuRun[];
  let tfjsWasmResult: PeerResult;
  try {
    f32Runs = await timeCpuRuns(spec, configs, team, repeat, () => null, [tfjsWasmRuns]);
    tfjsWasmResult = tfjsWasm.result(tfjsWasmRuns.runsMs);
  } finally {
    tfjsWasm.dispose();
  }
  const gapsAfter = await measureHostGaps(os.cpus().length);
  f32Runs.forEach((run, i) => {
    const { threads = 1, kernel: asked } = configs[i]!;
    rows.push({
      name: `gradlab cpu (f32, ${run.kernel}, ${threads} thread${threads > 1 ? 's' : ''})`,
      ...(asked ? {} : { threads }),
      kernel: run.kernel,
      medianMs: run.medianMs,
      runsMs: run.runsMs,
      ...(run.kernelsMs ? { kernelsMs: run.kernelsMs } : {}),
      maxGradNormError: maxError(run.gradNorm, reference),
    });
  });
  // Wide networks and training, on the same team (bench/cpu-extras.ts).
  let wide: CpuRun[] = [];
  if (args.wide) {
    log('running gradlab cpu on 50 × 1024 × batch 256, 1 to N threads taking turns…');
    const threadConfigs = Array.from({ length: maxThreads }, (_, i) => ({
      precision: 'f32' as const,
      threads: i + 1,
    }));
    wide = await timeCpuRuns(WIDE_SPEC, threadConfigs, team, Math.min(repeat, 3), (run) =>
      peakOf(run.kernel),
    );
  }
  let training: TrainingRun[] = [];
  if (args.training) {
    log('timing training steps…');
    training = await timeTraining(spec, team, maxThreads);
  }
  team?.dispose();

  log('running TensorFlow.js cpu…');
  const peers = [await runTfjsPeer('cpu', peerProblem, slowRepeat), tfjsWasmResult];
  for (const peer of peers) {
    rows.push({
      name: `TensorFlow.js ${peer.backend}`,
      medianMs: peer.medianMs,
      runsMs: peer.runsMs,
      maxGradNormError: maxError(peer.gradNorms, reference!),
    });
  }

  const threadRows = rows.filter((row) => row.threads !== undefined);
  const rooflineRows = rows.flatMap((row) => {
    const peak = peakOf(row.kernel);
    return row.kernelsMs && peak !== null
      ? [
          {
            name: row.name,
            threads: row.threads,
            kernel: row.kernel,
            roofline: passRoofline(spec, row.kernelsMs, row.medianMs, peak),
          },
        ]
      : [];
  });
  const gradlabF32 = threadRows[0]!;
  const gradlabThreaded = threadRows[threadRows.length - 1]!;
  const tfCpu = rows.find((row) => row.name.includes('tfjs-cpu'))!;
  const tfWasm = rows.find((row) => row.name.includes('tfjs-wasm'))!;
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    /** 1-minute load average when the bench started and when its CPU runs ended. */
    load: { start: loadAtStart, end: os.loadavg()[0]! },
    /** Time taken from each core, before the CPU runs and after the main ones (host-gaps.ts). */
    hostGaps: { before: gapsBefore, after: gapsAfter },
  };
  const ratios = {
    vsTfjsCpu: tfCpu.medianMs / gradlabF32.medianMs,
    vsTfjsWasm: tfWasm.medianMs / gradlabF32.medianMs,
    threads: maxThreads,
    threadedVsTfjsWasm: tfWasm.medianMs / gradlabThreaded.medianMs,
    threadSpeedup: gradlabF32.medianMs / gradlabThreaded.medianMs,
  };
  let gpuReport: GpuBenchReport | { error: string } | null = null;
  if (gpu) {
    log('running the WebGPU section…');
    try {
      gpuReport = await runGpuBench({ full: gpuFull, repeat: slowRepeat });
    } catch (error) {
      gpuReport = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  // TensorFlow.js webgpu (bench/tfjs-webgpu.ts): a row in the main table, and its time next to
  // gradlab's WebGPU whole pass on the GPU section's workload.
  const { peer: tfjsWebGpuPeer, ...tfjsWebGpu } = await runTfjsWebGpuBench({
    enabled: gpu,
    problem: peerProblem,
    spec,
    repeat: slowRepeat,
    gpu: gpuReport,
    log,
  });
  if (tfjsWebGpuPeer) {
    rows.push({
      name: `TensorFlow.js ${tfjsWebGpuPeer.backend}`,
      medianMs: tfjsWebGpuPeer.medianMs,
      runsMs: tfjsWebGpuPeer.runsMs,
      maxGradNormError: maxError(tfjsWebGpuPeer.gradNorms, reference!),
    });
  }
  const oneThreadRoofline = rooflineRows.find((row) => row.threads === 1)?.roofline ?? null;
  const wideOne = wide.find((run) => run.threads === 1)?.roofline ?? null;
  const goals = [
    {
      goal: 'one thread: ≥ 2.0× TensorFlow.js wasm',
      value: ratios.vsTfjsWasm,
      target: 2,
      text: `${ratios.vsTfjsWasm.toFixed(2)}×`,
    },
    {
      goal: 'one thread: the whole pass at ≥ 55% of the SIMD peak',
      value: oneThreadRoofline?.pass.percentOfPeak ?? NaN,
      target: 55,
      text: oneThreadRoofline
        ? `${oneThreadRoofline.pass.percentOfPeak.toFixed(0)}%`
        : 'not measured',
    },
    {
      goal: `${maxThreads} threads: ≥ 3.2× TensorFlow.js wasm`,
      value: ratios.threadedVsTfjsWasm,
      target: 3.2,
      text: `${ratios.threadedVsTfjsWasm.toFixed(2)}×`,
    },
    {
      goal: '50 × 1024 × 256, one thread: the products at ≥ 70% of the SIMD peak',
      value: wideOne?.products.percentOfPeak ?? NaN,
      target: 70,
      text: wideOne ? `${wideOne.products.percentOfPeak.toFixed(0)}%` : 'not measured',
    },
  ].map((g) => ({ ...g, met: g.value >= g.target }));
  const record = {
    date: new Date().toISOString(),
    machine,
    workload: spec,
    repeat,
    kernel,
    relaxedSimd,
    roofline,
    rows,
    ratios,
    rooflineRows,
    wide: { workload: WIDE_SPEC, runs: wide },
    training: {
      steps: 'SGD, chunks of 10 steps, median of 5, thread counts taking turns',
      runs: training,
    },
    goals,
    gpu: gpuReport,
    tfjsWebGpu,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    if (!write) return;
  }
  const kernelRows = rows.filter((row) => row.kernelsMs);
  const lines = [
    `Workload: ${spec.depth} hidden layers × ${spec.width} wide × batch ${spec.batch}, ${spec.activation}; forward + backward + per-layer statistics; median of ${repeat} runs (cpu64, TF.js cpu and webgpu: ${slowRepeat}) after a warm-up of at least ${WARM_UP_MS / 1000} s each (bench/warm-up.ts).`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}). TensorFlow.js runs on one thread; gradlab cpu on 1 to ${maxThreads} (worker threads sharing memory) and computes with its ${kernel} kernels${relaxedSimd === 'flag' ? " (relaxed SIMD through V8's --experimental-wasm-relaxed-simd, which the bench turns on; --no-relaxed-simd leaves it off)" : ''}. Load average (1 minute) ${machine.load.start.toFixed(2)} at the start, ${machine.load.end.toFixed(2)} after the CPU runs: on ${machine.cores} cores, a load above about ${machine.cores - 1} means other processes took cores from these runs. Time taken from each core (a thread per core spinning on the clock for 1 s; gaps over 20 µs are time it did not run: the host's, another process's, or this process's own background work; bench/host-gaps.ts): ${hostGapsLine(gapsBefore)} before the CPU runs; ${hostGapsLine(gapsAfter)} after the main ones.`,
    '',
    '| implementation | median ms | gradlab cpu (1 thread) is … faster | max rel. error of ‖δ‖ vs cpu64 |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.medianMs.toFixed(1)} | ${(row.medianMs / gradlabF32.medianMs).toFixed(2)}× | ${row.maxGradNormError.toExponential(1)} |`,
    ),
    ...tfjsWebGpuMarkdown(tfjsWebGpu),
    '',
    `Earlier goals: ≥ 6× TensorFlow.js cpu (now ${ratios.vsTfjsCpu.toFixed(2)}× on one thread), ≥ 1× its wasm backend (now ${ratios.vsTfjsWasm.toFixed(2)}× on one thread).`,
    '',
    'Goals of the CPU-near-the-limit issue, in this run:',
    '',
    '| goal | now | met |',
    '|---|---:|---|',
    ...goals.map((g) => `| ${g.goal} | ${g.text} | ${g.met ? 'yes' : 'no'} |`),
    '',
    'gradlab cpu (f32) from 1 to N threads:',
    '',
    ...efficiencyTable(
      threadRows.map((row) => ({ threads: row.threads!, ms: row.medianMs })),
      'median ms',
    ),
    '',
    '### Roofline',
    '',
    rooflineLine(roofline),
    '',
    ...rooflineTable(rooflineRows),
    ...(wide.length > 0
      ? [
          '',
          `Wide: ${WIDE_SPEC.depth} hidden layers × ${WIDE_SPEC.width} wide × batch ${WIDE_SPEC.batch}, ${WIDE_SPEC.activation}, gradlab cpu only (median of ${Math.min(repeat, 3)} runs after a warm-up of at least ${WARM_UP_MS / 1000} s each, the thread counts taking turns):`,
          '',
          ...rooflineTable(
            wide.flatMap((run) =>
              run.roofline
                ? [
                    {
                      name: `${run.threads} thread${run.threads > 1 ? 's' : ''}`,
                      roofline: run.roofline,
                    },
                  ]
                : [],
            ),
          ),
          '',
          ...efficiencyTable(
            wide.map((run) => ({ threads: run.threads, ms: run.medianMs })),
            'median ms',
          ),
        ]
      : []),
    ...(training.length > 0
      ? [
          '',
          `Training the main workload (SGD, lr 0.01; forward + backward + statistics + the optimizer step of every weight; milliseconds per step, median of 5 chunks of 10 steps, each loading the network as the lab's worker does; the thread counts take turns):`,
          '',
          ...efficiencyTable(
            training.map((run) => ({ threads: run.threads, ms: run.msPerStep })),
            'ms per step',
          ),
        ]
      : []),
    '',
    'Where gradlab spends a pass (milliseconds per kernel in the median run, and GFLOP/s of the products):',
    '',
    `| kernel | ${kernelRows.map((row) => row.name).join(' | ')} |`,
    `|---|${kernelRows.map(() => '---:').join('|')}|`,
    ...KERNEL_NAMES.filter(
      (name) =>
        (name !== 'batchnorm' || spec.batchnorm) &&
        kernelRows.some((row) => row.kernelsMs![name] !== undefined),
    ).map((name) => {
      const flops = (MATMUL_KERNELS as readonly string[]).includes(name)
        ? passFlops(spec)[name as (typeof MATMUL_KERNELS)[number]]
        : undefined;
      const cells = kernelRows.map((row) => {
        const ms = row.kernelsMs![name];
        if (ms === undefined) return '—';
        const rate =
          flops !== undefined && ms > 0
            ? ` (${gflopsPerSecond(flops, ms).toFixed(1)} GFLOP/s)`
            : '';
        return `${ms.toFixed(1)}${rate}`;
      });
      return `| ${name} | ${cells.join(' | ')} |`;
    }),
    '',
    gpuReport === null
      ? 'WebGPU: skipped (--no-gpu).'
      : 'error' in gpuReport
        ? `WebGPU: unavailable (${gpuReport.error}).`
        : gpuBenchMarkdown(gpuReport),
  ];
  const markdown = lines.join('\n');
  if (!json) process.stdout.write(`${markdown}\n`);
  if (write) await writeRecord(record, markdown);
}

const RECORD_PATH = 'docs/benchmarks.json';
const DOC_PATH = 'docs/benchmarks.md';
const BEGIN = '<!-- bench:latest:begin -->';
const END = '<!-- bench:latest:end -->';

/**
 * docs/benchmarks.json gets the whole record; docs/benchmarks.md gets the tables of this run,
 * dated and with the machine and the adapter, between its "latest run" markers (added at the end
 * the first time). Everything else in the document is left as written.
 */
async function writeRecord(record: object, markdown: string): Promise<void> {
  writeFileSync(
    RECORD_PATH,
    await format(JSON.stringify(record), { ...(await resolveConfig(RECORD_PATH)), parser: 'json' }),
  );
  const date = new Date().toISOString().slice(0, 10);
  const block = `${BEGIN}\n\n## Latest run (${date}, written by \`npm run bench -- --write\`)\n\n${markdown}\n\n${END}`;
  const current = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    start !== -1 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  // The document is kept in the repository's format, like every other file.
  writeFileSync(
    DOC_PATH,
    await format(next, { ...(await resolveConfig(DOC_PATH)), parser: 'markdown' }),
  );
  process.stderr.write(`bench: wrote ${RECORD_PATH} and the latest-run section of ${DOC_PATH}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
