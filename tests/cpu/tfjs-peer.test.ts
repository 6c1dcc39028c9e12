/**
 * The TF.js benchmark peer (bench/tfjs-peer.ts) must compute what gradlab computes, or its
 * timings compare different work. Checked here against a direct float64 implementation of the
 * same forward and backward pass, written independently of both.
 */
import { describe, it, expect } from 'vitest';
import {
  peerProblemFrom,
  runTfjsPeer,
  setupTfjs,
  type PeerProblem,
} from '../../bench/tfjs-peer.ts';
import { problemFromSpec } from '../../src/engine/problem.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { makeRandom } from '../matrices.ts';

function makeProblem(
  sizes: number[],
  batch: number,
  activation: PeerProblem['activation'],
  seed: number,
): PeerProblem {
  const random = makeRandom(seed);
  const uniform = (length: number, scale: number) =>
    Float32Array.from({ length }, () => scale * (2 * random() - 1));
  return {
    sizes,
    // Weights at a Xavier-like scale, so activations neither vanish nor saturate completely.
    weights: sizes.slice(1).map((n, l) => uniform(n * sizes[l]!, Math.sqrt(3 / sizes[l]!))),
    x: uniform(sizes[0]! * batch, 1),
    y: uniform(sizes[sizes.length - 1]! * batch, 1),
    batch,
    activation,
  };
}

interface Reference {
  gradNorms: number[];
  weightGradNorms: number[];
  activationMeans: number[];
  activationStds: number[];
  loss: number;
}

const PHI: Record<PeerProblem['activation'], [(z: number) => number, (z: number) => number]> = {
  tanh: [Math.tanh, (z) => 1 - Math.tanh(z) ** 2],
  sigmoid: [
    (z) => 1 / (1 + Math.exp(-z)),
    (z) => {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    },
  ],
  relu: [(z) => Math.max(z, 0), (z) => (z > 0 ? 1 : 0)],
};

/** Forward and backward pass in float64 with plain loops over number[][] matrices. */
function referencePass(problem: PeerProblem): Reference {
  const { sizes, batch } = problem;
  const layers = sizes.length - 1;
  const [phi, phiPrime] = PHI[problem.activation];
  const matrix = (data: Float32Array, rows: number): number[][] =>
    Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * batch, (i + 1) * batch)));
  const weight = (l: number, i: number, j: number) =>
    problem.weights[l - 1]![i * sizes[l - 1]! + j]!;

  const a: number[][][] = [matrix(problem.x, sizes[0]!)];
  const z: number[][][] = [[]];
  for (let l = 1; l <= layers; l++) {
    const zl = Array.from({ length: sizes[l]! }, (_, i) =>
      Array.from({ length: batch }, (_, b) => {
        let sum = 0;
        for (let j = 0; j < sizes[l - 1]!; j++) sum += weight(l, i, j) * a[l - 1]![j]![b]!;
        return sum;
      }),
    );
    z.push(zl);
    a.push(l < layers ? zl.map((row) => row.map(phi)) : zl);
  }

  const target = matrix(problem.y, sizes[layers]!);
  let grad = a[layers]!.map((row, i) => row.map((v, b) => v - target[i]![b]!));
  const loss = 0.5 * grad.flat().reduce((s, v) => s + v * v, 0);
  const gradNorms: number[] = new Array<number>(layers);
  const weightGradNorms: number[] = new Array<number>(layers);
  for (let l = layers; l >= 1; l--) {
    const delta =
      l < layers ? grad.map((row, i) => row.map((g, b) => g * phiPrime(z[l]![i]![b]!))) : grad;
    gradNorms[l - 1] = Math.hypot(...delta.flat());
    let weightGradSquares = 0;
    for (let i = 0; i < sizes[l]!; i++) {
      for (let j = 0; j < sizes[l - 1]!; j++) {
        let dw = 0;
        for (let b = 0; b < batch; b++) dw += delta[i]![b]! * a[l - 1]![j]![b]!;
        weightGradSquares += dw * dw;
      }
    }
    weightGradNorms[l - 1] = Math.sqrt(weightGradSquares);
    grad = Array.from({ length: sizes[l - 1]! }, (_, j) =>
      Array.from({ length: batch }, (_, b) => {
        let sum = 0;
        for (let i = 0; i < sizes[l]!; i++) sum += weight(l, i, j) * delta[i]![b]!;
        return sum;
      }),
    );
  }

  const activationMeans: number[] = [];
  const activationStds: number[] = [];
  for (let l = 1; l <= layers; l++) {
    const values = a[l]!.flat();
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    activationMeans.push(mean);
    activationStds.push(Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length));
  }
  return { gradNorms, weightGradNorms, activationMeans, activationStds, loss };
}

