/**
 * The reduction kernels (src/backends/webgpu/kernels/reduce.ts) against the CPU's definitions of
 * each statistic (src/backends/cpu/network-pass.ts: sumOfSquares, activationStatistics, the dead
 * and saturated counts of runNetworkPass), evaluated here in f64 on the same f32 inputs. Sums are
 * held to the f32 rounding bound of the reduction tree; min/max, counts and histograms must match
 * exactly, the histogram under the f32 binning rule that `referenceBin` states.
 */
import { describe, expect } from 'vitest';
import {
  encodeReduceSteps,
  layerStatisticsSteps,
  reduceScratchBytes,
  sumAdditionDepth,
  sumOfSquaresSteps,
  type ReduceStep,
} from '../../src/backends/webgpu/kernels/reduce.ts';
import { GpuRunner, readBuffer, uploadBuffer } from '../../src/backends/webgpu/runner.ts';
import {
  STATS_HEADER_WORDS,
  StatsField,
  statsRecordOffset,
  statsRecordWords,
} from '../../src/backends/webgpu/stats-layout.ts';
import { NumpyRandomState } from '../../src/engine/rng.ts';
import { gpuTest } from './gpu.ts';

/** Unit roundoff of f32 (round to nearest). */
const U32 = 2 ** -24;
const F32_MAX = 3.4028234663852886e38;
/** What the caller's buffers hold before the steps run: the steps must overwrite what they own. */
const GARBAGE = 0xdeadbeef;

const runners = new WeakMap<GPUDevice, GpuRunner>();
/** One runner per device, so that pipelines compile once per file (SwiftShader compiles slowly). */
function runnerFor(device: GPUDevice): GpuRunner {
  let runner = runners.get(device);
  if (!runner) {
    runner = new GpuRunner(device);
    runners.set(device, runner);
  }
  return runner;
}

const bitsView = new DataView(new ArrayBuffer(4));
function f32FromBits(bits: number): number {
  bitsView.setUint32(0, bits);
  return bitsView.getFloat32(0);
}
function bitsOfF32(value: number): number {
  bitsView.setFloat32(0, value);
  return bitsView.getUint32(0);
}
/** The f32 next to `value` (an f32) toward +∞ or −∞. */
function nextF32(value: number, direction: 1 | -1): number {
  if (value === 0) return direction * 2 ** -149;
  const bits = bitsOfF32(value);
  return f32FromBits(value > 0 === direction > 0 ? bits + 1 : bits - 1);
}

/**
 * The histogram's binning rule for f32 data (fl = Math.fround; every step is one f32 operation,
 * which JS evaluates exactly in f64 and then rounds once, which is the correctly rounded f32
 * result for +, −, ×, ÷ of f32 operands):
 *   halfWidth = fl(max/2 − min/2)
 *   halfWidth < 2⁻⁶⁴ (max == min included): bin 0
 *   else bin = min(bins − 1, ⌊fl(fl(v/2 − min/2) · fl(bins / halfWidth))⌋)
 * Without overflow this equals min(bins − 1, ⌊fl(fl(v − min) · fl(bins / fl(max − min)))⌋): the
 * CPU's formula evaluated in f32 instead of f64.
 */
function binScale(min: number, max: number, bins: number): number {
  const halfWidth = Math.fround(max / 2 - min / 2);
  return halfWidth >= 2 ** -64 ? Math.fround(bins / halfWidth) : 0;
}
function referenceBin(value: number, min: number, scale: number, bins: number): number {
  if (scale === 0) return 0;
  const halfOffset = Math.fround(value / 2 - min / 2);
  return Math.min(bins - 1, Math.floor(Math.fround(halfOffset * scale)));
}

interface ReferenceStatistics {
  sum: number;
  /** Σ|a|, for the rounding bound of the sum. */
  sumAbs: number;
  mean: number;
  centeredSumSq: number;
  min: number;
  max: number;
  nonFinite: number;
  counts: number[];
  dead: number;
  saturated: number;
}

