/**
 * The chapter's two gradient experiments (§17.5), reproduced exactly as its code runs them: numpy
 * seed 42, the same order of random draws, one sample, Xavier init for sigmoid and ReLU alike, the
 * activation on the output unit too, zero biases. Then the truth about what they show.
 *
 * - Depth sweep: `np.random.seed(42)` once; x = randn(10, 1); y = randn(1, 1); then the weights
 *   of each network in turn (sigmoid at depths 3, 5, 10, 20, then ReLU at the same depths), all
 *   from one stream. Hidden width 20.
 * - Ten-layer run: for each activation, `np.random.seed(42)`; 11 weight matrices; x = randn(8, 1);
 *   y = randn(1, 1). Hidden width 15. This is exactly gradlab's numpy protocol.
 */
import type { Backend } from './backend.ts';
import { INITS } from './inits.ts';
import {
  layerSizes,
  problemFrom,
  problemFromSpec,
  type Problem,
  type ProblemSource,
} from './problem.ts';
import type { LayerStatistics } from './results.ts';
import { NumpyRandomState } from './rng.ts';
import { DEFAULT_SPEC, type RunSpec } from './spec.ts';

export const NOTEBOOK_SEED = 42;
export const NOTEBOOK_DEPTHS = [3, 5, 10, 20] as const;
export const NOTEBOOK_ACTIVATIONS = ['sigmoid', 'relu'] as const;
type NotebookActivation = (typeof NOTEBOOK_ACTIVATIONS)[number];

function notebookSpec(
  activation: NotebookActivation,
  depth: number,
  width: number,
  inputs: number,
): RunSpec {
  return {
    ...DEFAULT_SPEC,
    activation,
    init: 'xavier',
    depth,
    width,
    inputs,
    outputs: 1,
    batch: 1,
    outputActivation: 'same',
    seed: NOTEBOOK_SEED,
    rng: 'numpy',
  };
}

/**
 * The depth sweep's problems, drawn from one shared stream in the notebook's order, one weight
 * matrix per step (null) and each network when it is complete: a page draws them in slices of
 * DRAW_SLICE_MS between its runs (~29 000 normal deviates in all, 60–130 ms at once while a page's
 * code is still cold).
 */
function* depthSweepProblems(): Generator<Problem | null, void, undefined> {
  const state = new NumpyRandomState(NOTEBOOK_SEED);
  const x = state.randn(10);
  const y = state.randn(1);
  for (const activation of NOTEBOOK_ACTIVATIONS) {
    for (const depth of NOTEBOOK_DEPTHS) {
      const spec = notebookSpec(activation, depth, 20, 10);
      const sizes = layerSizes(spec);
      const weights: Float64Array[] = [];
      for (let i = 0; i + 1 < sizes.length; i++) {
        const nOut = sizes[i + 1]!;
        const w = state.randn(nOut * sizes[i]!);
        const std = INITS.xavier.scale(sizes[i]!, nOut, spec);
        for (let j = 0; j < w.length; j++) w[j]! *= std;
        weights.push(w);
        yield null;
      }
      yield { spec, sizes, weights, biases: weights.map(() => null), x, y };
    }
  }
}

/** How long the depth sweep's drawing runs before it lets a page have the thread. */
const DRAW_SLICE_MS = 8;

/** One turn of the event loop: a page paints and handles input meanwhile. */
const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function computeOnce(backend: Backend, source: ProblemSource): Promise<LayerStatistics> {
  const prepared = await backend.prepare(source);
  try {
    return await prepared.compute();
  } finally {
    prepared.dispose();
  }
}

export interface NotebookRun {
  /** Per-layer gradient norms ‖δ⁽ˡ⁾‖, layer 1 (input side) first: what the chapter plots. */
  readonly gradNorms: number[];
  /** What the numbers show, in one sentence. */
  readonly diagnosis: string;
}

/** Explains one run of the chapter's code from its statistics. */
export function diagnoseRun(activation: NotebookActivation, stats: LayerStatistics): string {
  const norms = Array.from(stats.gradNorm);
  const last = stats.layerCount - 1;
  if (norms.every((n) => n === 0)) {
    if (stats.deadFraction[last] === 1) {
      return (
        'output unit inactive on every sample (its ReLU input is ≤ 0, so a_L = 0 and ReLU′ = 0): ' +
        'all gradients are exactly zero, although the chapter says ReLU gradients flow'
      );
    }
    return 'all gradients are exactly zero';
  }
  const first = norms[0]!;
  const output = norms[last]!;
  const orders = Math.log10(output / first);
  const trend =
    orders > 1
      ? `gradients shrink by ${orders.toFixed(1)} orders of magnitude from the output (${output.toExponential(2)}) to layer 1 (${first.toExponential(2)})`
      : orders < -1
        ? `gradients grow by ${(-orders).toFixed(1)} orders of magnitude from the output to layer 1`
        : `gradients keep their magnitude within one order (output ${output.toExponential(2)}, layer 1 ${first.toExponential(2)})`;
  if (activation === 'relu' && orders > 1) {
    return `${trend}: the chapter uses Xavier init for ReLU, whose variance is half what ReLU needs (He init), so ReLU gradients decay too`;
  }
  if (activation === 'sigmoid' && orders > 1) {
    return `${trend}: sigmoid′ ≤ 0.25 at every layer, the vanishing gradient the chapter describes`;
  }
  return trend;
}

export interface NotebookReport {
  readonly depthSweep: Record<NotebookActivation, Record<string, number[]>>;
  readonly tenLayer: Record<NotebookActivation, number[]>;
  readonly diagnosis: {
    readonly depthSweep: Record<NotebookActivation, Record<string, string>>;
    readonly tenLayer: Record<NotebookActivation, string>;
  };
}

/** Runs both experiments on the given backend (cpu64 reproduces the chapter's numbers). */
export async function runNotebook(backend: Backend): Promise<NotebookReport> {
  const depthSweep = { sigmoid: {}, relu: {} } as NotebookReport['depthSweep'];
  const sweepDiagnosis = { sigmoid: {}, relu: {} } as NotebookReport['diagnosis']['depthSweep'];
  let sliceStart = performance.now();
  for (const problem of depthSweepProblems()) {
    if (problem === null) {
      if (performance.now() - sliceStart < DRAW_SLICE_MS) continue;
      await nextTask();
      sliceStart = performance.now();
      continue;
    }
    const activation = problem.spec.activation as NotebookActivation;
    const stats = await computeOnce(backend, problemFrom(problem));
    const key = String(problem.spec.depth);
    depthSweep[activation][key] = Array.from(stats.gradNorm);
    sweepDiagnosis[activation][key] = diagnoseRun(activation, stats);
    sliceStart = performance.now();
  }
  const tenLayer = {} as NotebookReport['tenLayer'];
  const tenDiagnosis = {} as NotebookReport['diagnosis']['tenLayer'];
  for (const activation of NOTEBOOK_ACTIVATIONS) {
    // The ten-layer cell reseeds per activation and draws W, then x, then y: the numpy protocol.
    const stats = await computeOnce(backend, problemFromSpec(notebookSpec(activation, 10, 15, 8)));
    tenLayer[activation] = Array.from(stats.gradNorm);
    tenDiagnosis[activation] = diagnoseRun(activation, stats);
  }
  return {
    depthSweep,
    tenLayer,
    diagnosis: { depthSweep: sweepDiagnosis, tenLayer: tenDiagnosis },
  };
}
