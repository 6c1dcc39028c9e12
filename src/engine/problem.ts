/**
 * A problem: the network's weights and biases, the input batch X and the targets Y, all in f64,
 * generated from a spec by one of the two random protocols.
 *
 * Layout: every matrix is row-major. W⁽ˡ⁾ is n_out × n_in; X is inputs × batch (one sample per
 * column, as in the chapter's `W @ a`), Y is outputs × batch.
 */
import type { ActivationName } from './activations.ts';
import { INITS, orthogonalize, type InitParameters } from './inits.ts';
import { NumpyRandomState, PhiloxPurpose, philoxNormal, philoxUniform } from './rng.ts';
import type { RunSpec } from './spec.ts';

export interface Problem {
  readonly spec: RunSpec;
  /** Layer sizes: [inputs, width × depth, outputs]. */
  readonly sizes: readonly number[];
  readonly weights: readonly Float64Array[];
  /** Biases per layer, or null where they are all zero. */
  readonly biases: readonly (Float64Array | null)[];
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export function layerSizes(
  spec: Pick<RunSpec, 'inputs' | 'width' | 'depth' | 'outputs'>,
): number[] {
  return [spec.inputs, ...Array<number>(spec.depth).fill(spec.width), spec.outputs];
}

/** Does layer l (1-based) add the residual a⁽ˡ⁻¹⁾? Hidden layers whose input has their width. */
export function hasResidual(spec: RunSpec, sizes: readonly number[], layer: number): boolean {
  return spec.residual && layer < sizes.length - 1 && sizes[layer - 1] === sizes[layer];
}

function initParameters(spec: RunSpec): InitParameters {
  return { gain: spec.gain, sigmaW: spec.sigmaW };
}

/**
 * Told as each layer's weights are generated (`done` of `total` layers): a network of 50 × 1024
 * takes seconds to draw its 52 million weights, and a reader sees them come.
 */
export type OnWeightsLayer = (done: number, total: number) => void;

/** Numpy protocol (chapter §17.5's code): seed; W per layer in order; biases; X; Y. */
function numpyProblem(spec: RunSpec, sizes: number[], onLayer?: OnWeightsLayer): Problem {
  const state = new NumpyRandomState(spec.seed);
  const init = INITS[spec.init];
  const weights = sizes.slice(1).map((nOut, i) => {
    const nIn = sizes[i]!;
    const scale = init.scale(nIn, nOut, initParameters(spec));
    const count = nOut * nIn;
    if (init.distribution === 'uniform') return state.uniformArray(-scale, scale, count);
    const w = state.randn(count);
    if (init.distribution === 'orthogonal') orthogonalize(w, nOut, nIn);
    for (let j = 0; j < count; j++) w[j]! *= scale;
    onLayer?.(i + 1, sizes.length - 1);
    return w;
  });
  const biases = sizes.slice(1).map((nOut) => {
    if (spec.sigmaB === 0) return null;
    const b = state.randn(nOut);
    for (let j = 0; j < nOut; j++) b[j]! *= spec.sigmaB;
    return b;
  });
  const x = state.randn(spec.inputs * spec.batch);
  const y = state.randn(spec.outputs * spec.batch);
  return { spec, sizes, weights, biases, x, y };
}

function philoxNormals(
  seed: number,
  layer: number,
  purpose: PhiloxPurpose,
  count: number,
  scale: number,
): Float64Array {
  const out = new Float64Array(count);
  const stream = { seed, layer, purpose };
  for (let i = 0; i < count; i++) out[i] = scale * philoxNormal(stream, i);
  return out;
}

/** Philox protocol: value i of W⁽ˡ⁾ is a pure function of (seed, l, i), as on the GPU. */
function philoxProblem(spec: RunSpec, sizes: number[], onLayer?: OnWeightsLayer): Problem {
  const init = INITS[spec.init];
  const layerWeights = (nOut: number, i: number): Float64Array => {
    const nIn = sizes[i]!;
    const scale = init.scale(nIn, nOut, initParameters(spec));
    const count = nOut * nIn;
    if (init.distribution === 'uniform') {
      const w = new Float64Array(count);
      const stream = { seed: spec.seed, layer: i, purpose: PhiloxPurpose.weight };
      for (let j = 0; j < count; j++) w[j] = scale * (2 * philoxUniform(stream, j) - 1);
      return w;
    }
    if (init.distribution === 'orthogonal') {
      const w = philoxNormals(spec.seed, i, PhiloxPurpose.weight, count, 1);
      orthogonalize(w, nOut, nIn);
      for (let j = 0; j < count; j++) w[j]! *= scale;
      return w;
    }
    return philoxNormals(spec.seed, i, PhiloxPurpose.weight, count, scale);
  };
  const weights = sizes.slice(1).map((nOut, i) => {
    const w = layerWeights(nOut, i);
    onLayer?.(i + 1, sizes.length - 1);
    return w;
  });
  const biases = sizes
    .slice(1)
    .map((nOut, i) =>
      spec.sigmaB === 0 ? null : philoxNormals(spec.seed, i, PhiloxPurpose.bias, nOut, spec.sigmaB),
    );
  const x = philoxBatchColumns(spec, PhiloxPurpose.input, spec.inputs);
  const y = philoxBatchColumns(spec, PhiloxPurpose.target, spec.outputs);
  return { spec, sizes, weights, biases, x, y };
}

/**
 * X (purpose input) or Y (purpose target) under the Philox protocol, or only some of its columns:
 * entry (r, c) is value r·batch + c of the stream (seed, layer 0, purpose), so any subset of
 * samples is generated without the rest. Rows × samples.length, row-major.
 */
export function philoxBatchColumns(
  spec: Pick<RunSpec, 'seed' | 'batch'>,
  purpose: (typeof PhiloxPurpose)['input' | 'target'],
  rows: number,
  samples?: readonly number[],
): Float64Array {
  const stream = { seed: spec.seed, layer: 0, purpose };
  const count = samples?.length ?? spec.batch;
  const out = new Float64Array(rows * count);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < count; j++) {
      out[r * count + j] = philoxNormal(stream, r * spec.batch + (samples ? samples[j]! : j));
    }
  }
  return out;
}