/** runNetworkPass's statistics of one layer, in f64 on the f32 inputs. */
function referenceStatistics(
  activations: Float32Array,
  preResidual: Float32Array,
  derivatives: Float32Array,
  units: number,
  batch: number,
  bins: number,
  threshold: number,
): ReferenceStatistics {
  const length = units * batch;
  let sum = 0;
  let sumAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let j = 0; j < length; j++) {
    const v = activations[j]!;
    sum += v;
    sumAbs += Math.abs(v);
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    } else nonFinite++;
  }
  const mean = sum / length;
  let centeredSumSq = 0;
  for (let j = 0; j < length; j++) centeredSumSq += (activations[j]! - mean) ** 2;
  const counts = new Array<number>(bins).fill(0);
  if (nonFinite === length) {
    min = NaN;
    max = NaN;
  } else {
    const scale = binScale(min, max, bins);
    for (let j = 0; j < length; j++) {
      const v = activations[j]!;
      if (Number.isFinite(v)) counts[referenceBin(v, min, scale, bins)]!++;
    }
  }
  let dead = 0;
  for (let i = 0; i < units; i++) {
    let allZero = true;
    for (let b = 0; b < batch && allZero; b++) allZero = preResidual[i * batch + b] === 0;
    if (allZero) dead++;
  }
  let saturated = 0;
  for (let j = 0; j < length; j++) if (Math.abs(derivatives[j]!) <= threshold) saturated++;
  return { sum, sumAbs, mean, centeredSumSq, min, max, nonFinite, counts, dead, saturated };
}

/** A record as the GPU wrote it. */
interface GpuRecord {
  sum: number;
  centeredSumSq: number;
  min: number;
  max: number;
  minBits: number;
  maxBits: number;
  nonFinite: number;
  dead: number;
  saturated: number;
  counts: number[];
}

function readRecord(words: Uint32Array, offset: number, bins: number): GpuRecord {
  const word = (field: number): number => words[offset + field]!;
  return {
    sum: f32FromBits(word(StatsField.activationSum)),
    centeredSumSq: f32FromBits(word(StatsField.activationCenteredSumSq)),
    min: f32FromBits(word(StatsField.activationMin)),
    max: f32FromBits(word(StatsField.activationMax)),
    minBits: word(StatsField.activationMin),
    maxBits: word(StatsField.activationMax),
    nonFinite: word(StatsField.nonFinite),
    dead: word(StatsField.deadUnits),
    saturated: word(StatsField.saturated),
    counts: Array.from(
      words.subarray(offset + STATS_HEADER_WORDS, offset + STATS_HEADER_WORDS + bins),
    ),
  };
}

/** A stats buffer of `words` words, all GARBAGE. */
function garbageStats(device: GPUDevice, words: number): GPUBuffer {
  return uploadBuffer(device, new Uint32Array(words).fill(GARBAGE), 'stats');
}

function scratchBuffer(device: GPUDevice, maxLength: number): GPUBuffer {
  return device.createBuffer({
    label: 'reduce-scratch',
    size: reduceScratchBytes(maxLength),
    usage: GPUBufferUsage.STORAGE,
  });
}

/** Encodes every list of steps, in order, into one compute pass, and waits for it. */
async function runInOnePass(runner: GpuRunner, lists: readonly ReduceStep[][]): Promise<void> {
  const encoder = runner.device.createCommandEncoder({ label: 'reduce-test' });
  const pass = encoder.beginComputePass();
  for (const steps of lists) encodeReduceSteps(runner, pass, steps);
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  await runner.device.queue.onSubmittedWorkDone();
}

async function readWords(
  device: GPUDevice,
  buffer: GPUBuffer,
  words: number,
): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(device, buffer, words * 4));
}

function normals(
  rng: NumpyRandomState,
  length: number,
  scale = 1,
  shift = 0,
): Float32Array<ArrayBuffer> {
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) out[j] = shift + scale * rng.normal();
  return out;
}

