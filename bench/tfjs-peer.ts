/**
 * TensorFlow.js as a peer for `npm run bench`: the same experiment gradlab runs, in TF.js ops on
 * its cpu (plain JS) or wasm (XNNPACK) backend, so timings and per-layer statistics can be set
 * side by side.
 *
 * Forward: a⁽⁰⁾ = X, z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ (biases zero), a⁽ˡ⁾ = φ(z⁽ˡ⁾) for l < L, a⁽ᴸ⁾ = z⁽ᴸ⁾.
 * Loss ½Σ(a⁽ᴸ⁾ − Y)². Backward (chapter §17.5, BP1–BP4): g⁽ᴸ⁾ = a⁽ᴸ⁾ − Y,
 * δ⁽ˡ⁾ = g⁽ˡ⁾ ⊙ φ'(z⁽ˡ⁾) (φ' = 1 at the linear output), ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ,
 * g⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾.
 *
 * Loading: the packages ship no `exports` map and no `"type": "module"`, so Node resolves them to
 * their CommonJS bundles (`main`), while bundlers pick the ESM `module` build. Requiring them all
 * through createRequire makes Node, tsx and vitest load the same single copy of tfjs-core that the
 * backends register themselves with. The webgpu backend needs navigator.gpu before it loads, so
 * bench/tfjs-webgpu.ts loads it (setupTfjsWebGpu) and then runs this peer with backend 'webgpu'.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import { median, warmUp } from '../src/engine/experiment.ts';
import type { Problem } from '../src/engine/problem.ts';
import { WARM_UP_MS } from './warm-up.ts';

/** The TF.js backends the peer runs on ('webgpu' only once bench/tfjs-webgpu.ts has loaded it). */
export type TfjsBackendName = 'cpu' | 'wasm' | 'webgpu';

export interface PeerProblem {
  sizes: number[];
  /** W_l row-major n_out×n_in, for l = 1..L (index l − 1). */
  weights: Float32Array[];
  /** inputs×batch, row-major. */
  x: Float32Array;
  /** outputs×batch, row-major. */
  y: Float32Array;
  batch: number;
  activation: 'tanh' | 'sigmoid' | 'relu';
}

const PEER_ACTIVATIONS: readonly string[] = ['tanh', 'sigmoid', 'relu'];

/**
 * gradlab's problem (f64 weights and data) as the peer's f32 one, so both sides start from the
 * same numbers. The peer has no biases: a problem with nonzero biases is refused, not ignored.
 */
export function peerProblemFrom(problem: Problem): PeerProblem {
  const { activation, batch } = problem.spec;
  if (!PEER_ACTIVATIONS.includes(activation)) {
    throw new Error(
      `peerProblemFrom: activation '${activation}' has no TF.js peer; allowed: ${PEER_ACTIVATIONS.join(', ')}`,
    );
  }
  if (problem.biases.some((b) => b !== null && b.some((v) => v !== 0))) {
    throw new Error('peerProblemFrom: biases must be zero (bias std 0); the peer has no biases');
  }
  const { residual, batchnorm, outputActivation } = problem.spec;
  if (residual || batchnorm || outputActivation !== 'linear') {
    throw new Error(
      'peerProblemFrom: the peer is a plain network: residual and batchnorm must be off and the output activation linear',
    );
  }
  return {
    sizes: [...problem.sizes],
    weights: problem.weights.map((w) => Float32Array.from(w)),
    x: Float32Array.from(problem.x),
    y: Float32Array.from(problem.y),
    batch,
    activation: activation as PeerProblem['activation'],
  };
}

