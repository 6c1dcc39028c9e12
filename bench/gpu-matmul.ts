/**
 * WebGPU matmul throughput (src/backends/webgpu/kernels/matmul.ts) in Node, through Dawn's
 * bindings: shader compilation timed apart, then steady-state GFLOP/s (2·m·k·n flops per product)
 * with many dispatches per submit, timed by wall clock around submit → onSubmittedWorkDone and,
 * where the adapter has 'timestamp-query', by GPU timestamps around the compute pass.
 *
 *   npx tsx --import ./scripts/raw-loader.mjs bench/gpu-matmul.ts [options]
 *
 *   --small             tiny shapes, short runs: seconds on SwiftShader (a smoke run, not a speed)
 *   --json              JSON on stdout instead of the Markdown table
 *   --all-tiles         every config of MATMUL_TILES per shape, not only chooseTile's (to tune it)
 *   --tiles LIST        these configs instead, comma-separated tileMxtileNxtileK/threadMxthreadN[/splitK],
 *                       e.g. 128x64x8/8x4,64x64x16/4x4/2 (configs outside MATMUL_TILES, for tuning)
 *   --transposes LIST   comma-separated of NN, TN, NT, TT (default NN,TN,NT: gradlab's forward
 *                       Z = W·A, backward G = Wᵀ·Δ and weight gradient dW = Δ·Aᵀ)
 *   --shapes LIST       comma-separated m×k×n (or mxkxn) instead of the defaults
 *   --peak-gflops N     the adapter's fp32 peak, for a "% of peak" column (H200 SXM: 67000)
 *   --seconds S         minimum GPU time per timed sample (default 0.2; --small: 0.02)
 *   --swiftshader       use SwiftShader even when a GPU adapter exists
 *   --dawn FLAGS        comma-separated flags for Dawn's create(), e.g.
 *                       enable-dawn-features=disable_robustness (robustness off: not what a
 *                       browser runs, but shows what the bounds clamping costs)
 *
 * Default shapes (m×k·k×n): 4096³, 4096×4096·4096×1024, 1024×1024·1024×256, 1024×1024·1024×64,
 * 256×256·256×64. On a real GPU the goal is ≥ 50% of fp32 peak at 4096³.
 *
 * Without a GPU (no Vulkan loader or no adapter) it re-runs itself with SwiftShader's environment
 * (scripts/gpu-env.mjs). SwiftShader emulates the GPU on the CPU: its numbers are labelled as
 * emulation and say nothing about GPU speed.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { create, globals } from 'webgpu';
import { applyGpuEnv } from '../scripts/gpu-env.mjs';
import { describeAdapter, isSoftwareAdapter } from '../src/backends/webgpu/adapter.ts';
import {
  chooseTile,
  describeTile,
  GPU_FILL_WORKGROUPS,
  MATMUL_TILES,
  matmulProgram,
  SOFTWARE_FILL_WORKGROUPS,
  type MatmulOptions,
  type MatmulShape,
  type MatmulTile,
} from '../src/backends/webgpu/kernels/matmul.ts';
import { GpuRunner, readBuffer } from '../src/backends/webgpu/runner.ts';
import { median } from '../src/engine/experiment.ts';
import { matmulFlops } from '../src/engine/work.ts';

const DEFAULT_SHAPES: readonly MatmulShape[] = [
  { m: 4096, k: 4096, n: 4096 },
  { m: 4096, k: 4096, n: 1024 },
  { m: 1024, k: 1024, n: 256 },
  { m: 1024, k: 1024, n: 64 },
  { m: 256, k: 256, n: 64 },
];
const SMALL_SHAPES: readonly MatmulShape[] = [
  { m: 64, k: 64, n: 64 },
  { m: 64, k: 48, n: 1 },
];
const TRANSPOSE_NAMES = ['NN', 'TN', 'NT', 'TT'] as const;
type TransposeName = (typeof TRANSPOSE_NAMES)[number];
const SAMPLES = 5;
const SPOT_CHECKS = 48;
const CHILD_FLAG = 'GRADLAB_GPU_MATMUL_BENCH_CHILD';

interface Args {
  small: boolean;
  json: boolean;
  allTiles: boolean;
  tiles: MatmulTile[];
  transposes: TransposeName[];
  shapes: MatmulShape[];
  peakGflops: number | null;
  seconds: number;
  swiftshader: boolean;
  dawnFlags: string[];
}

const USAGE =
  'allowed: --small, --json, --all-tiles, --transposes NN,TN,NT,TT, --shapes MxKxN,..., ' +
  '--tiles LIST, --peak-gflops N, --seconds S, --swiftshader, --dawn FLAG,...';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    small: false,
    json: false,
    allTiles: false,
    tiles: [],
    transposes: ['NN', 'TN', 'NT'],
    shapes: [],
    peakGflops: null,
    seconds: NaN,
    swiftshader: false,
    dawnFlags: [],
  };
  const value = (i: number, name: string): string => {
    const text = argv[i];
    if (text === undefined) throw new Error(`${name} needs a value; ${USAGE}`);
    return text;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--small') args.small = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--all-tiles') args.allTiles = true;
    else if (arg === '--swiftshader') args.swiftshader = true;
    else if (arg === '--transposes') {
      const list = value(++i, arg).toUpperCase().split(',');
      for (const name of list) {
        if (!(TRANSPOSE_NAMES as readonly string[]).includes(name)) {
          throw new Error(`--transposes: ${JSON.stringify(name)}; allowed: NN, TN, NT, TT`);
        }
      }
      args.transposes = list as TransposeName[];
    } else if (arg === '--shapes') {
      args.shapes = value(++i, arg)
        .split(',')
        .map((text) => {
          const parts = text.split(/[x×]/).map(Number);
          const [m, k, n] = parts;
          if (parts.length !== 3 || !parts.every((p) => Number.isInteger(p) && p > 0)) {
            throw new Error(`--shapes: ${JSON.stringify(text)}; allowed: MxKxN, positive integers`);
          }
          return { m: m!, k: k!, n: n! };
        });
    } else if (arg === '--tiles') {
      args.tiles = value(++i, arg).split(',').map(parseTile);
    } else if (arg === '--peak-gflops') {
      const peak = Number(value(++i, arg));
      if (!(peak > 0)) throw new Error(`--peak-gflops: ${argv[i]}; allowed: a positive number`);
      args.peakGflops = peak;
    } else if (arg === '--seconds') {
      const seconds = Number(value(++i, arg));
      if (!(seconds > 0 && seconds <= 60)) {
        throw new Error(`--seconds: ${argv[i]}; allowed: a number in (0, 60]`);
      }
      args.seconds = seconds;
    } else if (arg === '--dawn') {
      args.dawnFlags = value(++i, arg).split(',').filter(Boolean);
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
  }
  if (args.shapes.length === 0) args.shapes = [...(args.small ? SMALL_SHAPES : DEFAULT_SHAPES)];
  if (Number.isNaN(args.seconds)) args.seconds = args.small ? 0.02 : 0.2;
  return args;
}

/** `128x128x8/8x8` or `32x32x16/4x4/4` → a MatmulTile. */
function parseTile(text: string): MatmulTile {
  const match = /^(\d+)[x×](\d+)[x×](\d+)\/(\d+)[x×](\d+)(?:\/(\d+))?$/.exec(text);
  if (!match) {
    throw new Error(
      `--tiles: ${JSON.stringify(text)}; allowed: tileMxtileNxtileK/threadMxthreadN[/splitK]`,
    );
  }
  const [tileM, tileN, tileK, threadM, threadN, splitK] = match.slice(1).map(Number);
  return {
    tileM: tileM!,
    tileN: tileN!,
    tileK: tileK!,
    threadM: threadM!,
    threadN: threadN!,
    splitK: splitK || 1,
  };
}

