/**
 * What the notebook section shows, as pure functions of the engine's results: the chapter's two
 * figures as chart data, its numbers as Python prints them, the lines its ten-layer cell prints,
 * and the runs that show what changes when its flaws are fixed one at a time.
 */
import { ACTIVATIONS } from '../../engine/activations.ts';
import { INITS, type InitName } from '../../engine/inits.ts';
import {
  NOTEBOOK_ACTIVATIONS,
  NOTEBOOK_DEPTHS,
  NOTEBOOK_SEED,
  type NotebookReport,
} from '../../engine/notebook.ts';
import { layerSizes } from '../../engine/problem.ts';
import type { LayerStatistics, RunResult } from '../../engine/results.ts';
import { DEFAULT_SPEC, type RunSpec } from '../../engine/spec.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';

export type NotebookActivation = (typeof NOTEBOOK_ACTIVATIONS)[number];

const layerAxis = (layers: number): number[] => Array.from({ length: layers }, (_, i) => i + 1);

/** Figure 1, one panel: ‖δ⁽ˡ⁾‖ per layer for each depth of the sweep (layer 1 = input side). */
export function depthSweepChart(report: NotebookReport, activation: NotebookActivation): ChartData {
  const runs = NOTEBOOK_DEPTHS.map((depth) => report.depthSweep[activation][String(depth)]!);
  return {
    x: layerAxis(Math.max(...runs.map((run) => run.length))),
    series: NOTEBOOK_DEPTHS.map((depth, i) => ({
      label: `${depth} hidden layers`,
      values: runs[i]!,
    })),
  };
}

/** Figure 2: the ten-hidden-layer run, sigmoid beside ReLU, per layer. */
export function tenLayerChart(report: NotebookReport): ChartData {
  return {
    x: layerAxis(report.tenLayer.sigmoid.length),
    series: NOTEBOOK_ACTIVATIONS.map((activation) => ({
      label: ACTIVATIONS[activation].label,
      values: report.tenLayer[activation],
    })),
  };
}

export const countZeros = (values: ArrayLike<number | null>): number =>
  Array.from(values).filter((v) => v === 0).length;

/**
 * The zeros a log axis cannot draw, said in words, one sentence per series that has any (the
 * chart's own note only counts them).
 */
export function zeroSentences(data: ChartData, what: string): string[] {
  return data.series.flatMap((series) => {
    const zeros = countZeros(series.values);
    const total = series.values.length;
    if (zeros === 0) return [];
    return zeros === total
      ? [
          `${series.label}: all ${total} ${what} are exactly 0, so none can be drawn on the log axis.`,
        ]
      : [`${series.label}: ${zeros} of ${total} ${what} are exactly 0 and are not drawn.`];
  });
}

/** One network of figure 1: an activation at one depth, with its per-layer norms. */
export interface DepthSweepColumn {
  readonly activation: NotebookActivation;
  readonly depth: number;
  readonly values: readonly number[];
}

/** Figure 1's networks, sigmoid's depths first, then ReLU's: the columns of its table. */
export function depthSweepColumns(report: NotebookReport): DepthSweepColumn[] {
  return NOTEBOOK_ACTIVATIONS.flatMap((activation) =>
    NOTEBOOK_DEPTHS.map((depth) => ({
      activation,
      depth,
      values: report.depthSweep[activation][String(depth)]!,
    })),
  );
}

/** A number as the section's text shows it: six significant digits; 0 and non-finite as such. */
export const sixDigits = (value: number): string =>
  !Number.isFinite(value) ? String(value) : value === 0 ? '0' : value.toPrecision(6);

/** "42%". */
export const percent = (fraction: number): string => `${(100 * fraction).toFixed(0)}%`;

/** The mean dead fraction over the hidden layers (the output layer left out). */
export function hiddenDeadFraction(stats: LayerStatistics): number {
  const hidden = stats.layerCount - 1;
  let sum = 0;
  for (let i = 0; i < hidden; i++) sum += stats.deadFraction[i]!;
  return sum / hidden;
}

function splitExponential(value: number, fractionDigits?: number): [string, number] {
  const [mantissa, exponent] = value.toExponential(fractionDigits).split('e');
  return [mantissa!, Number(exponent)];
}

const pythonExponent = (exponent: number): string =>
  `e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;

function nonFiniteText(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

/**
 * A float as Python's repr (and print) writes it: the shortest digits that round-trip, in fixed
 * notation for exponents −4 to 15 and as 1.5e-08 otherwise. Number() reads it back exactly.
 */
export function pythonRepr(value: number): string {
  if (!Number.isFinite(value)) return nonFiniteText(value);
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponent] = splitExponential(value);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.slice(1);
    return `${sign}${digits[0]}${rest ? `.${rest}` : ''}${pythonExponent(exponent)}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
}

