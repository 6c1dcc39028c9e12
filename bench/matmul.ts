/**
 * Matmul throughput on gradlab's shapes: the blocked f32 kernel (src/backends/cpu/matmul-f32.ts)
 * against a plain i-k-j loop and TF.js's cpu and wasm matMul, single-threaded, in GFLOP/s
 * (2·M·K·N flops per product; median of several timed samples after a warm-up).
 *
 *   npx tsx bench/matmul.ts            all shapes
 *   npx tsx bench/matmul.ts --quick    fewer samples; slow implementations skip the big shapes
 *
 * Shapes, as M×K·K×N: forward z = W·a and backward Wᵀ·δ are width×width · width×batch, and the
 * weight gradient δ·aᵀ is width×batch · batch×width.
 */
import os from 'node:os';
import { matmulF32 } from '../src/backends/cpu/matmul-f32.ts';
import { setupTfjs } from './tfjs-peer.ts';
import { median } from '../src/engine/experiment.ts';

type Shape = readonly [m: number, k: number, n: number];

const SHAPES: readonly Shape[] = [
  [256, 256, 64],
  [256, 64, 256],
  [1024, 1024, 64],
  [1024, 64, 1024],
  [2048, 2048, 64],
  [1024, 1024, 1024],
  [1024, 1024, 1],
];

const quick = process.argv.includes('--quick');
const SAMPLES = quick ? 3 : 7;
/** Each sample repeats the product until it has run at least this long. */
const SAMPLE_MS = quick ? 60 : 150;
/** Implementations slower than this many GFLOP/s skip shapes above this many flops. */
const SLOW_FLOPS_LIMIT = quick ? 3e8 : Infinity;

/** The textbook loop, in the cache-friendly i-k-j order, accumulating in C (f32). */
function naiveMatmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const aValue = a[i * k + p]!;
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j] += aValue * b[bRow + j]!;
    }
  }
}

/** GFLOP/s of `product`, median over samples; the first call warms up (JIT, scratch, wasm). */
function measure(shape: Shape, product: () => void): number {
  const [m, k, n] = shape;
  product();
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    let calls = 0;
    const start = performance.now();
    let elapsed: number;
    do {
      product();
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < SAMPLE_MS);
    samples.push((2 * m * k * n * calls) / (elapsed * 1e6));
  }
  return median(samples);
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
  // Both backends live in one tf module; setupTfjs switches between them per measurement.
  const { tf, description: wasmDescription } = await setupTfjs('wasm');

  console.log(
    `matmul GFLOP/s, one thread: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `Node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(`TF.js ${tf.version_core}: cpu = tfjs-cpu, wasm = ${wasmDescription}`);
  console.log(`median of ${SAMPLES} samples of ≥ ${SAMPLE_MS} ms each`);
  console.log(
    "'wasm Aᵀ flag' = matMul(Aᵀ, B, transposeA = true): tfjs-backend-wasm runs transposed " +
      'products outside XNNPACK, on a scalar loop',
  );
  console.log('');
  const header = [
    'M×K·K×N',
    'gradlab f32',
    'naive i-k-j',
    'tfjs cpu',
    'tfjs wasm',
    'wasm Aᵀ flag',
    'vs naive',
  ];
  const widths = [19, 12, 12, 9, 10, 13, 9];
  const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join(' ');
  console.log(row(header));

  for (const shape of SHAPES) {
    const [m, k, n] = shape;
    const a = randomMatrix(m * k, 1 + m);
    const b = randomMatrix(k * n, 2 + n);
    const c = new Float32Array(m * n);
    const reference = new Float32Array(m * n);
    const flops = 2 * m * k * n;

    const kernel = measure(shape, () => matmulF32(a, b, c, m, k, n));
    naiveMatmul(a, b, reference, m, k, n);
    let worst = 0;
    for (let i = 0; i < m * n; i++) {
      worst = Math.max(worst, Math.abs(c[i]! - reference[i]!) / (1 + Math.abs(reference[i]!)));
    }
    if (!(worst < 1e-4)) throw new Error(`matmulF32 disagrees with naive at ${shape}: ${worst}`);
    const slowAllowed = flops <= SLOW_FLOPS_LIMIT;
    const naive = slowAllowed ? measure(shape, () => naiveMatmul(a, b, reference, m, k, n)) : NaN;

    /** TF.js matMul; with `transposeA`, A is stored transposed (K×M) and flagged as such. */
    const tfjs = async (backend: 'cpu' | 'wasm', transposeA = false): Promise<number> => {
      if ((backend === 'cpu' || transposeA) && !slowAllowed) return NaN;
      await setupTfjs(backend);
      const ta = tf.tensor2d(a, [m, k]);
      const taStored = transposeA ? tf.transpose(ta) : ta;
      const tb = tf.tensor2d(b, [k, n]);
      const rate = measure(shape, () => {
        const tc = tf.matMul(taStored, tb, transposeA, false);
        tc.dataSync(); // the product is only done once its values are read
        tc.dispose();
      });
      tf.dispose([ta, taStored, tb]);
      return rate;
    };
    const tfCpuRate = await tfjs('cpu');
    const tfWasmRate = await tfjs('wasm');
    const tfWasmFlagRate = await tfjs('wasm', true);

    const fmt = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(2));
    console.log(
      row([
        `${m}×${k}·${k}×${n}`,
        fmt(kernel),
        fmt(naive),
        fmt(tfCpuRate),
        fmt(tfWasmRate),
        fmt(tfWasmFlagRate),
        Number.isNaN(naive) ? '—' : `${(kernel / naive).toFixed(1)}×`,
      ]),
    );
  }
}

await main();