/**
 * Runs this command again in a child process with SwiftShader's environment (LD_LIBRARY_PATH only
 * takes effect in a new process) and returns its exit status.
 */
function rerunWithSwiftShader(): number {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  delete env.VK_DRIVER_FILES;
  applyGpuEnv(env);
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...env, [CHILD_FLAG]: '1' },
  });
  return child.status ?? 1;
}

/** Operand values: a fixed pseudo-random block of f32 in [−1, 1) repeated (cheap for 64 MiB). */
const BLOCK = 65_521; // prime, so rows of A and B do not line up with the block
const block = (() => {
  const values = new Float32Array(BLOCK);
  let state = 0x2545f491;
  for (let i = 0; i < BLOCK; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
})();

/** Element `index` of an operand filled from the block starting at `offset`. */
function operandValue(offset: number, index: number): number {
  return block[(offset + index) % BLOCK]!;
}

/** A storage buffer of `length` floats filled from the block at `offset`, written in chunks. */
async function operandBuffer(
  device: GPUDevice,
  length: number,
  offset: number,
  label: string,
): Promise<GPUBuffer> {
  const buffer = device.createBuffer({
    label,
    size: Math.max(16, Math.ceil((length * 4) / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  const chunk = new Float32Array(1 << 20);
  for (let start = 0; start < length; start += chunk.length) {
    const count = Math.min(chunk.length, length - start);
    for (let i = 0; i < count; i++) chunk[i] = operandValue(offset, start + i);
    device.queue.writeBuffer(buffer, start * 4, chunk, 0, count);
    // Short synchronous stretches only: Dawn on SwiftShader has crashed when the main thread
    // stayed busy for long after an asynchronous pipeline compile.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return buffer;
}

interface Measurement {
  shape: string;
  m: number;
  k: number;
  n: number;
  transposes: TransposeName;
  tile: string;
  chosen: boolean;
  compileMs: number;
  dispatchesPerSubmit: number;
  /** Median over samples of wall time per dispatch, submit to onSubmittedWorkDone. */
  msPerDispatch: number;
  gflops: number;
  bestGflops: number;
  /** From GPU timestamps around the compute pass, where the adapter has them. */
  timestampGflops: number | null;
  percentOfPeak: number | null;
  /** Worst |c − ref| / bound over the spot-checked entries (≤ 1 passes). */
  maxErrorRatio: number;
}

/** Spot check of C against f64 dot products, with the f32 bound γ_K·Σ|a||b| (Higham §3.1). */
function spotCheck(
  c: Float32Array,
  shape: MatmulShape,
  options: MatmulOptions,
  offsets: { a: number; b: number },
): number {
  const { m, k, n } = shape;
  const u = 2 ** -24;
  const gamma = (k * u) / (1 - k * u);
  let worst = 0;
  for (let s = 0; s < SPOT_CHECKS; s++) {
    // Corners and edges first, then spread through C.
    const row = s < 4 ? (s & 1 ? m - 1 : 0) : (s * 7919) % m;
    const col = s < 4 ? (s & 2 ? n - 1 : 0) : (s * 104_729) % n;
    let sum = 0;
    let absSum = 0;
    for (let p = 0; p < k; p++) {
      const left = operandValue(offsets.a, options.transposeA ? p * m + row : row * k + p);
      const right = operandValue(offsets.b, options.transposeB ? col * k + p : p * n + col);
      sum += left * right;
      absSum += Math.abs(left * right);
    }
    const ratio = Math.abs(c[row * n + col]! - sum) / (gamma * absSum + 2 ** -126);
    worst = Math.max(worst, Number.isNaN(ratio) ? Infinity : ratio);
  }
  return worst;
}

async function measure(
  device: GPUDevice,
  runner: GpuRunner,
  shape: MatmulShape,
  transposes: TransposeName,
  tile: MatmulTile,
  chosenTile: MatmulTile,
  args: Args,
  timestamps: boolean,
): Promise<Measurement> {
  const { m, k, n } = shape;
  const options: MatmulOptions = {
    transposeA: transposes[0] === 'T',
    transposeB: transposes[1] === 'T',
    tile,
  };
  const program = matmulProgram(shape, options);
  const offsets = { a: 0, b: 31_337 };
  const a = await operandBuffer(device, m * k, offsets.a, 'bench:a');
  const b = await operandBuffer(device, k * n, offsets.b, 'bench:b');
  const c = device.createBuffer({
    label: 'bench:c',
    size: Math.max(16, Math.ceil((m * n * 4) / 16) * 16),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const querySet = timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const queryResolve = timestamps
    ? device.createBuffer({
        size: 16,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      })
    : null;
  try {
    const compileStart = performance.now();
    await runner.pipeline(program);
    const compileMs = performance.now() - compileStart;
    const bindGroup = runner.bindGroup(program, [a, b, c]);

    /** One submit of `count` dispatches; wall ms and, with timestamps, GPU ms. */
    const run = async (count: number): Promise<{ wallMs: number; gpuMs: number | null }> => {
      const encoder = device.createCommandEncoder({ label: program.key });
      const pass = encoder.beginComputePass(
        querySet
          ? {
              timestampWrites: {
                querySet,
                beginningOfPassWriteIndex: 0,
                endOfPassWriteIndex: 1,
              },
            }
          : {},
      );
      for (let i = 0; i < count; i++) runner.dispatch(pass, program, bindGroup);
      pass.end();
      if (querySet && queryResolve) encoder.resolveQuerySet(querySet, 0, 2, queryResolve, 0);
      const commands = encoder.finish();
      const start = performance.now();
      device.queue.submit([commands]);
      await device.queue.onSubmittedWorkDone();
      const wallMs = performance.now() - start;
      let gpuMs: number | null = null;
      if (queryResolve) {
        const ticks = new BigUint64Array(await readBuffer(device, queryResolve, 16));
        const elapsed = Number(ticks[1]! - ticks[0]!) / 1e6;
        gpuMs = elapsed > 0 ? elapsed : null;
      }
      return { wallMs, gpuMs };
    };

    await run(1); // warm-up
    const cData = new Float32Array(await readBuffer(device, c, m * n * 4));
    const maxErrorRatio = spotCheck(cData, shape, options, offsets);

    // Dispatches per submit: doubled until one submit takes at least the sample time.
    let count = 1;
    for (;;) {
      const { wallMs } = await run(count);
      if (wallMs >= args.seconds * 1000 || count >= 4096) break;
      count = Math.min(4096, count * Math.max(2, Math.ceil((args.seconds * 1000) / wallMs / 2)));
    }
    const wall: number[] = [];
    const gpu: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      const { wallMs, gpuMs } = await run(count);
      wall.push(wallMs / count);
      if (gpuMs !== null) gpu.push(gpuMs / count);
    }
    const flops = matmulFlops(m, k, n);
    const gflops = flops / (median(wall) * 1e6);
    return {
      shape: `${m}×${k}·${k}×${n}`,
      m,
      k,
      n,
      transposes,
      tile: describeTile(tile),
      chosen: describeTile(tile) === describeTile(chosenTile),
      compileMs,
      dispatchesPerSubmit: count,
      msPerDispatch: median(wall),
      gflops,
      bestGflops: flops / (Math.min(...wall) * 1e6),
      timestampGflops: gpu.length > 0 ? flops / (median(gpu) * 1e6) : null,
      percentOfPeak: args.peakGflops ? (100 * gflops) / args.peakGflops : null,
      maxErrorRatio,
    };
  } finally {
    for (const buffer of [a, b, c, queryResolve]) buffer?.destroy();
    querySet?.destroy();
  }
}

/** Whether matmulProgram accepts the tile for the shape (within the default limits). */
function usable(shape: MatmulShape, tile: MatmulTile): boolean {
  try {
    matmulProgram(shape, { tile });
    return true;
  } catch {
    return false;
  }
}

/** Three significant digits below 1000 (emulation gives 0.0xx), whole numbers above. */
function gflopsText(value: number): string {
  return value >= 1000 ? value.toFixed(0) : value.toPrecision(3);
}

function fixed(value: number | null, digits: number): string {
  return value === null ? '—' : value.toFixed(digits);
}

function markdown(rows: readonly Measurement[], args: Args): string {
  const header = [
    'shape m×k·k×n',
    'op',
    'tile (tileM×tileN×tileK)',
    'compile ms',
    'dispatches/submit',
    'ms/dispatch',
    'GFLOP/s',
    'best GFLOP/s',
    'GFLOP/s (timestamps)',
    ...(args.peakGflops ? ['% of peak'] : []),
    'max err/bound',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = [
      row.shape,
      row.transposes,
      `${row.tile}${row.chosen ? ' ◀ chosen' : ''}`,
      row.compileMs.toFixed(0),
      String(row.dispatchesPerSubmit),
      row.msPerDispatch.toPrecision(3),
      gflopsText(row.gflops),
      gflopsText(row.bestGflops),
      row.timestampGflops === null ? '—' : gflopsText(row.timestampGflops),
      ...(args.peakGflops ? [fixed(row.percentOfPeak, 1)] : []),
      row.maxErrorRatio.toFixed(3),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const isChild = Boolean(process.env[CHILD_FLAG]);
  if (args.swiftshader && !isChild) return rerunWithSwiftShader();

  Object.assign(globalThis, globals);
  // Kept referenced until the end: collecting it while a device is in use crashes Dawn.
  const gpu = create(args.dawnFlags);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    if (!isChild) return rerunWithSwiftShader();
    throw new Error('no WebGPU adapter, even with SwiftShader (see scripts/gpu-env.mjs)');
  }
  const info = describeAdapter(adapter);
  const emulated = isSoftwareAdapter(info);
  const timestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    label: 'gpu-matmul-bench',
    requiredFeatures: timestamps ? ['timestamp-query'] : [],
  });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (event) => {
    errors.push((event as GPUUncapturedErrorEvent).error.message);
  });
  const runner = new GpuRunner(device);
  // chooseTile's occupancy target: a software adapter is full with a few workgroups.
  const fillWorkgroups = emulated ? SOFTWARE_FILL_WORKGROUPS : GPU_FILL_WORKGROUPS;
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const adapterLine =
    `${info.vendor} ${info.architecture} ${adapter.info.device} ${info.description}`.trim();
  log(`adapter: ${adapterLine}${emulated ? ' — SOFTWARE EMULATION, not GPU speed' : ''}`);

  const rows: Measurement[] = [];
  for (const shape of args.shapes) {
    const chosenTile = chooseTile(shape, device.limits, fillWorkgroups);
    const tiles =
      args.tiles.length > 0
        ? args.tiles
        : args.allTiles
          ? MATMUL_TILES.filter((tile) => usable(shape, tile))
          : [chosenTile];
    for (const transposes of args.transposes) {
      for (const tile of tiles) {
        const row = await measure(
          device,
          runner,
          shape,
          transposes,
          tile,
          chosenTile,
          args,
          timestamps,
        );
        log(
          `${row.shape} ${transposes} ${row.tile}: ${gflopsText(row.gflops)} GFLOP/s, ` +
            `compile ${row.compileMs.toFixed(0)} ms, err/bound ${row.maxErrorRatio.toFixed(3)}`,
        );
        rows.push(row);
      }
    }
  }
  if (errors.length > 0) throw new Error(`WebGPU errors:\n${errors.join('\n')}`);

  const machine = {
    host: `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${os.platform()} ${os.release()}`,
    node: process.version,
    adapter: { ...info, device: adapter.info.device },
    emulated,
    timestampQuery: timestamps,
    fillWorkgroups,
    dawnFlags: args.dawnFlags,
  };
  const failed = rows.filter((row) => !(row.maxErrorRatio <= 1));
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ machine, rows }, null, 2)}\n`);
  } else {
    const title = emulated
      ? `WebGPU matmul on ${adapterLine}: SOFTWARE EMULATION (SwiftShader on the CPU), not GPU speed`
      : `WebGPU matmul on ${adapterLine}`;
    process.stdout.write(
      `## ${title}\n\nhost: ${machine.host}, Node ${machine.node}` +
        `${args.dawnFlags.length ? `, Dawn flags ${args.dawnFlags.join(',')}` : ''}\n\n` +
        `${markdown(rows, args)}\n\n` +
        'GFLOP/s = 2·m·k·n per dispatch over the median wall time per dispatch (submit → ' +
        'onSubmittedWorkDone, many dispatches per submit); op: NN = A·B, TN = Aᵀ·B, NT = A·Bᵀ. ' +
        'max err/bound: worst spot-checked |c − ref| / (γ_K·Σ|a||b|), must be ≤ 1. ' +
        `◀ chosen: chooseTile's pick with fillWorkgroups = ${fillWorkgroups}` +
        `${emulated ? ' (software adapter)' : ''}.\n`,
    );
  }
  device.destroy();
  void gpu;
  if (failed.length > 0) {
    log(
      `FAILED accuracy spot check: ${failed.map((row) => `${row.shape} ${row.transposes} ${row.tile}`).join('; ')}`,
    );
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