/**
 * TF.js computes in f32; on a network this small each statistic is a short chain of f32 operations,
 * so 1e-4 relative (≈ 800 ulp) is loose enough for rounding and tight enough to catch any wrong
 * formula, layer index or transpose.
 */
const RELATIVE = 1e-4;

function expectClose(actual: number[], expected: number[], what: string, scale?: number[]) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((value, l) => {
    const tolerance = RELATIVE * (scale ? scale[l]! : Math.abs(value));
    expect(Math.abs(actual[l]! - value), `${what}[${l}]: ${actual[l]} vs ${value}`).toBeLessThan(
      tolerance,
    );
  });
}

describe('runTfjsPeer', () => {
  it.each([
    ['cpu', 'tanh', 'explicit'],
    ['wasm', 'tanh', 'explicit'],
    ['cpu', 'tanh', 'flags'],
    ['wasm', 'tanh', 'flags'],
    ['cpu', 'sigmoid', 'explicit'],
    ['cpu', 'relu', 'explicit'],
  ] as const)(
    '%s backend, %s, %s transposes: float64 reference',
    async (backend, activation, transposes) => {
      const problem = makeProblem([4, 6, 6, 2], 3, activation, 42);
      const reference = referencePass(problem);
      const result = await runTfjsPeer(backend, problem, 2, { transposes, warmUpMs: 0 });
      expect(result.backend).toContain(backend);
      expect(result.runsMs).toHaveLength(2);
      expect(result.runsMs.every((ms) => ms > 0)).toBe(true);
      expectClose(result.gradNorms, reference.gradNorms, 'gradNorms');
      expectClose(result.weightGradNorms, reference.weightGradNorms, 'weightGradNorms');
      expectClose(result.activationStds, reference.activationStds, 'activationStds');
      // A mean can be near 0; measure its error against the spread it averages over.
      expectClose(
        result.activationMeans,
        reference.activationMeans,
        'activationMeans',
        reference.activationStds,
      );
      expectClose([result.loss], [reference.loss], 'loss');
    },
  );

  it('frees every tensor it creates', async () => {
    const { tf } = await setupTfjs('wasm');
    const before = tf.memory().numTensors;
    // With a warm-up of many runs: each run's tensors are freed, not only the timed ones'.
    await runTfjsPeer('wasm', makeProblem([5, 7, 3], 4, 'tanh', 7), 1, { warmUpMs: 100 });
    await runTfjsPeer('cpu', makeProblem([5, 7, 3], 4, 'relu', 8), 1, {
      transposes: 'flags',
      warmUpMs: 100,
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('peerProblemFrom', () => {
  const base = { depth: 2, width: 5, inputs: 3, outputs: 2, batch: 4 };

  it("rounds gradlab's problem to f32, layer by layer", () => {
    const problem = problemFromSpec(parseSpec({ ...base, activation: 'relu' })).problem();
    const peer = peerProblemFrom(problem);
    expect(peer.sizes).toEqual([3, 5, 5, 2]);
    expect(peer.batch).toBe(4);
    expect(peer.activation).toBe('relu');
    expect(peer.weights.map((w) => w.length)).toEqual([15, 25, 10]);
    peer.weights.forEach((w, l) => expect(w).toEqual(Float32Array.from(problem.weights[l]!)));
    expect(peer.x).toEqual(Float32Array.from(problem.x));
    expect(peer.y).toEqual(Float32Array.from(problem.y));
  });

  it.each([
    [{ activation: 'gelu' }, /activation 'gelu' has no TF.js peer; allowed: tanh, sigmoid, relu/],
    [{ activation: 'tanh', sigmaB: 0.1 }, /biases must be zero/],
    [{ activation: 'tanh', residual: true }, /residual and batchnorm must be off/],
    [{ activation: 'tanh', outputActivation: 'same' }, /output activation linear/],
  ] as const)('refuses %o, saying why', (fields, message) => {
    const problem = problemFromSpec(parseSpec({ ...base, ...fields })).problem();
    expect(() => peerProblemFrom(problem)).toThrow(message);
  });
});