/** A layer's three arrays and its parameters. */
interface LayerCase {
  name: string;
  units: number;
  batch: number;
  bins: number;
  threshold: number;
  activations: Float32Array;
  preResidual: Float32Array;
  derivatives: Float32Array;
}

/** Random activations and derivatives; a few rows of preResidual zero (with −0s), one almost. */
function randomLayer(
  rng: NumpyRandomState,
  name: string,
  units: number,
  batch: number,
  bins: number,
): LayerCase {
  const length = units * batch;
  const activations = normals(rng, length, 3, 0.5);
  const preResidual = normals(rng, length);
  for (let i = 0; i < units; i++) {
    const pick = rng.uniform();
    if (pick < 0.3 || pick > 0.4) continue;
    const row = preResidual.subarray(i * batch, (i + 1) * batch);
    row.fill(0);
    if (pick < 0.32)
      row[batch - 1] = 1e-3; // Not dead: one non-zero at the end.
    else if (pick < 0.35) row[Math.floor(rng.uniform() * batch)] = -0; // Dead: −0 is zero.
  }
  const derivatives = new Float32Array(length);
  for (let j = 0; j < length; j++) derivatives[j] = (rng.uniform() - 0.5) * 4e-3;
  return { name, units, batch, bins, threshold: 0.25e-3, activations, preResidual, derivatives };
}

/** Builds every case's steps with its record at statsRecordOffset(k), runs them in one pass. */
async function runLayers(
  device: GPUDevice,
  cases: readonly LayerCase[],
  passes = 1,
): Promise<{ words: Uint32Array; offsets: number[] }> {
  const runner = runnerFor(device);
  const maxLength = Math.max(...cases.map((c) => c.units * c.batch));
  const scratch = scratchBuffer(device, maxLength);
  const offsets: number[] = [];
  let words = 0;
  for (const c of cases) {
    offsets.push(words);
    words += statsRecordWords(c.bins);
  }
  const stats = garbageStats(device, words);
  const lists: ReduceStep[][] = [];
  for (const [k, c] of cases.entries()) {
    // One buffer where the arrays are one (preResidual is a⁽ˡ⁾ itself without a residual).
    const activations = uploadBuffer(device, c.activations, `${c.name}:a`);
    const sameOr = (array: Float32Array, label: string): GPUBuffer =>
      array === c.activations ? activations : uploadBuffer(device, array, `${c.name}:${label}`);
    lists.push(
      await layerStatisticsSteps(runner, {
        activations,
        preResidual: sameOr(c.preResidual, 'h'),
        derivatives: sameOr(c.derivatives, 'd'),
        units: c.units,
        batch: c.batch,
        bins: c.bins,
        threshold: c.threshold,
        stats,
        recordOffset: offsets[k]!,
        scratch,
      }),
    );
  }
  for (let p = 0; p < passes; p++) await runInOnePass(runner, lists);
  return { words: await readWords(device, stats, words), offsets };
}