export function buildProblem(spec: RunSpec, onLayer?: OnWeightsLayer): Problem {
  const sizes = layerSizes(spec);
  return spec.rng === 'numpy'
    ? numpyProblem(spec, sizes, onLayer)
    : philoxProblem(spec, sizes, onLayer);
}

/**
 * What a backend is asked to compute: the spec and layer sizes, and the f64 problem on demand.
 * The WebGPU backend generates Philox weights, inputs and targets in place on the device and never
 * asks for the f64 arrays; the CPU backends and uploads ask once.
 */
export interface ProblemSource {
  readonly spec: RunSpec;
  readonly sizes: readonly number[];
  /** The problem is exactly the spec's Philox stream with an elementwise init (not orthogonal). */
  readonly deviceGeneratable: boolean;
  /**
   * The problem is the spec's own (problemFromSpec), not one built by hand: a backend in another
   * thread can be sent the spec alone and draw it there.
   */
  readonly fromSpec: boolean;
  /** The f64 problem, generated on the first call (told layer by layer) and then kept. */
  problem(onLayer?: OnWeightsLayer): Problem;
}

export function problemFromSpec(spec: RunSpec): ProblemSource {
  let cached: Problem | undefined;
  return {
    spec,
    sizes: layerSizes(spec),
    deviceGeneratable: spec.rng === 'philox' && INITS[spec.init].distribution !== 'orthogonal',
    fromSpec: true,
    problem: (onLayer) => (cached ??= buildProblem(spec, onLayer)),
  };
}

/** A source for a problem built by hand (the notebook's shared-stream sweep, tests). */
export function problemFrom(problem: Problem): ProblemSource {
  return {
    spec: problem.spec,
    sizes: problem.sizes,
    deviceGeneratable: false,
    fromSpec: false,
    problem: () => problem,
  };
}

/**
 * The activation of layer l (1-based): the hidden activation, and at the output layer (l = L)
 * either linear or the same one (`outputActivation`, the chapter uses `same`). Every backend asks
 * here.
 */
export function layerActivation(
  spec: RunSpec,
  layer: number,
  layers: number,
): { name: ActivationName; alpha: number } {
  if (layer === layers && spec.outputActivation === 'linear') return { name: 'linear', alpha: 0 };
  return { name: spec.activation, alpha: spec.alpha };
}