export interface PeerResult {
  /**
   * E.g. 'tfjs-cpu', 'tfjs-wasm (SIMD, 1 thread)' or 'tfjs-webgpu', plus a note when transposes
   * are 'flags'.
   */
  backend: string;
  /** ‖δ⁽ˡ⁾‖_F, index l − 1. */
  gradNorms: number[];
  /** ‖δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ‖_F, index l − 1. */
  weightGradNorms: number[];
  /** Mean of a⁽ˡ⁾ over units and batch, index l − 1. */
  activationMeans: number[];
  /** Population standard deviation of a⁽ˡ⁾, index l − 1. */
  activationStds: number[];
  /** ½Σ(a⁽ᴸ⁾ − Y)², from the last timed run. */
  loss: number;
  /** Wall time of each timed run (the warm-up run excluded), ms. */
  runsMs: number[];
  medianMs: number;
}

export interface PeerOptions {
  /**
   * How the two transposed products of the backward pass, Wᵀδ and δaᵀ, are formed.
   * - 'explicit' (default): Wᵀ is uploaded once next to W (gradlab keeps Wᵀ too) and aᵀ is a
   *   tf.transpose, so every product is a plain matMul.
   * - 'flags': matMul(W, δ, true, false) and matMul(δ, a, false, true). tfjs-backend-wasm 4.x
   *   sends only untransposed products to XNNPACK and runs transposed ones on a scalar loop
   *   (batch_mat_mul_impl.cc, slow_batch_matmul), ~10× slower; kept to show that cost.
   */
  transposes?: 'explicit' | 'flags';
  /** Milliseconds of untimed runs first (default WARM_UP_MS; at least one run either way). */
  warmUpMs?: number;
}

const require = createRequire(import.meta.url);

interface Tfjs {
  tf: typeof TfCore;
  wasm: typeof TfWasm;
}
let loaded: Tfjs | null = null;

function loadTfjs(): Tfjs {
  if (loaded) return loaded;
  const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
  require('@tensorflow/tfjs-backend-cpu'); // registers 'cpu'
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm; // registers 'wasm'
  // Load the .wasm binaries from node_modules by file path: no fetch, no network. Must happen
  // before the wasm backend is first initialized.
  const wasmDir = path.dirname(
    require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
  );
  wasm.setWasmPaths(wasmDir + path.sep);
  // Production mode only silences TF.js's warnings, e.g. the cpu backend's banner suggesting
  // tfjs-node on first use (IS_TEST would too, but turns on per-kernel leak checks).
  tf.enableProdMode();
  loaded = { tf, wasm };
  return loaded;
}

/**
 * Loads TF.js, switches it to `backend` and describes that backend (SIMD and thread count for
 * wasm). Shared with bench/matmul.ts and bench/tfjs-webgpu.ts.
 */
export async function setupTfjs(
  backend: TfjsBackendName,
): Promise<{ tf: typeof TfCore; description: string }> {
  const tfjs = loadTfjs();
  return { tf: tfjs.tf, description: await useBackend(tfjs, backend) };
}