/** Asserts one GPU record against the reference (only non-finiteness of the sums with NaN/∞ data). */
function expectRecord(c: LayerCase, gpu: GpuRecord): void {
  const length = c.units * c.batch;
  const ref = referenceStatistics(
    c.activations,
    c.preResidual,
    c.derivatives,
    c.units,
    c.batch,
    c.bins,
    c.threshold,
  );
  const label = `${c.name} (${c.units}×${c.batch}, ${c.bins} bins)`;
  expect(gpu.nonFinite, `${label}: nonFinite`).toBe(ref.nonFinite);
  expect(gpu.dead, `${label}: deadUnits`).toBe(ref.dead);
  expect(gpu.saturated, `${label}: saturated`).toBe(ref.saturated);
  // Zero extremes are written as +0 whatever the order of ±0 in the data.
  expect(gpu.min, `${label}: min`).toBe(ref.min + 0);
  expect(gpu.max, `${label}: max`).toBe(ref.max + 0);
  expect(gpu.counts, `${label}: histogram`).toEqual(ref.counts);
  if (ref.nonFinite > 0) {
    expect(Number.isFinite(gpu.sum), `${label}: sum non-finite`).toBe(false);
    expect(Number.isFinite(gpu.centeredSumSq), `${label}: centered non-finite`).toBe(false);
    return;
  }
  // |Σ̂ − Σ| ≤ depth·u·Σ|a| (plus one u for the final rounding to f32).
  const sumBound = (sumAdditionDepth(length) + 1) * U32 * ref.sumAbs;
  expect(Math.abs(gpu.sum - ref.sum), `${label}: sum`).toBeLessThanOrEqual(sumBound);
  const mean = gpu.sum / length;
  expect(Math.abs(mean - ref.mean), `${label}: mean`).toBeLessThanOrEqual(sumBound / length);
  // The centered pass uses the f32 mean, off by δ: Σ(a − μ − δ)² = Σ(a − μ)² + nδ², so the std
  // moves by at most |δ| on top of its own rounding. Well-conditioned data (δ ≪ std) keeps the
  // 1e-5 relative bound; data far from 0 with a tiny spread is not held to it.
  const meanError = sumBound / length + 2 * U32 * Math.abs(ref.mean);
  const std = Math.sqrt(gpu.centeredSumSq / length);
  const refStd = Math.sqrt(ref.centeredSumSq / length);
  expect(Math.abs(std - refStd), `${label}: std`).toBeLessThanOrEqual(
    1e-5 * refStd + meanError + 1e-30,
  );
}

