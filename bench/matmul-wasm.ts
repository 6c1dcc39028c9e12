/**
 * Matmul throughput of the WebAssembly SIMD kernel (src/backends/cpu/wasm; the best build this
 * engine runs, named in the output) against the
 * TypeScript kernel (matmulF32) and TF.js's wasm matMul (XNNPACK), one thread, in GFLOP/s
 * (2·M·K·N flops per product). The implementations take turns within each shape, and each
 * reports its median and best sample: on a shared machine the best is the closer estimate of
 * what a quiet core does, and only ratios within one run are meaningful.
 *
 *   npx tsx bench/matmul-wasm.ts            all shapes
 *   npx tsx bench/matmul-wasm.ts --quick    fewer, shorter samples
 *
 * 'copies' is the share of the wasm call spent copying A and B into wasm memory and C out,
 * measured as the same three Float32Array.set calls on their own.
 */
import os from 'node:os';
import { matmulF32 } from '../src/backends/cpu/matmul-f32.ts';
import { WasmKernels } from '../src/backends/cpu/wasm/wasm-kernels.ts';
import {
  KERNELS_WASM,
  RELAXED_MATMUL_WASM,
} from '../src/backends/cpu/wasm/kernels-wasm.generated.ts';
import { setupTfjs } from './tfjs-peer.ts';
import { median } from '../src/engine/experiment.ts';

type Shape = readonly [m: number, k: number, n: number];

const SHAPES: readonly Shape[] = [
  [256, 256, 64], // z = W·a and Wᵀ·δ in `npm run bench`
  [256, 64, 256], // ∂L/∂W = δ·aᵀ
  [1024, 1024, 64],
  [1024, 1024, 1024],
  [257, 255, 65], // ragged edges in every dimension
  [256, 256, 1], // a batch of one: 7/8 of the 4×8 tile is padding
];

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 9;
const SAMPLE_MS = quick ? 40 : 80;

interface Rate {
  median: number;
  best: number;
}

/** Seconds per call of `run`, one sample: repeats it for at least SAMPLE_MS. */
function sample(run: () => void): number {
  let calls = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    run();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < SAMPLE_MS);
  return elapsed / 1000 / calls;
}

/** Takes turns between the implementations, ROUNDS samples each, after one warm-up call each. */
function measure(shape: Shape, runs: readonly (() => void)[]): Rate[] {
  const [m, k, n] = shape;
  const flops = 2 * m * k * n;
  for (const run of runs) run();
  const seconds: number[][] = runs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    runs.forEach((run, i) => seconds[i]!.push(sample(run)));
  }
  return seconds.map((s) => ({
    median: flops / median(s) / 1e9,
    best: flops / Math.min(...s) / 1e9,
  }));
}

function randomMatrix(length: number, seed: number): Float32Array {
  let state = seed;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state * 48271) % 2147483647;
    out[i] = state / 2147483647 - 0.5;
  }
  return out;
}

async function main(): Promise<void> {
  const wasm = WasmKernels.create();
  if (!wasm) throw new Error('WebAssembly SIMD is unavailable in this runtime');
  const { tf, description } = await setupTfjs('wasm');
  const wasmBytes = (wasm.name === 'wasm-relaxed-simd' ? RELAXED_MATMUL_WASM : KERNELS_WASM).length;

  console.log(
    `matmul GFLOP/s, one thread: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `Node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(
    `gradlab wasm: ${wasm.name}, ${wasmBytes} bytes, 4×8 micro-kernel; peer: ${description}`,
  );
  console.log(`${ROUNDS} interleaved samples of ≥ ${SAMPLE_MS} ms each: median (best)`);
  console.log('');
  const widths = [19, 14, 14, 14, 9, 9, 8];
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join(' ');
  console.log(
    row(['M×K·K×N', 'gradlab wasm', 'gradlab TS', 'tfjs wasm', 'wasm/TS', 'vs tfjs', 'copies']),
  );

  for (const shape of SHAPES) {
    const [m, k, n] = shape;
    const a = randomMatrix(m * k, 1 + m);
    const b = randomMatrix(k * n, 2 + n);
    const cWasm = new Float32Array(m * n);
    const cTs = new Float32Array(m * n);

    wasm.matmul(a, b, cWasm, m, k, n);
    matmulF32(a, b, cTs, m, k, n);
    let worst = 0;
    for (let i = 0; i < m * n; i++) {
      worst = Math.max(worst, Math.abs(cWasm[i]! - cTs[i]!) / (1 + Math.abs(cTs[i]!)));
    }
    if (!(worst < 1e-4)) throw new Error(`wasm matmul disagrees with matmulF32 at ${shape}`);

    const ta = tf.tensor2d(a, [m, k]);
    const tb = tf.tensor2d(b, [k, n]);
    const staging = new Float32Array(m * k + k * n + m * n);
    const [wasmRate, tsRate, tfRate, copyRate] = measure(shape, [
      () => wasm.matmul(a, b, cWasm, m, k, n),
      () => matmulF32(a, b, cTs, m, k, n),
      () => {
        const tc = tf.matMul(ta, tb);
        tc.dataSync(); // the product is only done once its values are read
        tc.dispose();
      },
      () => {
        staging.set(a, 0);
        staging.set(b, m * k);
        cWasm.set(staging.subarray(m * k + k * n));
      },
    ]) as [Rate, Rate, Rate, Rate];
    tf.dispose([ta, tb]);

    const fmt = (rate: Rate) => `${rate.median.toFixed(1)} (${rate.best.toFixed(1)})`;
    console.log(
      row([
        `${m}×${k}·${k}×${n}`,
        fmt(wasmRate),
        fmt(tsRate),
        fmt(tfRate),
        `${(wasmRate.median / tsRate.median).toFixed(1)}×`,
        `${(wasmRate.median / tfRate.median).toFixed(2)}×`,
        // Rates are flops per second, so time shares are inverse rates.
        `${((100 * wasmRate.median) / copyRate.median).toFixed(0)}%`,
      ]),
    );
  }
}

await main();