async function useBackend(tfjs: Tfjs, backend: TfjsBackendName): Promise<string> {
  const { tf, wasm } = tfjs;
  if (backend === 'webgpu' && !tf.findBackendFactory('webgpu')) {
    throw new Error(
      "TF.js backend 'webgpu' is not registered: load it with setupTfjsWebGpu() (bench/tfjs-webgpu.ts)",
    );
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed`);
  await tf.ready();
  if (backend === 'cpu') return 'tfjs-cpu';
  if (backend === 'webgpu') return 'tfjs-webgpu';
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  // tfjs-backend-wasm 4.x disables its threaded build under Node (tfjs issue #3830).
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))
    ? wasm.getThreadsCount()
    : 1;
  return `tfjs-wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads > 1 ? 's' : ''})`;
}

/**
 * φ(z) and φ'(z) as TF.js ops. The derivatives use the same tail-accurate forms as gradlab's
 * activation table (src/engine/activations.ts): tanh' = sech² = 4e^{−2|z|}/(1 + e^{−2|z|})² and
 * σ' = e^{−|z|}/(1 + e^{−|z|})², not 1 − a² or σ(1 − σ), which round to 0 in f32 exactly where
 * vanishing gradients are being measured. relu'(0) = 0, as tf.step gives.
 */
function activationOps(
  tf: typeof TfCore,
  activation: PeerProblem['activation'],
): {
  forward: (z: TfCore.Tensor) => TfCore.Tensor;
  derivative: (z: TfCore.Tensor) => TfCore.Tensor;
} {
  switch (activation) {
    case 'tanh':
      return {
        forward: (z) => tf.tanh(z),
        derivative: (z) => {
          const e = tf.exp(tf.mul(tf.abs(z), -2));
          return tf.div(tf.mul(e, 4), tf.square(tf.add(e, 1)));
        },
      };
    case 'sigmoid':
      return {
        forward: (z) => tf.sigmoid(z),
        derivative: (z) => {
          const e = tf.exp(tf.neg(tf.abs(z)));
          return tf.div(e, tf.square(tf.add(e, 1)));
        },
      };
    case 'relu':
      return { forward: (z) => tf.relu(z), derivative: (z) => tf.step(z) };
  }
}

/** The experiment set up on one TF.js backend: the caller runs and times its passes. */
export interface TfjsPeerRun {
  /** As PeerResult.backend. */
  readonly backend: string;
  /**
   * One pass: forward, backward, all per-layer statistics and the single readback, i.e. what a
   * user waits for. On webgpu the ops only record and submit GPU work; awaiting the readback
   * (`data()`: a queue flush, then mapAsync) is what makes a timing include the GPU's work.
   */
  pass(): Promise<void>;
  /** The last pass's numbers, with the caller's timings of its timed passes. */
  result(runsMs: number[]): PeerResult;
  /** Frees its tensors; the backend stays TF.js's current one. */
  dispose(): void;
}

/**
 * Runs the experiment `repeat` times on TF.js's `backend`, after untimed runs that warm it up
 * (kernel setup, wasm compilation, shader compilation, JIT; warm-up.ts).
 */
export async function runTfjsPeer(
  backend: TfjsBackendName,
  problem: PeerProblem,
  repeat: number,
  options: PeerOptions = {},
): Promise<PeerResult> {
  const peer = await prepareTfjsPeer(backend, problem, options);
  try {
    await warmUp(() => peer.pass(), options.warmUpMs ?? WARM_UP_MS);
    const runsMs: number[] = [];
    for (let run = 0; run < repeat; run++) {
      const start = performance.now();
      await peer.pass();
      runsMs.push(performance.now() - start);
    }
    return peer.result(runsMs);
  } finally {
    peer.dispose();
  }
}

/**
 * Switches TF.js to `backend` and uploads the problem; see TfjsPeerRun. `npm run bench` times
 * the wasm peer in the same turns as gradlab's runs (bench/cpu-extras.ts timeCpuRuns).
 */
export async function prepareTfjsPeer(
  backend: TfjsBackendName,
  problem: PeerProblem,
  options: Pick<PeerOptions, 'transposes'> = {},
): Promise<TfjsPeerRun> {
  const transposes = options.transposes ?? 'explicit';
  const { tf, description } = await setupTfjs(backend);
  const { sizes, batch } = problem;
  const layers = sizes.length - 1;
  if (problem.weights.length !== layers) {
    throw new Error(
      `prepareTfjsPeer: ${problem.weights.length} weight matrices for ${layers} layers`,
    );
  }
  const { forward, derivative } = activationOps(tf, problem.activation);

  // Resident data, uploaded once, as gradlab keeps its weights and inputs in the backend.
  const weights = problem.weights.map((w, i) => tf.tensor2d(w, [sizes[i + 1]!, sizes[i]!]));
  const weightsT = transposes === 'explicit' ? weights.map((w) => tf.transpose(w)) : [];
  const x = tf.tensor2d(problem.x, [sizes[0]!, batch]);
  const y = tf.tensor2d(problem.y, [sizes[layers]!, batch]);

  /** Wᵀδ and δaᵀ, formed as `options.transposes` says. */
  const backwardProduct = (l: number, delta: TfCore.Tensor): TfCore.Tensor =>
    transposes === 'explicit'
      ? tf.matMul(weightsT[l - 1]!, delta)
      : tf.matMul(weights[l - 1]!, delta, true, false);
  const weightGradient = (delta: TfCore.Tensor, input: TfCore.Tensor): TfCore.Tensor =>
    transposes === 'explicit'
      ? tf.matMul(delta, tf.transpose(input))
      : tf.matMul(delta, input, false, true);
  /**
   * ‖t‖_F on device. tf.norm computes the same but was ~10× slower on wasm (0.6 vs 0.06 ms at
   * 256×64). Both square in f32, so a norm above ~1.8e19 overflows to Infinity here.
   */
  const frobenius = (t: TfCore.Tensor): TfCore.Tensor => tf.sqrt(tf.sum(tf.square(t)));

  /**
   * One pass. The backward pass is written out by hand rather than with tf.grad: gradlab
   * computes exactly these products (W·a, Wᵀ·δ, δ·aᵀ) by hand, and tf.grad would neither expose
   * δ⁽ˡ⁾ per layer nor necessarily form each ∂L/∂W⁽ˡ⁾ the same way, so the timings would not
   * compare like with like.
   */
  const pass = (): TfCore.Tensor1D =>
    tf.tidy(() => {
      const activations: TfCore.Tensor[] = [x];
      const preactivations: TfCore.Tensor[] = [];
      for (let l = 1; l <= layers; l++) {
        const z = tf.matMul(weights[l - 1]!, activations[l - 1]!);
        preactivations.push(z);
        activations.push(l < layers ? forward(z) : z);
      }
      const gradNorms: TfCore.Tensor[] = new Array<TfCore.Tensor>(layers);
      const weightGradNorms: TfCore.Tensor[] = new Array<TfCore.Tensor>(layers);
      const means: TfCore.Tensor[] = [];
      const stds: TfCore.Tensor[] = [];
      for (let l = 1; l <= layers; l++) {
        const { mean, variance } = tf.moments(activations[l]!);
        means.push(mean);
        stds.push(tf.sqrt(variance));
      }
      const residual = tf.sub(activations[layers]!, y);
      const loss = tf.mul(tf.sum(tf.square(residual)), 0.5);
      let grad: TfCore.Tensor = residual; // g⁽ᴸ⁾ = ∂L/∂a⁽ᴸ⁾
      for (let l = layers; l >= 1; l--) {
        const delta = l < layers ? tf.mul(grad, derivative(preactivations[l - 1]!)) : grad;
        gradNorms[l - 1] = frobenius(delta);
        // ∂L/∂W⁽ˡ⁾ is formed in full, as training would, and only then reduced.
        weightGradNorms[l - 1] = frobenius(weightGradient(delta, activations[l - 1]!));
        if (l > 1) grad = backwardProduct(l, delta);
      }
      return tf.concat([
        tf.stack(gradNorms),
        tf.stack(weightGradNorms),
        tf.stack(means),
        tf.stack(stds),
        tf.reshape(loss, [1]),
      ]) as TfCore.Tensor1D;
    });

  let stats: Float32Array = new Float32Array(0);
  const column = (block: number): number[] =>
    Array.from(stats.subarray(block * layers, (block + 1) * layers));
  const name = transposes === 'flags' ? `${description}, matMul transpose flags` : description;
  return {
    backend: name,
    async pass() {
      const packed = pass();
      stats = (await packed.data()) as Float32Array; // the one readback: waits for the device
      packed.dispose();
    },
    result: (runsMs) => ({
      backend: name,
      gradNorms: column(0),
      weightGradNorms: column(1),
      activationMeans: column(2),
      activationStds: column(3),
      loss: stats[4 * layers]!,
      runsMs,
      medianMs: runsMs.length ? median(runsMs) : NaN,
    }),
    dispose: () => tf.dispose([...weights, ...weightsT, x, y]),
  };
}