describe('WebGPU reductions (Node)', () => {
  gpuTest(
    'Σx²: lengths 1 to 1049000 in one pass, within the tree-sum bound, twice with new data',
    async (device) => {
      const runner = runnerFor(device);
      const rng = new NumpyRandomState(1);
      // 300000: 74 first-level workgroups of 16 entries per invocation; 1049000: 257 partials, more
      // than the last level's invocations.
      const lengths = [1, 7, 255, 256, 257, 1000, 65537, 300_000, 1_049_000];
      const scratch = scratchBuffer(device, Math.max(...lengths));
      const stats = garbageStats(device, lengths.length);
      const inputs = lengths.map((n) => uploadBuffer(device, new Float32Array(n), `x${n}`));
      const lists = await Promise.all(
        lengths.map((n, k) => sumOfSquaresSteps(runner, inputs[k]!, n, stats, k, scratch)),
      );
      for (const round of [0, 1]) {
        const data = lengths.map((n, k) => normals(rng, n, 10 ** (k - 3 - round)));
        data.forEach((x, k) => device.queue.writeBuffer(inputs[k]!, 0, x));
        await runInOnePass(runner, lists);
        const words = await readWords(device, stats, lengths.length);
        lengths.forEach((n, k) => {
          let exact = 0; // x² of an f32 is exact in f64, and so is a sum this short, nearly.
          for (const x of data[k]!) exact += x * x;
          const got = f32FromBits(words[k]!);
          // Each square rounds once (u), then at most `depth` additions (u each).
          const bound = (sumAdditionDepth(n) + 2) * U32 * exact;
          expect(Math.abs(got - exact), `round ${round}, length ${n}`).toBeLessThanOrEqual(bound);
          expect(bound / exact).toBeLessThanOrEqual((Math.log2(n) + 18) * U32);
        });
      }
    },
    120_000,
  );

  gpuTest(
    'layer statistics match the CPU definitions on random arrays',
    async (device) => {
      const rng = new NumpyRandomState(2);
      const shapes: [number, number, number][] = [
        [1, 1, 32],
        [7, 1, 32],
        [1, 7, 7],
        [15, 17, 32],
        [16, 16, 2],
        [257, 1, 32],
        [40, 25, 1024],
        [65537, 1, 32],
        [300, 1000, 64],
        [1025, 1024, 32],
      ];
      const cases = shapes.map(([units, batch, bins]) =>
        randomLayer(rng, `random ${units * batch}`, units, batch, bins),
      );
      const { words, offsets } = await runLayers(device, cases);
      cases.forEach((c, k) => expectRecord(c, readRecord(words, offsets[k]!, c.bins)));
    },
    120_000,
  );

  gpuTest('histogram: values on and next to every bin edge, many ranges', async (device) => {
    const rng = new NumpyRandomState(3);
    const cases: LayerCase[] = [];
    for (let k = 0; k < 64; k++) {
      const bins = [2, 3, 7, 10, 32, 100, 1000][k % 7]!;
      const min = Math.fround((rng.uniform() - 0.5) * 10 ** (rng.uniform() * 8 - 4));
      const max = Math.fround(min + 10 ** (rng.uniform() * 12 - 6));
      const values = [min, max];
      for (let e = 0; e <= bins && values.length < 2048; e++) {
        const edge = Math.fround(min + ((max - min) * e) / bins);
        for (const v of [edge, nextF32(edge, 1), nextF32(edge, -1)]) {
          if (v >= min && v <= max) values.push(v);
        }
      }
      // Quantized data: many values exactly on edges in decimal, like rounded activations.
      for (let j = 0; j < 200; j++) values.push(Math.fround(min + ((max - min) * j) / 200));
      const activations = Float32Array.from(values);
      const ones = new Float32Array(activations.length).fill(1);
      cases.push({
        name: `edges ${k}`,
        units: 1,
        batch: activations.length,
        bins,
        threshold: 0,
        activations,
        preResidual: ones,
        derivatives: ones,
      });
    }
    const { words, offsets } = await runLayers(device, cases);
    let naiveDisagreements = 0;
    cases.forEach((c, k) => {
      const gpu = readRecord(words, offsets[k]!, c.bins);
      expectRecord(c, gpu);
      // How often the CPU's present f64 formula bins differently (reported, not asserted).
      const naive = new Array<number>(c.bins).fill(0);
      const scale = gpu.max > gpu.min ? c.bins / (gpu.max - gpu.min) : 0;
      for (const v of c.activations) {
        naive[Math.min(c.bins - 1, Math.floor((v - gpu.min) * scale))]!++;
      }
      naive.forEach((count, b) => (naiveDisagreements += Math.abs(count - gpu.counts[b]!)));
    });
    console.info(`edge values binned differently by the f64 formula: ${naiveDisagreements / 2}`);
  });

  gpuTest('histogram: ranges near overflow and below 2⁻⁶⁴', async (device) => {
    const rng = new NumpyRandomState(4);
    const spread = (length: number, lo: number, hi: number): Float32Array => {
      const out = new Float32Array(length);
      for (let j = 0; j < length; j++) out[j] = lo + (hi - lo) * rng.uniform();
      out[0] = lo;
      out[1] = hi;
      return out;
    };
    const arrays: [string, Float32Array, number][] = [
      // 2 / fl(FLT_MAX) is subnormal: the scale takes the prescaled path.
      ['±FLT_MAX, 2 bins', spread(1000, -F32_MAX, F32_MAX), 2],
      ['±FLT_MAX, 3 bins', spread(1000, -F32_MAX, F32_MAX), 3],
      ['max − min overflows f32', spread(1000, -2e38, 3e38), 32],
      ['width 1e-20 (< 2⁻⁶⁴): bin 0', spread(1000, 0, 1e-20), 32],
      ['width 2⁻⁶² at 1e-30', spread(1000, 1e-30, 1e-30 + 2 ** -62), 16],
      ['subnormal values', spread(1000, -1e-40, 1e-39), 8],
    ];
    const cases = arrays.map(([name, activations, bins]): LayerCase => {
      const ones = new Float32Array(activations.length).fill(1);
      return {
        name,
        units: 10,
        batch: activations.length / 10,
        bins,
        threshold: 0,
        activations,
        preResidual: ones,
        derivatives: ones,
      };
    });
    const { words, offsets } = await runLayers(device, cases);
    cases.forEach((c, k) => {
      const gpu = readRecord(words, offsets[k]!, c.bins);
      const ref = referenceStatistics(
        c.activations,
        c.preResidual,
        c.derivatives,
        c.units,
        c.batch,
        c.bins,
        c.threshold,
      );
      expect(gpu.min, `${c.name}: min`).toBe(ref.min + 0);
      expect(gpu.max, `${c.name}: max`).toBe(ref.max + 0);
      expect(gpu.counts, `${c.name}: histogram`).toEqual(ref.counts);
    });
  });

  gpuTest('non-finite activations: counted, outside min/max and the histogram', async (device) => {
    const rng = new NumpyRandomState(5);
    const sprinkle = (length: number, specials: number[]): Float32Array => {
      const out = normals(rng, length, 2);
      for (let j = 0; j < length; j += 7) out[j] = specials[(j / 7) % specials.length]!;
      return out;
    };
    const arrays: [string, Float32Array][] = [
      ['NaN and ±∞', sprinkle(1000, [NaN, Infinity, -Infinity])],
      ['+∞ only', sprinkle(300, [Infinity])],
      ['NaN in a long array', sprinkle(65537, [NaN])],
      [
        'every value non-finite',
        Float32Array.from({ length: 300 }, (_, j) => [NaN, Infinity][j % 2]!),
      ],
      ['one NaN', Float32Array.of(NaN)],
    ];
    const cases = arrays.map(([name, activations]): LayerCase => ({
      name,
      units: activations.length,
      batch: 1,
      bins: 16,
      threshold: 0.5,
      activations,
      preResidual: activations,
      derivatives: activations,
    }));
    const { words, offsets } = await runLayers(device, cases);
    cases.forEach((c, k) => {
      const gpu = readRecord(words, offsets[k]!, c.bins);
      expectRecord(c, gpu);
      if (c.name === '+∞ only') expect(gpu.sum).toBe(Infinity);
      if (c.name.includes('NaN')) expect(gpu.sum).toBeNaN();
      if (c.name === 'every value non-finite' || c.name === 'one NaN') {
        expect(gpu.minBits).toBe(0x7fc00000);
        expect(gpu.maxBits).toBe(0x7fc00000);
        expect(gpu.counts.every((count) => count === 0)).toBe(true);
      }
    });
  });

  gpuTest('all-equal arrays: max == min puts everything in bin 0', async (device) => {
    const cases = (
      [
        ['0.1 × 1000', 0.1, 1000, 1],
        ['−3 × 64×64', -3, 64, 64],
        ['zeros 33×7', 0, 33, 7],
        ['−0 × 5', -0, 5, 1],
      ] as const
    ).map(([name, value, units, batch]): LayerCase => {
      const activations = new Float32Array(units * batch).fill(value);
      return {
        name,
        units,
        batch,
        bins: 10,
        threshold: 1e-3,
        activations,
        preResidual: activations,
        derivatives: activations,
      };
    });
    const { words, offsets } = await runLayers(device, cases);
    cases.forEach((c, k) => {
      const gpu = readRecord(words, offsets[k]!, c.bins);
      expectRecord(c, gpu);
      expect(gpu.counts[0]).toBe(c.units * c.batch);
      expect(gpu.dead).toBe(c.activations[0] === 0 ? c.units : 0);
    });
  });

  gpuTest('dead units: batch 1, large batches, −0, NaN and subnormal rows', async (device) => {
    const rng = new NumpyRandomState(6);
    const cases = (
      [
        [1000, 1],
        [5, 3000],
        [33, 7],
        [3, 256],
        [2, 257],
        [4096, 3],
      ] as const
    ).map(([units, batch]): LayerCase => {
      const layer = randomLayer(rng, `dead ${units}×${batch}`, units, batch, 8);
      const rows = layer.preResidual;
      const special = [NaN, -0, 1e-45, Infinity];
      for (let i = 0; i < units; i += 5) {
        const row = rows.subarray(i * batch, (i + 1) * batch);
        row.fill(i % 10 === 0 ? -0 : 0);
        row[(i * 7) % batch] = special[(i / 5) % special.length]!;
      }
      return layer;
    });
    const { words, offsets } = await runLayers(device, cases);
    cases.forEach((c, k) => expectRecord(c, readRecord(words, offsets[k]!, c.bins)));
  });

  gpuTest('saturated: |φ′| ≤ threshold exactly as f32 against an f64 threshold', async (device) => {
    const thresholds = [0.25e-3, 1e-3 * 0.5, 1, 0, Infinity, -1, NaN, 2 ** -130];
    const cases = thresholds.map((threshold, k): LayerCase => {
      const t = Math.fround(threshold);
      const near = Number.isFinite(t) && t !== 0 ? [t, nextF32(t, 1), nextF32(t, -1)] : [];
      const derivatives = Float32Array.from([
        ...near,
        ...near.map((v) => -v),
        0,
        -0,
        NaN,
        Infinity,
        -Infinity,
        2 ** -149,
        1,
        -0.5,
        1e-3,
      ]);
      const ones = new Float32Array(derivatives.length).fill(1);
      return {
        name: `threshold ${threshold} (${k})`,
        units: derivatives.length,
        batch: 1,
        bins: 4,
        threshold,
        activations: ones,
        preResidual: ones,
        derivatives,
      };
    });
    const { words, offsets } = await runLayers(device, cases);
    cases.forEach((c, k) => expectRecord(c, readRecord(words, offsets[k]!, c.bins)));
  });

  gpuTest('two layers in one stats buffer: records written independently', async (device) => {
    const runner = runnerFor(device);
    const rng = new NumpyRandomState(7);
    const bins = 20;
    const layers = [
      randomLayer(rng, 'layer 1', 64, 32, bins),
      randomLayer(rng, 'layer 2', 9, 500, bins),
    ];
    layers[1]!.activations.forEach((v, j, a) => (a[j] = v * 100 - 7));
    const recordWords = statsRecordWords(bins);
    const stats = garbageStats(device, 2 * recordWords);
    const scratch = scratchBuffer(device, 4500);
    const gradient = normals(rng, 300);
    const gradientBuffer = uploadBuffer(device, gradient, 'delta');
    const lists: ReduceStep[][] = [];
    for (const [k, c] of layers.entries()) {
      const recordOffset = statsRecordOffset(k, bins);
      lists.push(
        await layerStatisticsSteps(runner, {
          activations: uploadBuffer(device, c.activations, 'a'),
          preResidual: uploadBuffer(device, c.preResidual, 'h'),
          derivatives: uploadBuffer(device, c.derivatives, 'd'),
          units: c.units,
          batch: c.batch,
          bins,
          threshold: c.threshold,
          stats,
          recordOffset,
          scratch,
        }),
        await sumOfSquaresSteps(
          runner,
          gradientBuffer,
          100 * (k + 1),
          stats,
          recordOffset + StatsField.gradSumSq,
          scratch,
        ),
      );
    }
    // Twice: the histogram counts are rebuilt, not accumulated, on every run.
    await runInOnePass(runner, lists);
    await runInOnePass(runner, lists);
    const words = await readWords(device, stats, 2 * recordWords);
    for (const [k, c] of layers.entries()) {
      const offset = statsRecordOffset(k, bins);
      expectRecord(c, readRecord(words, offset, bins));
      let exact = 0;
      for (let j = 0; j < 100 * (k + 1); j++) exact += gradient[j]! ** 2;
      const gradSumSq = f32FromBits(words[offset + StatsField.gradSumSq]!);
      expect(Math.abs(gradSumSq - exact)).toBeLessThanOrEqual(
        (sumAdditionDepth(100 * (k + 1)) + 2) * U32 * exact,
      );
      // Words these steps do not own keep what the caller left there.
      for (const field of [StatsField.weightGradSumSq, StatsField.lossSumSq, 10, 15]) {
        expect(words[offset + field], `layer ${k + 1} word ${field}`).toBe(GARBAGE);
      }
    }
  });
});
