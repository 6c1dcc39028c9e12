/**
 * `npm run bench [-- --json] [-- --repeat N]`: gradlab's CPU backends against TensorFlow.js on the
 * same experiment, in one process, reported as ratios. A benchmark, never a test: timings depend on
 * the machine, so the output names it.
 *
 * Workload (the foundation issue's goal): 50 hidden layers × 256 wide × batch 64, tanh, linear
 * output, forward + backward + per-layer statistics, weights already in place.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { format, resolveConfig } from 'prettier';
import { createCpuBackend, f32MatmulKind } from '../src/backends/cpu/cpu-backend.ts';
import {
  availableThreads,
  createNodeLaneTeam,
  parseThreads,
} from '../src/backends/cpu/node/node-lanes.ts';
import { problemFromSpec } from '../src/engine/problem.ts';
import { median, medianIndex } from '../src/engine/experiment.ts';
import { KERNEL_NAMES, type KernelTimes } from '../src/engine/results.ts';
import { gflopsPerSecond, MATMUL_KERNELS, passFlops } from '../src/engine/work.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { relativeError } from '../src/engine/tolerance.ts';
import { rerunWithGpuEnvironment } from '../src/cli/node-webgpu.ts';
import { gpuBenchMarkdown, runGpuBench, type GpuBenchReport } from './gpu.ts';
import { peerProblemFrom, runTfjsPeer, type PeerResult } from './tfjs-peer.ts';
import { runTfjsWebGpuBench, tfjsWebGpuMarkdown } from './tfjs-webgpu.ts';

interface Row {
  name: string;
  /** gradlab cpu: the threads the pass was split between. */
  threads?: number;
  medianMs: number;
  runsMs: number[];
  /** gradlab only: milliseconds per kernel in the median run. */
  kernelsMs?: KernelTimes;
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
}

function parseArgs(argv: readonly string[]): BenchArgs {
  let json = false;
  let repeat = 5;
  let gpu = true;
  let gpuFull = false;
  let write = false;
  let maxThreads = availableThreads();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--write') write = true;
    else if (arg === '--no-gpu') gpu = false;
    else if (arg === '--gpu-full') gpuFull = true;
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
        `unknown argument ${JSON.stringify(arg)}; allowed: --json, --write, --repeat N, --threads N, --no-gpu, --gpu-full`,
      );
    }
  }
  return { json, repeat, gpu, gpuFull, write, maxThreads };
}

function maxError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < reference.length; i++)
    worst = Math.max(worst, relativeError(actual[i]!, reference[i]!));
  return worst;
}

async function main(): Promise<void> {
  const { json, repeat, gpu, gpuFull, write, maxThreads } = parseArgs(process.argv.slice(2));
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

  const rows: Row[] = [];
  // cpu64 first: it is the reference every other result is checked against. Then cpu (f32) on
  // 1, 2, … maxThreads threads (one team of worker threads; a run uses the first t of them).
  const team = maxThreads > 1 ? await createNodeLaneTeam(maxThreads) : null;
  let reference: Float64Array | null = null;
  const runs: { precision: 'f64' | 'f32'; threads: number }[] = [{ precision: 'f64', threads: 1 }];
  for (let threads = 1; threads <= maxThreads; threads++) runs.push({ precision: 'f32', threads });
  for (const { precision, threads } of runs) {
    const backend = createCpuBackend(precision, { team, threads });
    const name =
      precision === 'f32'
        ? `gradlab cpu (f32, ${threads} thread${threads > 1 ? 's' : ''})`
        : `gradlab cpu64 (f64)`;
    log(`running ${name}…`);
    const prepared = await backend.prepare(source);
    await prepared.compute(); // warm-up, as for the peers
    const runsMs: number[] = [];
    const kernelRuns: (KernelTimes | null)[] = [];
    let gradNorm: Float64Array | null = null;
    for (let i = 0; i < repeat; i++) {
      const start = performance.now();
      gradNorm = (await prepared.compute()).gradNorm;
      runsMs.push(performance.now() - start);
      kernelRuns.push(prepared.lastKernelsMs?.() ?? null);
    }
    prepared.dispose();
    const kernelsMs = kernelRuns[medianIndex(runsMs)] ?? undefined;
    reference ??= gradNorm;
    rows.push({
      name,
      ...(precision === 'f32' ? { threads } : {}),
      medianMs: median(runsMs),
      runsMs,
      ...(kernelsMs ? { kernelsMs } : {}),
      maxGradNormError: maxError(gradNorm!, reference!),
    });
  }
  team?.dispose();

  const peerProblem = peerProblemFrom(problem);
  const peers: PeerResult[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    log(`running TensorFlow.js ${backend}…`);
    const peer = await runTfjsPeer(backend, peerProblem, repeat);
    peers.push(peer);
    rows.push({
      name: `TensorFlow.js ${peer.backend}`,
      medianMs: peer.medianMs,
      runsMs: peer.runsMs,
      maxGradNormError: maxError(peer.gradNorms, reference!),
    });
  }

  const threadRows = rows.filter((row) => row.threads !== undefined);
  const gradlabF32 = threadRows[0]!;
  const gradlabThreaded = threadRows[threadRows.length - 1]!;
  const tfCpu = rows.find((row) => row.name.includes('tfjs-cpu'))!;
  const tfWasm = rows.find((row) => row.name.includes('tfjs-wasm'))!;
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
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
      gpuReport = await runGpuBench({ full: gpuFull, repeat });
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
    repeat,
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
  const record = {
    date: new Date().toISOString(),
    machine,
    workload: spec,
    repeat,
    rows,
    ratios,
    gpu: gpuReport,
    tfjsWebGpu,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    if (!write) return;
  }
  const kernelRows = rows.filter((row) => row.kernelsMs);
  const lines = [
    `Workload: ${spec.depth} hidden layers × ${spec.width} wide × batch ${spec.batch}, ${spec.activation}; forward + backward + per-layer statistics; median of ${repeat} runs after a warm-up.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}). TensorFlow.js runs on one thread; gradlab cpu on 1 to ${maxThreads} (worker threads sharing memory) and multiplies with its ${f32MatmulKind()} kernel.`,
    '',
    '| implementation | median ms | gradlab cpu (1 thread) is … faster | max rel. error of ‖δ‖ vs cpu64 |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.medianMs.toFixed(1)} | ${(row.medianMs / gradlabF32.medianMs).toFixed(2)}× | ${row.maxGradNormError.toExponential(1)} |`,
    ),
    ...tfjsWebGpuMarkdown(tfjsWebGpu),
    '',
    `Goals: ≥ 6× TensorFlow.js cpu (now ${ratios.vsTfjsCpu.toFixed(2)}× on one thread), ≥ 1× its wasm backend (now ${ratios.vsTfjsWasm.toFixed(2)}× on one thread); multi-threaded, aim for 2× its wasm backend (now ${ratios.threadedVsTfjsWasm.toFixed(2)}× on ${maxThreads} thread${maxThreads > 1 ? 's' : ''}).`,
    '',
    'gradlab cpu (f32) from 1 to N threads:',
    '',
    '| threads | median ms | speed-up over 1 thread | parallel efficiency |',
    '|---:|---:|---:|---:|',
    ...threadRows.map((row) => {
      const speedup = gradlabF32.medianMs / row.medianMs;
      return `| ${row.threads} | ${row.medianMs.toFixed(1)} | ${speedup.toFixed(2)}× | ${((100 * speedup) / row.threads!).toFixed(0)}% |`;
    }),
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