/** Python's `f'{value:.{digits}e}'`: a two-digit exponent with its sign (7.57e-08). */
export function pythonScientific(value: number, digits: number): string {
  if (!Number.isFinite(value)) return nonFiniteText(value);
  const [mantissa, exponent] = splitExponential(value, digits);
  return `${mantissa}${pythonExponent(exponent)}`;
}

/** The lines the chapter's ten-layer cell prints, computed from the reproduced run. */
export function chapterPrintout(report: NotebookReport): string[] {
  const sigmoid = report.tenLayer.sigmoid;
  const relu = report.tenLayer.relu;
  const outputLayer = sigmoid.length;
  const line = (name: string, grads: number[]) =>
    `${name} gradient at layer 1 is ${pythonScientific(grads[0]!, 2)}, at layer ${outputLayer} is ${pythonScientific(grads[outputLayer - 1]!, 2)}`;
  const lines = [line('Sigmoid:', sigmoid), line('ReLU:   ', relu)];
  if (sigmoid[outputLayer - 1]! > 0) {
    lines.push(
      `Sigmoid ratio (layer 1 / layer ${outputLayer}): ${pythonScientific(sigmoid[0]! / sigmoid[outputLayer - 1]!, 1)}`,
    );
  }
  return lines;
}

/** The chapter's ten-layer ReLU cell as a spec: numpy seed 42, Xavier, a ReLU output, one sample. */
export const CHAPTER_TEN_LAYER_RELU: RunSpec = {
  ...DEFAULT_SPEC,
  activation: 'relu',
  init: 'xavier',
  depth: 10,
  width: 15,
  inputs: 8,
  outputs: 1,
  batch: 1,
  outputActivation: 'same',
  seed: NOTEBOOK_SEED,
  rng: 'numpy',
  backend: 'cpu64',
};

export type VariantId = 'chapter' | 'linear-output' | 'he' | 'he-linear' | 'he-linear-batch';

export interface NotebookVariant {
  readonly id: VariantId;
  readonly label: string;
  readonly spec: RunSpec;
}

/** The ten-layer ReLU run with the chapter's flaws fixed one at a time, each a plain spec. */
export const NOTEBOOK_VARIANTS: readonly NotebookVariant[] = [
  {
    id: 'chapter',
    label: 'the chapter (Xavier, ReLU output, 1 sample)',
    spec: CHAPTER_TEN_LAYER_RELU,
  },
  {
    id: 'linear-output',
    label: 'linear output only (Xavier)',
    spec: { ...CHAPTER_TEN_LAYER_RELU, outputActivation: 'linear' },
  },
  { id: 'he', label: 'He init', spec: { ...CHAPTER_TEN_LAYER_RELU, init: 'he' } },
  {
    id: 'he-linear',
    label: 'He init + linear output',
    spec: { ...CHAPTER_TEN_LAYER_RELU, init: 'he', outputActivation: 'linear' },
  },
  {
    id: 'he-linear-batch',
    label: 'He init + linear output + batch 32',
    spec: { ...CHAPTER_TEN_LAYER_RELU, init: 'he', outputActivation: 'linear', batch: 32 },
  },
];

export interface VariantResult {
  readonly variant: NotebookVariant;
  readonly result: RunResult;
}

/** The ten-layer variants, per layer, on one chart. */
export function variantsChart(results: readonly VariantResult[]): ChartData {
  return {
    x: layerAxis(results[0]?.result.stats.layerCount ?? 0),
    series: results.map(({ variant, result }) => ({
      label: variant.label,
      values: result.stats.gradNorm,
    })),
  };
}

/**
 * The output unit's pre-activation z_L, read from a run of the same weights and input with a
 * linear output unit, where a_L = z_L: with one output and one sample the output layer's
 * activation mean is z_L itself. Null for any other run.
 */
export function outputPreActivation(result: RunResult): number | null {
  const { spec, stats } = result;
  if (spec.outputActivation !== 'linear' || spec.outputs !== 1 || spec.batch !== 1) return null;
  return stats.activationMean[stats.layerCount - 1]!;
}

/**
 * The factor by which changing the init from `from` to `to` multiplies z_L in a bias-free ReLU
 * network: ReLU(c·z) = c·ReLU(z) for c > 0, so scaling each layer's weights by s_l (the ratio of
 * the two inits' standard deviations) scales the output pre-activation by the product of the s_l.
 */
export function initScaleRatio(spec: RunSpec, from: InitName, to: InitName): number {
  const sizes = layerSizes(spec);
  let product = 1;
  for (let l = 1; l < sizes.length; l++) {
    const [nIn, nOut] = [sizes[l - 1]!, sizes[l]!];
    product *= INITS[to].scale(nIn, nOut, spec) / INITS[from].scale(nIn, nOut, spec);
  }
  return product;
}

/** Do two runs' per-layer gradient norms agree exactly (bit for bit)? */
export function sameNorms(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
}
