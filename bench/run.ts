/**
 * `npm run bench [-- --json] [-- --repeat N]`: gradlab's CPU backends against TensorFlow.js on the
 * same experiment, in one process, reported as ratios. A benchmark, never a test: timings depend on
 * the machine, so the output names it.
 *
 * Workload (the foundation issue's goal): 50 hidden layers × 256 wide × batch 64, tanh, linear
 * output, forward + backward + per-layer statistics, weights already in place.
 */
import os from 'node:os';
import { createCpuBackend, f32MatmulKind } from '../src/backends/cpu/cpu-backend.ts';
import { problemFromSpec } from '../src/engine/problem.ts';
import { median } from '../src/engine/experiment.ts';
import { parseSpec } from '../src/engine/spec.ts';
import { relativeError } from '../src/engine/tolerance.ts';
import { rerunWithGpuEnvironment } from '../src/cli/node-webgpu.ts';
import { gpuBenchMarkdown, runGpuBench, type GpuBenchReport } from './gpu.ts';
import { runTfjsPeer, type PeerResult } from './tfjs-peer.ts';

interface Row {
  name: string;
  medianMs: number;
  runsMs: number[];
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
}

function parseArgs(argv: readonly string[]): BenchArgs {
  let json = false;
  let repeat = 5;
  let gpu = true;
  let gpuFull = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
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
    } else {
      throw new Error(
        `unknown argument ${JSON.stringify(arg)}; allowed: --json, --repeat N, --no-gpu, --gpu-full`,
      );
    }
  }
  return { json, repeat, gpu, gpuFull };
}

function maxError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < reference.length; i++)
    worst = Math.max(worst, relativeError(actual[i]!, reference[i]!));
  return worst;
}

async function main(): Promise<void> {
  const { json, repeat, gpu, gpuFull } = parseArgs(process.argv.slice(2));
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
  // cpu64 first: it is the reference every other result is checked against.
  let reference: Float64Array | null = null;
  for (const precision of ['f64', 'f32'] as const) {
    const backend = createCpuBackend(precision);
    log(`running gradlab ${backend.info.name}…`);
    const prepared = await backend.prepare(source);
    await prepared.compute(); // warm-up, as for the peers
    const runsMs: number[] = [];
    let gradNorm: Float64Array | null = null;
    for (let i = 0; i < repeat; i++) {
      const start = performance.now();
      gradNorm = (await prepared.compute()).gradNorm;
      runsMs.push(performance.now() - start);
    }
    prepared.dispose();
    reference ??= gradNorm;
    rows.push({
      name: `gradlab ${backend.info.name} (${precision})`,
      medianMs: median(runsMs),
      runsMs,
      maxGradNormError: maxError(gradNorm!, reference!),
    });
  }

  const peerProblem = {
    sizes: [...problem.sizes],
    weights: problem.weights.map((w) => Float32Array.from(w)),
    x: Float32Array.from(problem.x),
    y: Float32Array.from(problem.y),
    batch: spec.batch,
    activation: 'tanh' as const,
  };
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

  const gradlabF32 = rows.find((row) => row.name.startsWith('gradlab cpu '))!;
  const [tfCpu, tfWasm] = rows.slice(2);
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
  const ratios = {
    vsTfjsCpu: tfCpu!.medianMs / gradlabF32.medianMs,
    vsTfjsWasm: tfWasm!.medianMs / gradlabF32.medianMs,
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
  if (json) {
    const record = {
      date: new Date().toISOString(),
      machine,
      workload: spec,
      repeat,
      rows,
      ratios,
      gpu: gpuReport,
    };
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return;
  }
  const lines = [
    `Workload: ${spec.depth} hidden layers × ${spec.width} wide × batch ${spec.batch}, ${spec.activation}; forward + backward + per-layer statistics; median of ${repeat} runs after a warm-up.`,
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}). One thread each; gradlab cpu multiplies with its ${f32MatmulKind()} kernel.`,
    '',
    '| implementation | median ms | gradlab cpu is … faster | max rel. error of ‖δ‖ vs cpu64 |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.medianMs.toFixed(1)} | ${(row.medianMs / gradlabF32.medianMs).toFixed(2)}× | ${row.maxGradNormError.toExponential(1)} |`,
    ),
    '',
    `Goals: ≥ 6× TensorFlow.js cpu (now ${ratios.vsTfjsCpu.toFixed(2)}×), ≥ 1× its wasm backend (now ${ratios.vsTfjsWasm.toFixed(2)}×).`,
    '',
    gpuReport === null
      ? 'WebGPU: skipped (--no-gpu).'
      : 'error' in gpuReport
        ? `WebGPU: unavailable (${gpuReport.error}).`
        : gpuBenchMarkdown(gpuReport),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
